package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// SocketPermissionDenied finds unix sockets the nginx workers may not write to.
var SocketPermissionDenied = &lint.Rule{
	ID:       "socket-permission-denied",
	Title:    "nginx workers are not allowed to connect to the PHP-FPM socket",
	Severity: lint.Error,
	Tags:     []string{"permissions", "fastcgi", "cross-file"},
	Doc: `Connecting to a unix socket needs write permission on it. PHP-FPM creates a pool's socket owned
by listen.owner and listen.group with listen.mode (default 0660). When listen.owner and listen.group
are not set, the socket belongs to the user the master runs as (root:root), not to the pool's user.
When listen.acl_users or listen.acl_groups is set, listen.owner and listen.group are ignored and
only the users and groups listed (and root) may connect. The nginx workers run as the user of
nginx.conf's user directive (nobody:nogroup when there is none), with that user's groups from
/etc/group. If none of owner, group (or ACL entry) lets them write, every PHP request fails with 502.`,
	Bad: `# nginx.conf
user www-data;
; pool
listen = /run/php/php8.2-fpm.sock
listen.owner = shop
listen.group = shop`,
	Good: `# nginx.conf
user www-data;
; pool
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data`,
	Fix:   "Set the pool's listen.owner and listen.group to the nginx user (or add that user to listen.acl_users); do not open the socket to everyone with listen.mode = 0666.",
	Check: checkSocketPermission,
}

// socketAccess is how a pool's socket will be created.
type socketAccess struct {
	owner, group string
	mode         uint32
	aclUsers     []string
	aclGroups    []string
	// at is the pool line that decides it: an ACL, listen.owner or listen.
	at *lint.Value
	// groupGuessed is true when the group is the owner's primary group and
	// /etc/passwd was not given to say what that is.
	groupGuessed bool
}

func poolSocketAccess(m *lint.Model, p *lint.Pool) socketAccess {
	a := socketAccess{owner: "root", group: "root", mode: 0o660, at: p.Listen.Value}
	if v := p.Get("listen.mode"); v != nil {
		if mode, err := strconv.ParseUint(strings.TrimSpace(v.Value), 8, 32); err == nil {
			a.mode = uint32(mode)
		}
	}
	a.aclUsers = splitList(valueOf(p, "listen.acl_users"))
	a.aclGroups = splitList(valueOf(p, "listen.acl_groups"))
	if len(a.aclUsers) > 0 || len(a.aclGroups) > 0 {
		if v, ok := p.Values["listen.acl_users"]; ok && len(a.aclUsers) > 0 {
			a.at = v
		} else {
			a.at = p.Values["listen.acl_groups"]
		}
		return a
	}
	if owner := valueOf(p, "listen.owner"); owner != "" {
		a.owner = owner
		a.at = p.Values["listen.owner"]
		a.group, a.groupGuessed = owner, true
		if m.Accounts != nil {
			if g, ok := m.Accounts.Users[owner]; ok && g != "" {
				a.group, a.groupGuessed = g, false
			}
		}
	}
	if group := valueOf(p, "listen.group"); group != "" {
		a.group, a.groupGuessed = group, false
	}
	return a
}

