package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMUnknownUser finds pool users and groups that the host's accounts lack.
var FPMUnknownUser = &lint.Rule{
	ID:       "fpm-unknown-user",
	Title:    "PHP-FPM pool names a user or group that does not exist",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm", "permissions"},
	Doc: `php-fpm looks up the pool's user, group, listen.owner, listen.group, listen.acl_users and
listen.acl_groups in the system's accounts when it starts, and refuses to start when one is
missing: "cannot get uid for user 'nginx'", "cannot get gid for group 'nginx'". Every site behind
it answers 502. Typical causes: a pool file copied from another distribution (RHEL's apache or
nginx on Debian, whose web user is www-data), a template placeholder left in (@php_fpm_user@), a
site user not created yet. php-fpm -t catches user, group, listen.owner and listen.group, but not
the ACL lists, which fail only at the real start.
The rule needs the host's /etc/passwd (and /etc/group for groups): they are read under --root, or
on the host itself when the configuration is given by absolute path; without them the rule stays
silent. Numeric ids are taken as they are for user, group, listen.owner and listen.group, as
php-fpm does; the ACL lists are looked up by name only.`,
	Bad:   `user = apache`,
	Good:  `user = www-data`,
	Fix:   "Name an account of the host (create it first for a per-site pool), or fix the placeholder.",
	Check: checkFPMUnknownUser,
}

// accountKeys are the pool keys php-fpm resolves to a uid or gid.
var accountKeys = []struct {
	key   string
	group bool // a group name, else a user name
	list  bool // a comma-separated ACL list: names only, checked at start
}{
	{"user", false, false}, {"group", true, false},
	{"listen.owner", false, false}, {"listen.group", true, false},
	{"listen.acl_users", false, true}, {"listen.acl_groups", true, true},
}

func checkFPMUnknownUser(m *lint.Model, r *lint.Reporter) {
	if !passwdKnown(m.Accounts) {
		return
	}
	groupsKnown := len(m.Accounts.Groups) > 0
	for _, p := range m.Pools() {
		for _, k := range accountKeys {
			if k.group && !groupsKnown {
				continue
			}
			v, e := poolString(p, k.key)
			if e == nil {
				continue
			}
			names := []string{strings.TrimSpace(v)}
			if k.list {
				names = splitList(v)
			}
			for _, name := range names {
				if name == "" || (isNumeric(name) && !k.list) {
					continue
				}
				if k.group && m.Accounts.Groups[name] || !k.group && hasUser(m.Accounts, name) {
					continue
				}
				r.Report(unknownAccountFinding(p, e, k.key, name, k.group, k.list))
			}
		}
	}
}

func hasUser(a *lint.Accounts, name string) bool {
	_, ok := a.Users[name]
	return ok
}

func unknownAccountFinding(p *lint.Pool, e *lint.Entry, key, name string, group, list bool) lint.Finding {
	msg := fmt.Sprintf("cannot get uid for user '%s'", name)
	what, file := "user", "/etc/passwd"
	if group {
		msg = fmt.Sprintf("cannot get gid for group '%s'", name)
		what, file = "group", "/etc/group"
	}
	if key != "user" && key != "group" {
		msg += ": Success (0)"
	}
	when := "php-fpm fails"
	consequence := poolFailure(p, "ERROR", msg)
	if list {
		when = "php-fpm -t passes, but the start fails"
		consequence = strings.Replace(consequence, "php-fpm -t fails", "php-fpm -t passes", 1)
	}
	fix := fmt.Sprintf("name an existing account (Debian's web user is www-data), or create %s first", name)
	if list && isNumeric(name) {
		fix = fmt.Sprintf("write the %s's name: php-fpm looks ACL entries up by name only", what)
	}
	return lint.Finding{
		Span: entrySpan(e),
		Message: fmt.Sprintf("%s in %s: there is no %s %q in %s: %s with \"[pool %s] %s\"",
			entryText(e), poolLabel(p), what, name, file, when, p.Name, msg),
		Consequence: consequence,
		Fix:         &lint.Fix{Text: fix},
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
