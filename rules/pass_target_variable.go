package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// PassTargetVariable says which backends could not be checked.
var PassTargetVariable = &lint.Rule{
	ID:       "pass-target-variable",
	Title:    "backend address contains a variable and cannot be checked",
	Severity: lint.Note,
	Tags:     []string{"reachability", "coverage"},
	Doc: `A fastcgi_pass whose address contains a variable (fastcgi_pass $backend) is resolved per
request, so the linter cannot tell whether a PHP-FPM pool listens there. This note says so, so that
a clean report is not read as "this backend was checked". Only fastcgi_pass is reported: a variable
in proxy_pass is common and its backend is no PHP-FPM pool.`,
	Bad:   `fastcgi_pass $php_backend;`,
	Good:  `fastcgi_pass unix:/run/php/php8.2-fpm.sock;`,
	Fix:   "Nothing to fix if the variable is intended; write the address literally to have it checked.",
	Check: checkPassTargetVariable,
}

func checkPassTargetVariable(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil || !hasPools(m) {
		return
	}
	for _, h := range m.Nginx.Hops {
		if h.Module == "fastcgi" && h.Target.Kind == lint.TargetVariable {
			r.Report(lint.Finding{
				Span:    h.Directive.Span(),
				Message: fmt.Sprintf("fastcgi_pass %s contains a variable: whether a PHP-FPM pool listens there is only known per request, so it was not checked", h.Target.Raw),
			})
		}
	}
}
