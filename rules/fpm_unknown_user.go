package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMUnknownUser finds pool users that the host's /etc/passwd lacks.
var FPMUnknownUser = &lint.Rule{
	ID:       "fpm-unknown-user",
	Title:    "PHP-FPM pool names a user that does not exist",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm", "permissions"},
	Doc: `php-fpm looks up the pool's user, listen.owner and listen.acl_users in the system's accounts when it
starts, and refuses to start when one is missing: "cannot get uid for user 'nginx'". Every site
behind it answers 502. Typical causes: a pool file copied from another distribution (RHEL's user =
apache or nginx on Debian, whose web user is www-data), a template placeholder left in
(@php_fpm_user@), a site user not created yet. php-fpm -t catches user and listen.owner, but not
listen.acl_users, which fails only at the real start.
The rule needs the host's /etc/passwd: it is read under --root, or on the host itself when the
configuration is given by absolute path; without it the rule stays silent. Numeric ids are taken
as they are, as php-fpm does.`,
	Bad:   `user = apache`,
	Good:  `user = www-data`,
	Fix:   "Name an account of the host (create it first for a per-site pool), or fix the placeholder.",
	Check: checkFPMUnknownUser,
}

func checkFPMUnknownUser(m *lint.Model, r *lint.Reporter) {
	if !passwdKnown(m.Accounts) {
		return
	}
	for _, p := range m.Pools() {
		for _, key := range []string{"user", "listen.owner", "listen.acl_users"} {
			v, e := poolString(p, key)
			if e == nil {
				continue
			}
			names := []string{strings.TrimSpace(v)}
			if key == "listen.acl_users" {
				names = splitList(v)
			}
			for _, name := range names {
				if name == "" || isNumeric(name) {
					continue
				}
				if _, ok := m.Accounts.Users[name]; ok {
					continue
				}
				msg := fmt.Sprintf("cannot get uid for user '%s'", name)
				if key != "user" {
					msg += ": Success (0)"
				}
				when := "php-fpm fails"
				consequence := poolFailure(p, "ERROR", msg)
				if key == "listen.acl_users" {
					when = "php-fpm -t passes, but the start fails"
					consequence = strings.Replace(consequence, "php-fpm -t fails", "php-fpm -t passes", 1)
				}
				r.Report(lint.Finding{
					Span: entrySpan(e),
					Message: fmt.Sprintf("%s in %s: there is no user %q in /etc/passwd: %s with \"[pool %s] %s\"",
						entryText(e), poolLabel(p), name, when, p.Name, msg),
					Consequence: consequence,
					Fix:         &lint.Fix{Text: fmt.Sprintf("name an existing account (Debian's web user is www-data), or create %s first", name)},
				})
			}
		}
	}
}

// passwdKnown reports whether /etc/passwd was read, so that a user missing
// from Accounts.Users does not exist.
func passwdKnown(a *lint.Accounts) bool {
	return a != nil && passwdFile(a) != "" && len(a.Users) > 0
}

// passwdFile is the passwd file the accounts were read from.
func passwdFile(a *lint.Accounts) string {
	for _, s := range a.Source {
		if strings.HasSuffix(s, "passwd") {
			return s
		}
	}
	return ""
}

func isNumeric(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
