package errorlog

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const e2eLog = "../../testdata/logs/e2e-error.log"

func TestParseLine(t *testing.T) {
	tests := []struct {
		line  string
		cause Cause // "" for a line that is not an upstream error
		errno int
		phase string
	}{
		{`2026/11/26 02:42:28 [crit] 26972#26972: *2 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "127.0.0.1:28030"`,
			CauseNoSuchFile, 2, "connecting to upstream"},
		{`2026/11/26 02:42:32 [crit] 27235#27235: *2 connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "127.0.0.1:28250"`,
			CausePermission, 13, "connecting to upstream"},
		{`2026/01/02 03:04:05 [crit] 1#1: *9 connect() to 10.0.0.5:3000 failed (13: Permission denied) while connecting to upstream, client: 10.1.1.1, server: app, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:3000/", host: "app"`,
			CausePermission, 13, "connecting to upstream"},
		{`2026/11/26 02:42:29 [error] 27000#27000: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:29051", host: "127.0.0.1:28050"`,
			CauseRefused, 111, "connecting to upstream"},
		{`2026/11/26 02:50:57 [error] 25768#25768: *27 connect() to unix:/run/php/reports.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 127.0.0.1, server: reports.example.com, request: "GET /sleep.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/reports.sock:", host: "reports.example.com"`,
			CauseAgain, 11, "connecting to upstream"},
		{`2026/01/02 03:04:05 [error] 1#1: *3 connect() failed (113: No route to host) while connecting to upstream, client: 1.2.3.4, server: a, request: "GET / HTTP/1.1", upstream: "http://10.9.9.9:80/", host: "a"`,
			CauseConnectOther, 113, "connecting to upstream"},
		{`2026/01/02 03:04:05 [error] 1#1: *3 upstream timed out (110: Connection timed out) while connecting to upstream, client: 1.2.3.4, server: a, request: "GET / HTTP/1.1", upstream: "http://10.9.9.9:80/", host: "a"`,
			CauseConnectTimeout, 110, "connecting to upstream"},
		{`2026/11/26 02:42:31 [error] 27080#27080: *4 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: localhost, request: "GET /slow.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock", host: "127.0.0.1:28470"`,
			CauseTimeout, 110, "reading response header from upstream"},
		{`2026/11/26 02:42:29 [error] 27042#27042: *2 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:29290", host: "127.0.0.1:28290"`,
			CauseReset, 104, "reading response header from upstream"},
		{`2026/01/02 03:04:05 [error] 1#1: *7 writev() failed (32: Broken pipe) while sending request to upstream, client: 1.2.3.4, server: a, request: "POST /up HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "a"`,
			CauseReset, 32, "sending request to upstream"},
		{`2026/11/26 02:50:39 [error] 24715#24715: *36 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: app.example.com, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:26191/", host: "app.example.com"`,
			CausePrematureClose, 0, "reading response header from upstream"},
		{`2026/01/02 03:04:05 [error] 1#1: *7 upstream prematurely closed FastCGI stdout while reading upstream, client: 1.2.3.4, server: a, request: "GET /x.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "a"`,
			CausePrematureClose, 0, "reading upstream"},
		{`2026/11/26 02:42:28 [error] 26944#26944: *2 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: localhost, request: "GET /headers.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "127.0.0.1:28310"`,
			CauseTooBigHeader, 0, "reading response header from upstream"},
		{`2026/11/26 02:42:39 [error] 28052#28052: *2 no live upstreams while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://php", host: "127.0.0.1:28170"`,
			CauseNoLiveUpstreams, 0, "connecting to upstream"},
		// Not upstream failures.
		{`2026/11/26 02:42:36 [error] 27391#27391: *2 FastCGI sent in stderr: "PHP message: report: starting a 2 s job" while reading response header from upstream, client: 127.0.0.1, server: localhost, request: "GET /sleep.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "127.0.0.1:28440"`, "", 0, ""},
		{`2026/11/26 02:42:27 [emerg] 26896#26896: "fastcgi_busy_buffers_size" must be less than the size of all "fastcgi_buffers" minus one buffer in /etc/nginx/nginx.conf:31`, "", 0, ""},
		{`2026/01/02 03:04:05 [error] 1#1: *1 open() "/var/www/html/favicon.ico" failed (2: No such file or directory), client: 1.2.3.4, server: a, request: "GET /favicon.ico HTTP/1.1", host: "a"`, "", 0, ""},
		{`2026/01/02 03:04:05 [info] 1#1: *1 recv() failed (104: Connection reset by peer) while waiting for request, client: 1.2.3.4, server: 0.0.0.0:80`, "", 0, ""},
		{`127.0.0.1 - - [26/Nov/2026:02:42:28 +0000] "GET / HTTP/1.1" 502 157`, "", 0, ""},
		{``, "", 0, ""},
	}
	for _, tt := range tests {
		e, ok := ParseLine(tt.line)
		if ok != (tt.cause != "") || e.Cause != tt.cause {
			t.Errorf("%.90s…: cause %q (ok %v), want %q", tt.line, e.Cause, ok, tt.cause)
			continue
		}
		if !ok {
			continue
		}
		if e.Errno != tt.errno || e.Phase != tt.phase {
			t.Errorf("%.90s…: errno %d phase %q, want %d %q", tt.line, e.Errno, e.Phase, tt.errno, tt.phase)
		}
		if e.Server == "" || e.Upstream == "" || e.Host == "" || e.Client == "" || !strings.HasPrefix(e.Request, "GET ") && !strings.HasPrefix(e.Request, "POST ") {
			t.Errorf("%.90s…: context not read: %+v", tt.line, e)
		}
	}
}

