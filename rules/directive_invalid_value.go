package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// DirectiveInvalidValue finds buffer and timeout values nginx refuses to read.
var DirectiveInvalidValue = &lint.Rule{
	ID:       "directive-invalid-value",
	Title:    "size, buffer or timeout value that nginx refuses to read",
	Severity: lint.Error,
	Tags:     []string{"startup", "buffers", "timeouts"},
	Doc: `nginx reads a size as a number with an optional k or m (4k, 16k, 1m), a *_buffers directive as
a count and a size, neither 0, and a timeout as a number with units from the largest to the
smallest (500ms, 60s, 1m30s; months and years are not allowed; a bare number is seconds).
Anything else (4kb, 1.5k, 8x, -5s, 30s1m, a $variable: these directives take no variables) stops
it: nginx -t fails with "directive invalid value", the reload is refused, and a fresh start leaves
every site down. The classic is client_max_body_size 100MB. The rule checks the buffer directives
of the FastCGI, proxy, uwsgi and SCGI modules, the read, send and connect timeouts of those and
gRPC, client_max_body_size, the client body and header buffers and timeouts, send_timeout and
keepalive_timeout's first value. Values that are only too large to represent, and sizes in g,
which nginx versions read differently, are left alone.`,
	Bad:   `client_max_body_size 100MB;`,
	Good:  `client_max_body_size 100m;`,
	Fix:   "Write the size as a number with k or m (16k), the buffers as a count and a size (16 16k), the timeout as a number with ms, s, m, h or d (60s, 1m30s).",
	Check: checkDirectiveInvalidValue,
}

// valueKind is how nginx reads a directive's arguments.
type valueKind int

const (
	sizeValue valueKind = iota + 1 // ngx_conf_set_size_slot, ngx_conf_set_off_slot
	bufsValue                      // ngx_conf_set_bufs_slot: count and size
	timeValue                      // ngx_conf_set_msec_slot
)

// valueKinds are the directives the rule reads, by name.
var valueKinds = func() map[string]valueKind {
	out := map[string]valueKind{}
	for _, names := range bufferNames {
		for _, n := range names {
			out[n] = sizeValue
		}
		out[names[4]] = bufsValue
	}
	for _, m := range timeoutModules {
		for _, t := range []string{"_read_timeout", "_send_timeout", "_connect_timeout"} {
			out[m+t] = timeValue
		}
	}
	for _, n := range []string{"client_max_body_size", "client_body_buffer_size", "client_header_buffer_size"} {
		out[n] = sizeValue
	}
	out["large_client_header_buffers"] = bufsValue
	for _, n := range []string{"client_body_timeout", "client_header_timeout", "send_timeout", "keepalive_timeout"} {
		out[n] = timeValue
	}
	return out
}()

// sizeSyntax is what ngx_parse_size reads, g included (see the Doc).
var sizeSyntax = regexp.MustCompile(`^[0-9]+[kKmMgG]?$`)

// bytesSuffix is a size written with a B for bytes (16kb, 100MB).
var bytesSuffix = regexp.MustCompile(`^([0-9]+[kKmMgG])[bB]$`)

// digits is a run of digits, for telling a time too large to represent
// from one nginx cannot read.
var digits = regexp.MustCompile(`[0-9]+`)

func checkDirectiveInvalidValue(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	m.Nginx.Root.Walk(func(d lint.Directive) bool {
		name := d.Name()
		if !strings.HasSuffix(name, "_size") && !strings.HasSuffix(name, "_buffers") && !strings.HasSuffix(name, "_timeout") {
			return true // most directives: no map lookup
		}
		kind := valueKinds[name]
		if kind == 0 {
			return true
		}
		args := d.ArgValues()
		if name == "keepalive_timeout" && len(args) == 2 {
			// Its second value is in seconds, read otherwise (years
			// allowed, no ms): only the first is checked.
			args = args[:1]
		}
		if i, form := invalidArg(kind, args); i >= 0 {
			fix := &lint.Fix{Text: "write " + form}
			if m := bytesSuffix.FindStringSubmatch(d.Arg(i)); m != nil {
				// 100MB: nginx's unit is the letter alone.
				fixed := d.ArgValues() // a copy
				fixed[i] = m[1]
				fix = &lint.Fix{Text: "write " + m[1], Replacement: name + " " + strings.Join(fixed, " ") + ";", Span: d.Span()}
			}
			r.Report(lint.Finding{
				Span:        lint.Span{Start: d.ArgPos(i), End: d.Span().End},
				Message:     fmt.Sprintf("nginx will refuse to start: it cannot read %q as the %s of %s", d.Arg(i), what(kind, i), name),
				Consequence: fmt.Sprintf("nginx -t fails: [emerg] %q directive invalid value; the reload is refused, a fresh start leaves every site down", name),
				Fix:         fix,
			})
		}
		return true
	})
}

// invalidArg returns the index of the first argument nginx cannot read and
// the form it should have, or -1. A wrong number of arguments is nginx's
// other error, left to nginx -t.
func invalidArg(kind valueKind, args []string) (int, string) {
	switch kind {
	case sizeValue:
		if len(args) == 1 && !sizeSyntax.MatchString(args[0]) {
			return 0, "a size as a number with an optional k or m: 8k, 16k, 1m"
		}
	case bufsValue:
		if len(args) != 2 {
			return -1, ""
		}
		if n := args[0]; strings.Trim(n, "0123456789") != "" || strings.Trim(n, "0") == "" {
			return 0, "a count of buffers as a number from 1, then their size: 16 16k"
		}
		if s := args[1]; !sizeSyntax.MatchString(s) || strings.Trim(s, "0kKmMgG") == "" {
			return 1, "the size of each buffer as a number from 1 with an optional k or m: 16 16k"
		}
	case timeValue:
		if len(args) == 1 && !readableTime(args[0]) {
			return 0, "a time as a number with ms, s, m, h, d or w, largest unit first: 500ms, 60s, 1m30s"
		}
	}
	return -1, ""
}

// readableTime reports whether nginx reads v as a time, however large:
// lint.ParseNginxTime also refuses what overflows, which nginx may take.
func readableTime(v string) bool {
	if _, ok := lint.ParseNginxTime(v); ok {
		return true
	}
	_, ok := lint.ParseNginxTime(digits.ReplaceAllString(v, "1"))
	return ok
}

func what(kind valueKind, i int) string {
	switch {
	case kind == bufsValue && i == 0:
		return "count of buffers"
	case kind == bufsValue:
		return "buffer size"
	case kind == timeValue:
		return "time"
	}
	return "size"
}
