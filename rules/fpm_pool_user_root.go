package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMPoolUserRoot finds pools whose workers would run as root.
var FPMPoolUserRoot = &lint.Rule{
	ID:               "fpm-pool-user-root",
	Title:            "PHP-FPM pool runs its workers as root",
	Severity:         lint.Error,
	Tags:             []string{"startup", "fpm", "security"},
	SecuritySeverity: 8.8,
	Doc: `A pool with user = root (or group = root) makes php-fpm refuse to start: "please specify user and
group other than root". php-fpm -t does not check it, so the test passes and the restart fails:
every site behind the php-fpm answers 502. Started with --allow-to-run-as-root (-R), php-fpm
accepts it, and every PHP script — and any code an attacker gets into one through an upload or an
injection — runs as root, with the whole machine at stake.`,
	Bad: `user = root
group = root`,
	Good: `user = www-data
group = www-data`,
	Fix:   "Run the pool as an unprivileged account (www-data, or a user per site), never root.",
	Check: checkFPMPoolUserRoot,
}

func checkFPMPoolUserRoot(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		for _, key := range []string{"user", "group"} {
			v, e := poolString(p, key)
			if e == nil {
				continue
			}
			if v = strings.TrimSpace(v); v != "root" && v != "0" {
				continue
			}
			const msg = "please specify user and group other than root"
			r.Report(lint.Finding{
				Span: entrySpan(e),
				Message: fmt.Sprintf("%s in %s: php-fpm -t passes, but the start fails with \"[pool %s] %s\"; forced with -R, every PHP script would run as root",
					entryText(e), poolLabel(p), p.Name, msg),
				Consequence: fmt.Sprintf("php-fpm does not start (php-fpm -t passes): ERROR: [pool %s] %s", p.Name, msg),
				Fix:         &lint.Fix{Text: "run the pool as an unprivileged account", Replacement: key + " = www-data", Span: entrySpan(e)},
			})
		}
	}
}