func TestParseLineFields(t *testing.T) {
	line := `2026/11/26 02:42:28 [crit] 26972#26973: *2045 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 2001:db8::1, server: , request: "GET /a.php?q=a, b, client: x HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "shop.example.com", referrer: "https://shop.example.com/cart"` + "\r\n"
	e, ok := ParseLine(line)
	if !ok {
		t.Fatal("not parsed")
	}
	want := Entry{
		TimeText: "2026/11/26 02:42:28", Level: "crit", PID: 26972, TID: 26973, Conn: 2045,
		Message: "connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream",
		Cause:   CauseNoSuchFile, Errno: 2, ErrnoText: "No such file or directory", Phase: "connecting to upstream",
		Client: "2001:db8::1", Server: "", Request: "GET /a.php?q=a, b, client: x HTTP/1.1",
		Upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", Host: "shop.example.com", Referrer: "https://shop.example.com/cart",
	}
	e.Time = want.Time
	if e != want {
		t.Errorf("got  %+v\nwant %+v", e, want)
	}
	if e, _ := ParseLine(line); e.Time.Year() != 2026 || e.Time.Hour() != 2 || e.Time.Second() != 28 {
		t.Errorf("time %v", e.Time)
	}
}

func TestParseUpstream(t *testing.T) {
	tests := []struct {
		in   string
		want Upstream
		addr string
	}{
		{"fastcgi://unix:/run/php/php8.2-fpm.sock:", Upstream{Scheme: "fastcgi", Path: "/run/php/php8.2-fpm.sock"}, "unix:/run/php/php8.2-fpm.sock"},
		{"fastcgi://unix:/run/php/php8.2-fpm.sock", Upstream{Scheme: "fastcgi", Path: "/run/php/php8.2-fpm.sock"}, "unix:/run/php/php8.2-fpm.sock"},
		{"fastcgi://unix:127.0.0.1:29150:", Upstream{Scheme: "fastcgi", Path: "127.0.0.1:29150"}, "unix:127.0.0.1:29150"},
		{"http://unix:/tmp/app.sock:/api/v1", Upstream{Scheme: "http", Path: "/tmp/app.sock", URI: "/api/v1"}, "unix:/tmp/app.sock"},
		{"fastcgi://127.0.0.1:9000", Upstream{Scheme: "fastcgi", Host: "127.0.0.1", Port: 9000}, "127.0.0.1:9000"},
		{"http://127.0.0.1:28331/", Upstream{Scheme: "http", Host: "127.0.0.1", Port: 28331, URI: "/"}, "127.0.0.1:28331"},
		{"http://[::1]:8080/x?y", Upstream{Scheme: "http", Host: "::1", Port: 8080, URI: "/x?y"}, "[::1]:8080"},
		{"fastcgi://php", Upstream{Scheme: "fastcgi", Host: "php"}, "php"},
		{"grpc://backend", Upstream{Scheme: "grpc", Host: "backend"}, "backend"},
	}
	for _, tt := range tests {
		got := ParseUpstream(tt.in)
		if got != tt.want || got.Address() != tt.addr {
			t.Errorf("ParseUpstream(%q) = %+v (%s), want %+v (%s)", tt.in, got, got.Address(), tt.want, tt.addr)
		}
	}
	if !ParseUpstream("fastcgi://php").IsName() || ParseUpstream("fastcgi://127.0.0.1:9000").IsName() {
		t.Error("IsName")
	}
}

func TestStatus(t *testing.T) {
	for c, want := range map[Cause]int{CauseTimeout: 504, CauseConnectTimeout: 504, CauseNoSuchFile: 502, CauseTooBigHeader: 502, CauseNoLiveUpstreams: 502, CauseReset: 502} {
		if got := c.Status(); got != want {
			t.Errorf("%s: status %d, want %d", c, got, want)
		}
	}
}

