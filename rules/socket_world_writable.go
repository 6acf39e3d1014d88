package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// SocketWorldWritable finds pool sockets any local user may connect to.
var SocketWorldWritable = &lint.Rule{
	ID:               "socket-world-writable",
	Title:            "PHP-FPM socket open to every local user",
	Severity:         lint.Warning,
	Tags:             []string{"permissions", "security"},
	SecuritySeverity: 7.0,
	Doc: `listen.mode = 0666 (or 0777) "fixes" a Permission denied between nginx and PHP-FPM by letting
every local user write to the socket: any account on the host (another site's PHP, a compromised
service) can then send FastCGI requests and run arbitrary PHP code as the pool's user. Setting
listen.acl_users or listen.acl_groups does not close it: php-fpm adds named entries to the socket's
ACL, and the "other" entry still comes from listen.mode.`,
	Bad: `listen.mode = 0666`,
	Good: `listen.owner = www-data
listen.group = www-data
listen.mode = 0660`,
	Fix:   "Give the socket to the nginx user with listen.owner/listen.group (or listen.acl_users) and keep listen.mode = 0660.",
	Check: checkSocketWorldWritable,
}

func checkSocketWorldWritable(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		if p.Listen.Kind != lint.ListenUnix {
			continue
		}
		v, ok := p.Values["listen.mode"]
		if !ok {
			continue
		}
		// listen.acl_users/acl_groups add named entries to the socket's
		// ACL, but its "other" entry still comes from listen.mode: with
		// 0666 anyone connects (php-fpm 8.2: other::rw-).
		a := poolSocketAccess(m, p)
		if a.mode&0o002 == 0 {
			continue
		}
		r.Report(lint.Finding{
			Span:    valueSpan(v),
			Message: fmt.Sprintf("listen.mode = %s lets every local user connect to the socket of %s and run PHP code as its user", v.Value, poolLabel(p)),
			Fix:     &lint.Fix{Text: "give the socket to the nginx user with listen.owner and listen.group, and keep the mode at 0660", Replacement: "listen.mode = 0660", Span: valueSpan(v)},
		})
	}
}
