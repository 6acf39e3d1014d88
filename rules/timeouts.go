package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// defaultReadTimeout is nginx's default for *_read_timeout and *_send_timeout.
const defaultReadTimeout = 60 * time.Second

// connectTimeoutCap is what nginx's documentation says a connect timeout
// cannot usually exceed.
const connectTimeoutCap = 75 * time.Second

// TimeoutChainInverted finds timeouts across nginx, PHP-FPM and PHP that
// fire in the wrong order.
var TimeoutChainInverted = &lint.Rule{
	ID:       "timeout-chain-inverted",
	Title:    "nginx, PHP-FPM and PHP timeouts fire in the wrong order",
	Severity: lint.Warning,
	Tags:     []string{"timeouts", "fastcgi", "cross-file"},
	Doc: `Three limits stop a slow PHP request, and the cleanest must fire first:

1. max_execution_time (php.ini or php_admin_value): PHP ends the script with a fatal error, a 500
   and a line in the PHP log. On Linux it counts CPU time only: sleep and I/O waits do not count.
2. request_terminate_timeout (pool, wall clock, default off): php-fpm kills the worker; nginx
   answers 502 "recv() failed (104: Connection reset by peer)".
3. fastcgi_read_timeout (nginx, default 60s): nginx gives up and answers 504 "upstream timed out
   (110: Connection timed out)", while PHP keeps running and holds a worker.

When nginx's limit is the shortest, users get 504s for requests PHP would have finished or ended
cleanly, and the work goes on unseen; when php-fpm's is shorter than PHP's, scripts are killed
without a PHP error message.`,
	Bad: `# nginx
fastcgi_read_timeout 30s;
; pool
request_terminate_timeout = 120s`,
	Good: `# nginx
fastcgi_read_timeout 130s;
; pool
request_terminate_timeout = 120s`,
	Fix:   "Order the limits: max_execution_time ≤ request_terminate_timeout ≤ fastcgi_read_timeout.",
	Check: checkTimeoutChain,
}

// limit is one timeout of the chain with where it is set.
type limit struct {
	name    string // the directive or key: "request_terminate_timeout"
	seconds int64  // 0: off
	text    string
	at      lint.Pos // zero for a default
}

// describe gives the value, saying when it is off or a default.
func (l limit) describe() string {
	s := l.text
	if l.seconds == 0 {
		s = "0 (off)"
	}
	if !l.at.IsValid() {
		s += " by default"
	}
	return s
}

func checkTimeoutChain(m *lint.Model, r *lint.Reporter) {
	type poolLimits struct {
		term, exec limit
		ok         bool
	}
	pools := map[*lint.Pool]poolLimits{} // thousands of sites share a pool
	for b := range fastcgiBackends(m) {
		p := matchPool(m, *b.target)
		if p == nil {
			continue
		}
		pl, seen := pools[p]
		if !seen {
			var termOK, execOK bool
			pl.term, termOK = poolTerminate(p)
			pl.exec, execOK = maxExecution(p)
			pl.ok = termOK && execOK
			pools[p] = pl
		}
		if !pl.ok {
			continue
		}
		read, ok := readTimeout(b.hop)
		if !ok {
			continue
		}
		checkChain(r, b, p, read, pl.term, pl.exec)
	}
}

