// Package errorlog reads nginx error logs and picks out the lines about
// failed upstreams (the ones behind a 502 or 504): connect() failures,
// timeouts, resets, premature closes, headers too big, no live upstreams.
// Each becomes an Entry with its time, level, pid, cause and the context
// nginx appends (client, server, request, upstream, host).
package errorlog

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Cause is what went wrong with an upstream, as the log line says it.
type Cause string

const (
	// CauseNoSuchFile is connect() to a unix socket that does not exist:
	// (2: No such file or directory).
	CauseNoSuchFile Cause = "connect-no-such-file"
	// CausePermission is (13: Permission denied) on connect(): socket
	// permissions, or SELinux.
	CausePermission Cause = "connect-permission-denied"
	// CauseRefused is (111: Connection refused): nothing listens.
	CauseRefused Cause = "connect-refused"
	// CauseAgain is (11: Resource temporarily unavailable) on a unix
	// socket: its listen queue is full.
	CauseAgain Cause = "connect-queue-full"
	// CauseConnectOther is any other connect() failure (113: No route to
	// host, 101: Network is unreachable, …).
	CauseConnectOther Cause = "connect-failed"
	// CauseConnectTimeout is "upstream timed out (110: …) while
	// connecting to upstream".
	CauseConnectTimeout Cause = "connect-timed-out"
	// CauseTimeout is "upstream timed out (110: …)" while sending the
	// request or reading the response.
	CauseTimeout Cause = "timed-out"
	// CauseReset is "recv() failed (104: Connection reset by peer)" (or
	// readv/writev/send, or 32: Broken pipe) on the upstream connection.
	CauseReset Cause = "connection-reset"
	// CausePrematureClose is "upstream prematurely closed connection"
	// (or "… FastCGI stdout"/"… FastCGI request").
	CausePrematureClose Cause = "premature-close"
	// CauseTooBigHeader is "upstream sent too big header".
	CauseTooBigHeader Cause = "too-big-header"
	// CauseNoLiveUpstreams is "no live upstreams".
	CauseNoLiveUpstreams Cause = "no-live-upstreams"
)

// Status is the status nginx answers the client for a cause: 504 for
// timeouts, 502 for the rest.
func (c Cause) Status() int {
	if c == CauseTimeout || c == CauseConnectTimeout {
		return 504
	}
	return 502
}

// TimeLayout is the layout of nginx's error-log timestamps (local time).
const TimeLayout = "2006/01/02 15:04:05"

// Entry is one error-log line about a failed upstream.
type Entry struct {
	// File and Line say where the line is.
	File string `json:"file"`
	Line int    `json:"line"`
	// Time is the timestamp, read in the local zone (nginx writes local
	// time without a zone); TimeText is it as written.
	Time     time.Time `json:"-"`
	TimeText string    `json:"time"`
	Level    string    `json:"level"`
	PID      int       `json:"pid"`
	TID      int       `json:"tid"`
	// Conn is the connection number (*N), 0 when the line has none.
	Conn int64 `json:"conn,omitempty"`
	// Message is the text before nginx's context (", client: …"),
	// without the *N.
	Message string `json:"message"`
	Cause   Cause  `json:"cause"`
	// Errno and ErrnoText are "(111: Connection refused)" split; 0 and ""
	// when the message has none.
	Errno     int    `json:"errno,omitempty"`
	ErrnoText string `json:"errno_text,omitempty"`
	// Phase is what nginx was doing: "connecting to upstream", "reading
	// response header from upstream", ….
	Phase string `json:"phase,omitempty"`
	// The context nginx appends, as written (quotes removed).
	Client   string `json:"client,omitempty"`
	Server   string `json:"server"`
	Request  string `json:"request,omitempty"`
	Upstream string `json:"upstream,omitempty"`
	Host     string `json:"host,omitempty"`
	Referrer string `json:"referrer,omitempty"`
	// Stream is true for a line of the stream module (TCP and UDP
	// proxying), whose clients get no HTTP status: nginx closes the
	// connection. Read counts such lines apart.
	Stream bool `json:"stream,omitempty"`
}

// Target parses the entry's upstream.
func (e *Entry) Target() Upstream { return ParseUpstream(e.Upstream) }

// header is "2026/11/26 02:42:28 [crit] 26972#26972: *2 message".
var header = regexp.MustCompile(`^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$`)

// errnoPart is "(111: Connection refused)".
var errnoPart = regexp.MustCompile(`\((\d+): ([^)]*)\)`)