// TestE2ELog reads the lines the e2e suite collected from real nginx: every
// line about a backend that is not PHP's own stderr is an upstream error
// with its context, and each cause the stacks provoke is there.
func TestE2ELog(t *testing.T) {
	data, err := os.ReadFile(e2eLog)
	if err != nil {
		t.Skipf("no %s (written by NGINX502_E2E=1 go test ./e2e -update): %v", e2eLog, err)
	}
	var entries []Entry
	st, err := Read(bytes.NewReader(data), "e2e-error.log", func(e Entry) { entries = append(entries, e) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != strings.Count(string(data), "\n") || st.Entries != len(entries) {
		t.Errorf("stats %+v for %d lines and %d entries", st, strings.Count(string(data), "\n"), len(entries))
	}
	byLine := map[int]Entry{}
	for _, e := range entries {
		byLine[e.Line] = e
		if e.File != "e2e-error.log" || e.Server == "" || e.Request == "" || e.Host == "" || e.Target().Address() == "" {
			t.Errorf("line %d: context not read: %+v", e.Line, e)
		}
	}
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		about := strings.Contains(line, "upstream: \"") && !strings.Contains(line, "FastCGI sent in stderr")
		if _, ok := byLine[i+1]; ok != about {
			t.Errorf("line %d: parsed as an upstream error %v, want %v: %s", i+1, ok, about, line)
		}
	}
	seen := map[Cause]bool{}
	for _, e := range entries {
		seen[e.Cause] = true
	}
	for _, c := range []Cause{CauseNoSuchFile, CausePermission, CauseRefused, CauseTimeout, CauseReset, CauseTooBigHeader, CauseNoLiveUpstreams} {
		if !seen[c] {
			t.Errorf("no %s line in %s", c, e2eLog)
		}
	}
}

func TestOpen(t *testing.T) {
	plain, err := os.ReadFile(realLogFile)
	if err != nil {
		t.Fatal(err)
	}
	count := func(name string, stdin []byte) int {
		t.Helper()
		f, err := Open(name, bytes.NewReader(stdin))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		n := 0
		if _, err := Read(f, name, func(Entry) { n++ }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := count(realLogFile, nil)
	if want == 0 {
		t.Fatalf("no upstream error in %s", realLogFile)
	}
	gz := filepath.Join(t.TempDir(), "error.log.2.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	zw.Close()
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := count(gz, nil); got != want {
		t.Errorf("gzip: %d entries, want %d", got, want)
	}
	if got := count("-", plain); got != want {
		t.Errorf("stdin: %d entries, want %d", got, want)
	}
	if got := count("-", buf.Bytes()); got != want {
		t.Errorf("gzip on stdin: %d entries, want %d", got, want)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none.log"), nil); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(t.TempDir(), nil); err == nil {
		t.Error("a directory: want an error")
	}
	bad := filepath.Join(t.TempDir(), "bad.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 0}, 0o644)
	if _, err := Open(bad, nil); err == nil {
		t.Error("a broken gzip file: want an error")
	}
}

func TestReadTooLong(t *testing.T) {
	long := strings.Repeat("x", maxLine+1)
	if _, err := Read(strings.NewReader("a\n"+long+"\n"), "big.log", func(Entry) {}); err == nil || !strings.Contains(err.Error(), "big.log: line 2") {
		t.Errorf("a line over %d bytes: got %v", maxLine, err)
	}
}

// TestStreamLine: the stream module (TCP and UDP proxying) logs its upstream
// errors like the http module's, with the bytes moved at the end; its
// clients get no HTTP status, so Read counts them apart. The line is real
// nginx 1.22's, from a stream proxy_pass to a closed port.
func TestStreamLine(t *testing.T) {
	const stream = `2026/11/26 07:26:14 [error] 5089#5089: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: 127.0.0.1:23306, upstream: "127.0.0.1:23307", bytes from/to client:0/0, bytes from/to upstream:0/0`
	const http = `2026/11/26 07:26:14 [error] 5089#5089: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: shop.example, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:23307/", host: "shop.example"`
	if e, ok := ParseLine(stream); !ok || !e.Stream {
		t.Errorf("stream line: ok %v, Stream %v", ok, e.Stream)
	}
	if e, ok := ParseLine(http); !ok || e.Stream {
		t.Errorf("http line: ok %v, Stream %v", ok, e.Stream)
	}
	var got []Entry
	st, err := Read(strings.NewReader(stream+"\n"+http+"\n"), "error.log", func(e Entry) { got = append(got, e) })
	if err != nil || st.Lines != 2 || st.Entries != 1 || st.Stream != 1 || len(got) != 1 || got[0].Line != 2 {
		t.Errorf("Read: %+v, %v, %d entries passed on", st, err, len(got))
	}
}
