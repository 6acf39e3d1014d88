package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

// FPMPoolVariableInGlobal finds $pool in the [global] section.
var FPMPoolVariableInGlobal = &lint.Rule{
	ID:       "fpm-pool-variable-in-global",
	Title:    "$pool used in the [global] section",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `php-fpm replaces $pool with the pool's name in a pool's values (listen = /run/php/$pool.sock).
In [global] there is no pool, and php-fpm refuses to start: "unable to parse value for entry
'error_log': Can't use '$pool' when the pool is not defined". Every site behind it answers 502.
It happens when a line meant for a pool (a per-pool error_log, a pid) lands in php-fpm.conf's
[global] section, or in a pool file before its [name] header.`,
	Bad: `[global]
error_log = /var/log/php-fpm/$pool.log`,
	Good: `[global]
error_log = /var/log/php-fpm/error.log`,
	Fix:   "Write the [global] value without $pool, or move the line into a pool section (per-pool logs: php_admin_value[error_log], access.log, slowlog).",
	Check: checkFPMPoolVariableInGlobal,
}

func checkFPMPoolVariableInGlobal(m *lint.Model, r *lint.Reporter) {
	for l := range fpmLines(m) {
		e := l.entry
		if l.pool != nil || !strings.Contains(e.Value, "$pool") {
			continue
		}
		msg := fpmconf.ValueError(true, e.Key, e.Value)
		if !strings.Contains(msg, "$pool") {
			continue // an unknown key or a value of another type: other rules
		}
		where := "[global]"
		if e.Pos.File != l.fpm.File {
			where = "[global] (no [name] header comes before it in its file)"
		}
		r.Report(lint.Finding{
			Span:        entrySpan(e),
			Message:     fmt.Sprintf("%s uses $pool in %s, where there is no pool: php-fpm fails with %q", entryText(e), where, msg),
			Consequence: readFailure(e, msg),
			Fix:         &lint.Fix{Text: "write the value without $pool, or move the line into a pool section"},
		})
	}
}
