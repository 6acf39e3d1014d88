package errorlog_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/parsers/errorlog"
)

// The error-log parser reads whatever a user points it at: beyond "no
// panic", each entry names the line it came from, which is a line of the
// input, and says a cause with its status.
//
//	go test ./parsers/errorlog -run '^$' -fuzz '^FuzzParseLine$' -fuzztime 5m
//	go test ./parsers/errorlog -run '^$' -fuzz '^FuzzRead$' -fuzztime 5m

var seedLines = []string{
	`2026/11/26 02:42:28 [crit] 26972#26972: *2 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "localhost"`,
	`2026/11/26 02:42:28 [error] 1#1: *9 upstream timed out (110: Connection timed out) while reading response header from upstream, client: ::1, server: _, request: "GET /, client: x HTTP/1.1", upstream: "http://[::1]:8080/a?b", host: "h", referrer: "r"`,
	`2026/11/26 02:42:28 [error] 1#1: *1 no live upstreams while connecting to upstream, client: 1.2.3.4, server: s, request: "GET / HTTP/1.1", upstream: "fastcgi://php", host: "h"`,
	`2026/11/26 02:42:28 [error] 1#1: *1 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: c, server: s, upstream: "unix:/tmp/a.sock:/api"`,
	`2026/11/26 02:42:28 [error] 1#1: upstream sent too big header while reading response header from upstream, client: "`,
	`2026/11/26 02:42:28 [error] 1#1: *1 connect() failed (111: Connection refused), client: , server: , request: "", upstream: "", host: ""`,
	"", "x", "\r\n",
}

func FuzzParseLine(f *testing.F) {
	for _, s := range seedLines {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e, ok := errorlog.ParseLine(line)
		if !ok {
			return
		}
		if e.Cause == "" || e.Cause.Status() != 502 && e.Cause.Status() != 504 {
			t.Fatalf("entry with cause %q, status %d", e.Cause, e.Cause.Status())
		}
		if !strings.Contains(line, e.Message) || !strings.Contains(line, e.Upstream) || !strings.Contains(line, e.Request) {
			t.Fatalf("entry %+v holds text that is not in the line", e)
		}
		u := e.Target()
		u.Address()
		errorlog.ParseUpstream(line)
	})
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(strings.Join(seedLines, "\n")))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Join(seedLines, "\n")))
	zw.Close()
	f.Add(gz.Bytes())
	f.Add([]byte{0x1f, 0x8b, 0})
	for _, name := range []string{"e2e-error.log", "real-error.log"} {
		if data, err := os.ReadFile(filepath.Join("../../testdata/logs", name)); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "error.log"
		r, err := errorlog.Open("-", bytes.NewReader(data))
		if err != nil {
			return // a broken gzip header
		}
		defer r.Close()
		plain := data
		if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			// Read it again, for the line count (bounded: a small input
			// may inflate a lot).
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("Open accepted gzip that gzip.NewReader refuses: %v", err)
			}
			plain, _ = io.ReadAll(io.LimitReader(zr, 64<<20))
		}
		lines := bytes.Count(plain, []byte("\n"))
		if len(plain) > 0 && plain[len(plain)-1] != '\n' {
			lines++
		}
		var entries []errorlog.Entry
		st, err := errorlog.Read(r, name, func(e errorlog.Entry) { entries = append(entries, e) })
		if err != nil {
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(entries) != st.Entries || st.Lines > lines || st.Lines < lines && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			t.Fatalf("stats %+v: %d entries, %d lines in the input", st, len(entries), lines)
		}
		prev := 0
		for _, e := range entries {
			if e.File != name || e.Line < 1 || e.Line > st.Lines || e.Line <= prev {
				t.Fatalf("entry at %s:%d of %d lines (previous %d)", e.File, e.Line, st.Lines, prev)
			}
			prev = e.Line
		}
	})
}
