package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMSlowlog finds slow-log settings php-fpm refuses.
var FPMSlowlog = &lint.Rule{
	ID:       "fpm-slowlog",
	Title:    "request_slowlog_timeout without slowlog, or longer than request_terminate_timeout",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm", "timeouts"},
	Doc: `php-fpm writes a backtrace of requests slower than request_slowlog_timeout to the pool's slowlog
file. Turning the timeout on (or setting request_slowlog_trace_depth) without a slowlog makes
php-fpm refuse to start: "'slowlog' must be specified for use with 'request_slowlog_timeout'".
A slow-log timeout longer than request_terminate_timeout (when that is on) can never fire, and
php-fpm refuses it too: "'request_slowlog_timeout' (10) can't be greater than
'request_terminate_timeout' (5)". Debian's www.conf has both lines commented out: uncommenting
only the timeout is the usual way in. Every site behind the php-fpm then answers 502.`,
	Bad: `request_slowlog_timeout = 5s`,
	Good: `request_slowlog_timeout = 5s
slowlog = /var/log/php8.2-fpm.slow.log`,
	Fix:   "Set slowlog next to request_slowlog_timeout, and keep the slow-log timeout below request_terminate_timeout.",
	Check: checkFPMSlowlog,
}

func checkFPMSlowlog(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		slowlog, _ := poolString(p, "slowlog")
		timeout, te, tok := poolSeconds(p, "request_slowlog_timeout", 0)
		depth, de, dok := poolInt(p, "request_slowlog_trace_depth", 0)
		for _, c := range []struct {
			key string
			n   int
			e   *lint.Entry
			ok  bool
		}{{"request_slowlog_timeout", timeout, te, tok}, {"request_slowlog_trace_depth", depth, de, dok}} {
			if !c.ok || c.e == nil || c.n == 0 || slowlog != "" {
				continue
			}
			msg := fmt.Sprintf("'slowlog' must be specified for use with '%s'", c.key)
			r.Report(lint.Finding{
				Span:        entrySpan(c.e),
				Message:     fmt.Sprintf("%s in %s, but the pool has no slowlog file: php-fpm fails with \"[pool %s] %s\"", entryText(c.e), poolLabel(p), p.Name, msg),
				Consequence: poolFailure(p, "ERROR", msg),
				Fix:         &lint.Fix{Text: fmt.Sprintf("add slowlog = /var/log/php-fpm/%s.slow.log to the pool (a file php-fpm may create), or remove %s", p.Name, c.key)},
			})
		}
		if dok && de != nil && depth < 0 && slowlog != "" {
			msg := fmt.Sprintf("'request_slowlog_trace_depth' (%d) must be a positive value", depth)
			r.Report(lint.Finding{
				Span:        entrySpan(de),
				Message:     fmt.Sprintf("%s in %s: php-fpm fails with \"[pool %s] %s\"", entryText(de), poolLabel(p), p.Name, msg),
				Consequence: poolFailure(p, "ERROR", msg),
				Fix:         &lint.Fix{Text: "write how many stack frames to log (the default is 20)", Replacement: "request_slowlog_trace_depth = 20", Span: entrySpan(de)},
			})
		}
		terminate, xe, xok := poolSeconds(p, "request_terminate_timeout", 0)
		if !tok || !xok || te == nil || xe == nil || timeout <= 0 || terminate <= 0 || timeout <= terminate {
			continue
		}
		msg := fmt.Sprintf("'request_slowlog_timeout' (%d) can't be greater than 'request_terminate_timeout' (%d)", timeout, terminate)
		r.Report(lint.Finding{
			Span:        entrySpan(te),
			Message:     fmt.Sprintf("%s in %s is longer than %s, so it could never fire: php-fpm fails with \"[pool %s] %s\"", entryText(te), poolLabel(p), entryText(xe), p.Name, msg),
			Related:     []lint.Related{entryRelated(xe, "php-fpm kills the request first: "+entryText(xe))},
			Consequence: poolFailure(p, "ERROR", msg),
			Fix:         &lint.Fix{Text: "make request_slowlog_timeout shorter than request_terminate_timeout"},
		})
	}
}