// contextKeys are the fields nginx appends to a request's error lines, in
// the order it writes them (ngx_http_log_error_handler).
var contextKeys = []string{"client", "server", "request", "subrequest", "upstream", "host", "referrer"}

// ParseLine reads one error-log line. ok is false for a line that is not
// about a failed upstream (startup messages, FastCGI stderr, …).
func ParseLine(line string) (e Entry, ok bool) {
	m := header.FindStringSubmatch(strings.TrimRight(line, "\r\n"))
	if m == nil {
		return e, false
	}
	e.TimeText, e.Level = m[1], m[2]
	e.Time, _ = time.ParseInLocation(TimeLayout, m[1], time.Local)
	e.PID, _ = strconv.Atoi(m[3])
	e.TID, _ = strconv.Atoi(m[4])
	if m[5] != "" {
		e.Conn, _ = strconv.ParseInt(m[5], 10, 64)
	}
	rest := m[6]
	// nginx's own message never holds ", client: "; a request line may.
	if i := strings.Index(rest, ", client: "); i >= 0 {
		e.Message = rest[:i]
		e.parseContext(rest[i+2:])
		// ngx_stream_proxy_log_error ends the context with the bytes
		// moved; the http module never writes them.
		e.Stream = strings.Contains(rest[i:], ", bytes from/to client:")
	} else {
		e.Message = rest
	}
	if sub := errnoPart.FindStringSubmatch(e.Message); sub != nil {
		e.Errno, _ = strconv.Atoi(sub[1])
		e.ErrnoText = sub[2]
	}
	if i := strings.LastIndex(e.Message, " while "); i >= 0 {
		e.Phase = e.Message[i+len(" while "):]
	}
	e.Cause = classify(&e)
	return e, e.Cause != ""
}

// parseContext reads `client: 127.0.0.1, server: localhost, request:
// "GET / HTTP/1.1", upstream: "…", host: "…"`. A value runs to the next
// ", key: " of a key nginx writes after it (after the closing quote for a
// quoted value), so a request line holding ", client: " stays whole.
func (e *Entry) parseContext(s string) {
	fields := map[string]string{}
	for i := 0; i < len(contextKeys) && s != ""; i++ {
		key := contextKeys[i]
		rest, ok := strings.CutPrefix(s, key+": ")
		if !ok {
			continue
		}
		quoted := strings.HasPrefix(rest, `"`)
		end, next := len(rest), len(contextKeys)
		for j := i + 1; j < len(contextKeys); j++ {
			sep := ", " + contextKeys[j] + ": "
			if quoted {
				sep = `"` + sep
			}
			if k := strings.Index(rest, sep); k >= 0 && k < end {
				end, next = k, j
				if quoted {
					end++
				}
			}
		}
		v := rest[:end]
		if quoted && len(v) >= 2 && strings.HasSuffix(v, `"`) {
			v = v[1 : len(v)-1]
		}
		fields[key] = v
		if next == len(contextKeys) {
			break
		}
		s = rest[end+2:]
		i = next - 1
	}
	e.Client, e.Server, e.Request = fields["client"], fields["server"], fields["request"]
	e.Upstream, e.Host, e.Referrer = fields["upstream"], fields["host"], fields["referrer"]
}

// classify tells the cause from the message; "" for other lines.
func classify(e *Entry) Cause {
	msg := e.Message
	upstreamPhase := strings.Contains(e.Phase, "upstream")
	switch {
	case strings.HasPrefix(msg, "no live upstreams"):
		return CauseNoLiveUpstreams
	case strings.HasPrefix(msg, "upstream sent too big header"):
		return CauseTooBigHeader
	case strings.HasPrefix(msg, "upstream timed out"):
		if e.Phase == "connecting to upstream" {
			return CauseConnectTimeout
		}
		return CauseTimeout
	case strings.HasPrefix(msg, "upstream prematurely closed"):
		return CausePrematureClose
	case strings.HasPrefix(msg, "connect() ") && strings.Contains(msg, "failed ("):
		switch e.Errno {
		case 2:
			return CauseNoSuchFile
		case 13:
			return CausePermission
		case 111:
			return CauseRefused
		case 11:
			return CauseAgain
		case 110:
			return CauseConnectTimeout
		}
		return CauseConnectOther
	case upstreamPhase && (e.Errno == 104 || e.Errno == 32) && isIOCall(msg):
		return CauseReset
	}
	return ""
}