func checkChain(r *lint.Reporter, b backend, p *lint.Pool, read, term, exec limit) {
	readShort := term.seconds > 0 && read.seconds < term.seconds ||
		term.seconds == 0 && exec.seconds > 0 && read.seconds < exec.seconds
	termShort := term.seconds > 0 && exec.seconds > 0 && term.seconds < exec.seconds
	if !readShort && !termShort {
		return // the usual case: build no message
	}
	readDirective := lint.Effective(b.hop.Block, "fastcgi_read_timeout").Last()
	nginxSpan := b.hop.Directive.Span()
	if !readDirective.IsZero() {
		nginxSpan = readDirective.Span()
	}
	chain := fmt.Sprintf("max_execution_time %s, request_terminate_timeout %s, fastcgi_read_timeout %s",
		exec.describe(), term.describe(), read.describe())
	related := func(ls ...limit) []lint.Related {
		var out []lint.Related
		for _, l := range ls {
			if l.at.IsValid() {
				out = append(out, lint.Related{Pos: l.at, Message: l.name + " " + l.text + " is set here"})
			}
		}
		return out
	}
	switch {
	case term.seconds > 0 && read.seconds < term.seconds:
		r.Report(lint.Finding{
			Span: nginxSpan,
			Message: fmt.Sprintf("fastcgi_read_timeout %s is shorter than request_terminate_timeout %s of %s: nginx answers 504 while PHP keeps running (%s)",
				read.text, term.text, poolLabel(p), chain),
			Related:     related(term, exec),
			Consequence: "504 Gateway Timeout; error.log: upstream timed out (110: Connection timed out) while reading response header from upstream",
			Fix:         &lint.Fix{Text: fmt.Sprintf("raise fastcgi_read_timeout above %s, or lower request_terminate_timeout", term.text), Replacement: fmt.Sprintf("fastcgi_read_timeout %ds;", term.seconds+10), Span: nginxSpan},
		})
	case term.seconds == 0 && exec.seconds > 0 && read.seconds < exec.seconds:
		r.Report(lint.Finding{
			Span: nginxSpan,
			Message: fmt.Sprintf("fastcgi_read_timeout %s is shorter than max_execution_time %s of %s and no request_terminate_timeout is set: nginx answers 504 before PHP's own limit (%s)",
				read.text, exec.text, poolLabel(p), chain),
			Related:     related(exec),
			Consequence: "504 Gateway Timeout; error.log: upstream timed out (110: Connection timed out) while reading response header from upstream",
			Fix:         &lint.Fix{Text: fmt.Sprintf("raise fastcgi_read_timeout above %s, or lower max_execution_time", exec.text), Replacement: fmt.Sprintf("fastcgi_read_timeout %ds;", exec.seconds+10), Span: nginxSpan},
		})
	}
	if term.seconds > 0 && exec.seconds > 0 && term.seconds < exec.seconds {
		r.Report(lint.Finding{
			Span: lint.Span{Start: term.at, End: term.at},
			Message: fmt.Sprintf("request_terminate_timeout %s of %s is shorter than max_execution_time %s: php-fpm kills the worker (502) before PHP can end the script with an error (%s)",
				term.text, poolLabel(p), exec.text, chain),
			Related:     related(exec),
			Consequence: "502 Bad Gateway; error.log: recv() failed (104: Connection reset by peer) while reading response header from upstream; php-fpm log: execution timed out, terminating",
			Fix:         &lint.Fix{Text: fmt.Sprintf("raise request_terminate_timeout above %s, or lower max_execution_time", exec.text), Replacement: fmt.Sprintf("request_terminate_timeout = %ds", exec.seconds+10), Span: lint.Span{Start: term.at, End: term.at}},
		})
	}
}

func readTimeout(h *lint.Hop) (limit, bool) {
	d := lint.Effective(h.Block, "fastcgi_read_timeout").Last()
	if d.IsZero() {
		return limit{name: "fastcgi_read_timeout", seconds: int64(defaultReadTimeout / time.Second), text: "60s"}, true
	}
	t, ok := lint.ParseNginxTime(d.Arg(0))
	if !ok {
		return limit{}, false
	}
	return limit{name: "fastcgi_read_timeout", seconds: int64(t / time.Second), text: d.Arg(0), at: d.Pos()}, true
}

func poolTerminate(p *lint.Pool) (limit, bool) {
	v := p.Get("request_terminate_timeout")
	n, ok := lint.ParseFPMSeconds(v.Value)
	if !ok {
		return limit{}, false
	}
	return limit{name: "request_terminate_timeout", seconds: n, text: fmtSeconds(v.Value), at: v.Pos}, true
}

func maxExecution(p *lint.Pool) (limit, bool) {
	v := p.PHPSetting("max_execution_time")
	if v == nil {
		return limit{}, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Value), 10, 64)
	if err != nil {
		return limit{}, false
	}
	if n < 0 {
		n = 0
	}
	return limit{name: "max_execution_time", seconds: n, text: fmt.Sprintf("%ds", n), at: v.Pos}, true
}

func fmtSeconds(v string) string {
	v = strings.TrimSpace(v)
	if _, err := strconv.Atoi(v); err == nil {
		return v + "s"
	}
	return v
}