func valueOf(p *lint.Pool, key string) string {
	if v, ok := p.Values[key]; ok {
		return strings.TrimSpace(v.Value)
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// canConnect decides whether user (primary group group) may write to the
// socket, as the kernel would. known is false when the answer rests on a
// group membership that no /etc/group told.
func canConnect(acc *lint.Accounts, user, group string, a socketAccess) (ok, known bool) {
	if user == "root" {
		return true, true
	}
	known = true
	member := func(g string) bool {
		if g == group {
			return true
		}
		in, k := acc.InGroup(user, g)
		known = known && k
		return in
	}
	if len(a.aclUsers) > 0 || len(a.aclGroups) > 0 {
		for _, u := range a.aclUsers {
			if u == user {
				return true, true
			}
		}
		for _, g := range a.aclGroups {
			if member(g) {
				return true, known
			}
		}
		// The owner (the master's user) and others keep their mode bits.
		return a.mode&0o002 != 0, known
	}
	switch {
	case user == a.owner:
		return a.mode&0o200 != 0, true
	case member(a.group):
		return a.mode&0o020 != 0, known && !a.groupGuessed
	}
	return a.mode&0o002 != 0, known && !a.groupGuessed
}

func checkSocketPermission(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil || !hasPools(m) {
		return
	}
	user := m.Nginx.User
	type verdict struct {
		access    socketAccess
		ok, known bool
	}
	verdicts := map[*lint.Pool]verdict{} // thousands of sites share a pool
	for b := range fastcgiBackends(m) {
		if b.target.Kind != lint.TargetUnix {
			continue
		}
		p := matchPool(m, *b.target)
		if p == nil {
			continue
		}
		v, seen := verdicts[p]
		if !seen {
			v.access = poolSocketAccess(m, p)
			v.ok, v.known = canConnect(m.Accounts, user.Name, user.Group, v.access)
			verdicts[p] = v
		}
		if !v.ok {
			r.Report(permissionFinding(m, b, p, v.access, v.known))
		}
	}
}

func permissionFinding(m *lint.Model, b backend, p *lint.Pool, a socketAccess, known bool) lint.Finding {
	user := m.Nginx.User
	who := fmt.Sprintf("nginx workers run as %s:%s", user.Name, user.Group)
	switch {
	case user.Override != "":
		who += " (as " + user.Override + " says)"
	case user.Directive.IsZero():
		who += " (nginx.conf has no user directive)"
	}
	var how, fixText, replacement string
	switch {
	case len(a.aclUsers) > 0 || len(a.aclGroups) > 0:
		var who []string
		if len(a.aclUsers) > 0 {
			who = append(who, "users "+strings.Join(a.aclUsers, ","))
		}
		if len(a.aclGroups) > 0 {
			who = append(who, "groups "+strings.Join(a.aclGroups, ","))
		}
		how = fmt.Sprintf("the socket of %s is open through ACLs only to %s (listen.owner and listen.group are ignored when ACLs are set)",
			poolLabel(p), strings.Join(who, " and "))
		fixText = fmt.Sprintf("add %s to listen.acl_users of %s", user.Name, poolLabel(p))
		replacement = "listen.acl_users = " + strings.Join(append(append([]string{}, a.aclUsers...), user.Name), ",")
	default:
		origin := ""
		if _, set := p.Values["listen.owner"]; !set {
			if _, gset := p.Values["listen.group"]; !gset {
				origin = ", because listen.owner and listen.group are not set and the master runs as root"
			}
		}
		how = fmt.Sprintf("the socket of %s is created %s:%s mode %04o%s", poolLabel(p), a.owner, a.group, a.mode, origin)
		fixText = fmt.Sprintf("in %s set listen.owner = %s and listen.group = %s", poolLabel(p), user.Name, user.Group)
		if _, set := p.Values["listen.owner"]; set && !user.Directive.IsZero() {
			replacement = "listen.owner = " + user.Name
		}
		if user.Directive.IsZero() && user.Override == "" {
			fixText = fmt.Sprintf("add `user %s;` to the main context of nginx.conf (or, in %s, set listen.owner = %s and listen.group = %s)", a.owner, poolLabel(p), user.Name, user.Group)
			if a.owner == "root" {
				fixText = fmt.Sprintf("add a user directive to nginx.conf (Debian's is `user www-data;`) and set listen.owner and listen.group of %s to that user", poolLabel(p))
			}
		}
	}
	f := lint.Finding{
		Span:        valueSpan(a.at),
		Message:     fmt.Sprintf("%s, but %s: they may not connect", who, how),
		Consequence: fmt.Sprintf("502 Bad Gateway; error.log: connect() to unix:%s failed (13: Permission denied) while connecting to upstream", b.target.Path),
		Fix:         &lint.Fix{Text: fixText, Replacement: replacement},
	}
	if replacement != "" {
		f.Fix.Span = valueSpan(a.at)
	}
	if !known {
		f.Severity = lint.Warning
		f.Message += " (unless the nginx user is a member of that group: no /etc/group was given to tell)"
	}
	if !user.Directive.IsZero() {
		f.Related = append(f.Related, lint.Related{Pos: user.Directive.Pos(), Message: fmt.Sprintf("nginx workers run as %s:%s", user.Name, user.Group)})
	}
	f.Related = append(f.Related, lint.Related{Pos: b.hop.Pos, Message: "fastcgi_pass " + b.hop.Target.Raw + " connects to that socket"})
	return f
}