func isIOCall(msg string) bool {
	for _, call := range []string{"recv() ", "readv() ", "writev() ", "send() ", "sendfile() ", "read() ", "write() "} {
		if strings.HasPrefix(msg, call) {
			return true
		}
	}
	return false
}

// Upstream is a parsed `upstream: "…"` value: fastcgi://unix:/run/x.sock:,
// fastcgi://127.0.0.1:9000, http://127.0.0.1:8080/uri, or fastcgi://php
// (an upstream block's name, when no server was tried).
type Upstream struct {
	Scheme string `json:"scheme"`
	// Path is a unix socket's path.
	Path string `json:"path,omitempty"`
	// Host and Port of a TCP address; Port 0 when the value names an
	// upstream block (Host is then its name).
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	// URI is what follows the address of a proxy_pass (/index.php).
	URI string `json:"uri,omitempty"`
}

// IsUnix reports whether the upstream is a unix socket.
func (u Upstream) IsUnix() bool { return u.Path != "" }

// IsName reports whether the upstream names an upstream block (no server
// address: "no live upstreams").
func (u Upstream) IsName() bool { return u.Path == "" && u.Port == 0 && u.Host != "" }

// Address is the address alone: unix:/run/x.sock, 127.0.0.1:9000,
// [::1]:9000, or the block's name.
func (u Upstream) Address() string {
	switch {
	case u.IsUnix():
		return "unix:" + u.Path
	case u.Port != 0:
		h := u.Host
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		return h + ":" + strconv.Itoa(u.Port)
	}
	return u.Host
}

// ParseUpstream reads an upstream as nginx logs it.
func ParseUpstream(s string) Upstream {
	var u Upstream
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		rest = s
	} else {
		u.Scheme = scheme
	}
	if path, ok := strings.CutPrefix(rest, "unix:"); ok {
		// nginx ends the socket path with ':' and a proxy_pass URI, if
		// any: unix:/run/x.sock:, unix:/tmp/app.sock:/api. A path may
		// hold ':' itself (unix:127.0.0.1:9000 is a relative path).
		if i := strings.LastIndexByte(path, ':'); i >= 0 && (i == len(path)-1 || path[i+1] == '/') {
			path, u.URI = path[:i], path[i+1:]
		}
		u.Path = path
		return u
	}
	hostport := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostport, u.URI = rest[:i], rest[i:]
	}
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		if i := strings.Index(hostport, "]"); i >= 0 {
			host, port = hostport[1:i], strings.TrimPrefix(hostport[i+1:], ":")
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i+1:]
	}
	u.Host = host
	if n, err := strconv.Atoi(port); err == nil {
		u.Port = n
	}
	return u
}

// Stats count what a read saw.
type Stats struct {
	// Lines is the number of lines read.
	Lines int `json:"lines"`
	// Entries is the number of lines about failed upstreams of the http
	// module, the ones passed on.
	Entries int `json:"entries"`
	// Stream is the number of lines about failed upstreams of the stream
	// module, left out (no HTTP status: no 502 or 504).
	Stream int `json:"stream,omitempty"`
}

// maxLine bounds a line; nginx writes at most 2048 bytes
// (NGX_MAX_ERROR_STR), so longer ones are not nginx's.
const maxLine = 1 << 20

// Read parses every line of r (named name in the entries) and calls fn for
// each one about a failed upstream.
func Read(r io.Reader, name string, fn func(Entry)) (Stats, error) {
	var st Stats
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		st.Lines++
		e, ok := ParseLine(sc.Text())
		if !ok {
			continue
		}
		if e.Stream {
			st.Stream++
			continue
		}
		e.File, e.Line = name, st.Lines
		st.Entries++
		fn(e)
	}
	if err := sc.Err(); err != nil {
		return st, fmt.Errorf("read %s: line %d: %w", name, st.Lines+1, err)
	}
	return st, nil
}

// Open opens an error log for Read: "-" is stdin; a gzip file (by its
// content, error.log.2.gz) is decompressed.
func Open(name string, stdin io.Reader) (io.ReadCloser, error) {
	var r io.ReadCloser
	if name == "-" {
		r = io.NopCloser(stdin)
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s is a directory", name)
		}
		r = f
	}
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return readCloser{br, r}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return readCloser{zr, closers{zr, r}}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type closers []io.Closer

func (cs closers) Close() error {
	errs := make([]error, 0, len(cs))
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