// TimeoutTooLow finds read and send timeouts set below a few seconds.
var TimeoutTooLow = &lint.Rule{
	ID:       "timeout-too-low",
	Title:    "backend read or send timeout below 5s (option min_timeout)",
	Severity: lint.Warning,
	Tags:     []string{"timeouts"},
	Doc: `*_read_timeout is how long nginx waits between two reads from the backend (for the response
headers: the whole time the script runs before its first output); *_send_timeout the same for
writes. Below a few seconds, any slow request (a report, an upload being processed, a cold cache)
gets 504 while the backend keeps working.`,
	Bad:  `fastcgi_read_timeout 2s;`,
	Good: `fastcgi_read_timeout 60s;`,
	Fix:  "Set the timeout above the slowest legitimate request (nginx's default is 60s).",
	Options: []lint.RuleOption{{
		Name: "min_timeout", Default: "5s", Form: "an nginx time, such as 5s or 1m",
		Doc:   "the time below which an explicit read or send timeout is flagged",
		Valid: func(v string) bool { d, ok := lint.ParseNginxTime(v); return ok && d > 0 },
	}},
	Check: checkTimeoutTooLow,
}

var timeoutModules = []string{"fastcgi", "proxy", "uwsgi", "scgi", "grpc"}

// ioTimeouts maps each module's read and send timeout directive to what the
// backend is too slow to do, and the error-log line nginx writes then.
var ioTimeouts = func() map[string][2]string {
	out := map[string][2]string{}
	for _, module := range timeoutModules {
		out[module+"_read_timeout"] = [2]string{"answer", "reading response header from upstream"}
		out[module+"_send_timeout"] = [2]string{"accept the request", "sending request to upstream"}
	}
	return out
}()

func checkTimeoutTooLow(m *lint.Model, r *lint.Reporter) {
	floor, _ := lint.ParseNginxTime(r.Option("min_timeout"))
	for _, block := range httpBlocks(m) {
		for d := range block.Block() {
			name := d.Name()
			if !strings.HasSuffix(name, "_timeout") {
				continue // most directives: no map lookup
			}
			what, ok := ioTimeouts[name]
			if !ok {
				continue
			}
			t, ok := lint.ParseNginxTime(d.Arg(0))
			if !ok || t >= floor {
				continue
			}
			r.Report(lint.Finding{
				Span:        d.Span(),
				Message:     fmt.Sprintf("%s %s: a backend slower than that to %s gets 504", name, d.Arg(0), what[0]),
				Consequence: "504 Gateway Timeout; error.log: upstream timed out (110: Connection timed out) while " + what[1],
				Fix:         &lint.Fix{Text: "raise it to at least the slowest legitimate request (default 60s)", Replacement: name + " 60s;", Span: d.Span()},
			})
		}
	}
}

// connectTimeouts are the connect timeout directives.
var connectTimeouts = func() map[string]bool {
	out := map[string]bool{}
	for _, module := range timeoutModules {
		out[module+"_connect_timeout"] = true
	}
	return out
}()

// ConnectTimeoutOverCap finds connect timeouts above what takes effect.
var ConnectTimeoutOverCap = &lint.Rule{
	ID:       "connect-timeout-over-cap",
	Title:    "backend connect timeout above 75 seconds",
	Severity: lint.Warning,
	Tags:     []string{"timeouts"},
	Doc: `nginx's documentation of fastcgi_connect_timeout and proxy_connect_timeout: "this timeout
cannot usually exceed 75 seconds". A larger value does not make nginx wait longer for a busy
backend; it only hides the intent. A backend that takes seconds to accept a connection is
overloaded: raise its capacity (pm.max_children, listen.backlog) instead.`,
	Bad:   `fastcgi_connect_timeout 300s;`,
	Good:  `fastcgi_connect_timeout 60s;`,
	Fix:   "Set the connect timeout to at most 75s and let read timeouts cover slow responses.",
	Check: checkConnectTimeoutOverCap,
}

func checkConnectTimeoutOverCap(m *lint.Model, r *lint.Reporter) {
	for _, block := range httpBlocks(m) {
		for d := range block.Block() {
			name := d.Name()
			if !strings.HasSuffix(name, "_connect_timeout") || !connectTimeouts[name] {
				continue
			}
			t, ok := lint.ParseNginxTime(d.Arg(0))
			if !ok || t <= connectTimeoutCap {
				continue
			}
			r.Report(lint.Finding{
				Span:    d.Span(),
				Message: fmt.Sprintf("%s %s: a connect timeout cannot usually exceed 75s, so this value does not take effect", name, d.Arg(0)),
				Fix:     &lint.Fix{Text: "lower it to 75s or less; slow responses are what *_read_timeout covers", Replacement: name + " 60s;", Span: d.Span()},
			})
		}
	}
}
