package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// LiveSocketPermission finds backend sockets the nginx workers may not
// connect to, as the files are on the host.
var LiveSocketPermission = &lint.Rule{
	ID:       "live-socket-permission",
	Title:    "the nginx workers may not connect to the unix socket as it is on this host (--live)",
	Severity: lint.Error,
	Tags:     []string{"live", "permissions"},
	Doc: `With --live, the linter reads the real owner, group, mode and POSIX ACL of every backend unix
socket and of each directory above it, and the nginx worker user's groups from the host's
/etc/passwd and /etc/group. Connecting needs write permission on the socket and search (x)
permission on every directory on the way; without them nginx logs "connect() to unix:… failed
(13: Permission denied)" and answers 502. This is the file-permission cause of that error; with
SELinux enforcing, the same error can come from the policy instead (live-selinux-blocks).
The linter's own test connect() proves only that something listens when it runs as root.`,
	Bad:   `# srw-rw---- root root /run/php/php8.2-fpm.sock; nginx: user www-data;`,
	Good:  `# srw-rw---- www-data www-data /run/php/php8.2-fpm.sock; nginx: user www-data;`,
	Fix:   "Set the pool's listen.owner / listen.group (or listen.acl_users) to the nginx user and restart php-fpm; give the workers search permission on the directories.",
	Check: checkLiveSocketPermission,
}

func checkLiveSocketPermission(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	w := liveWorker(m)
	for b := range liveBackends(m) {
		s := liveSocket(m, b)
		if s == nil || !s.Exists || !s.IsSocket || s.File == nil {
			continue
		}
		var msg string
		for _, d := range s.Dirs {
			if !w.may(d, 1) {
				msg = fmt.Sprintf("nginx workers run as %s, but directory %s is %s: they may not pass through it to reach unix:%s",
					w, d.Path, describeLiveFile(d), s.Path)
				break
			}
		}
		if msg == "" && !w.may(s.File, 2) {
			msg = fmt.Sprintf("nginx workers run as %s, but unix:%s is %s: they may not connect (writing to the socket is needed)",
				w, s.Path, describeLiveFile(s.File))
		}
		if msg == "" {
			continue
		}
		f := liveFinding(b, msg)
		if !w.known {
			f.Severity = lint.Warning
			f.Message += fmt.Sprintf(" (the host's /etc/passwd does not list %s: its groups are unknown)", w.user)
		}
		if m.Live.Root && s.Connect.OK {
			f.Message += "; the linter's own connect() worked only because it runs as root"
		}
		if se := m.Live.SELinux; se != nil && se.Enforcing {
			f.Message += "; this is file permissions, not SELinux"
		}
		f.Consequence = "502 Bad Gateway; error.log: connect() to unix:" + b.target.Path + " failed (13: Permission denied) while connecting to upstream"
		if u := m.Nginx.User.Directive; !u.IsZero() {
			f.Related = append(f.Related, lint.Related{Pos: u.Pos(), Message: "nginx workers run as " + w.String()})
		}
		if p := liveRelatePool(m, &f, b, "creates the socket"); p != nil {
			f.Fix = &lint.Fix{Text: fmt.Sprintf("in %s set listen.owner = %s and listen.group = %s, then restart php-fpm (systemctl restart %s)", poolLabel(p), w.user, w.group, liveFPMService(p.FPM))}
		} else {
			f.Fix = &lint.Fix{Text: fmt.Sprintf("let %s write to the socket (its owner, group or an ACL) and search its directories", w.user)}
		}
		r.Report(f)
	}
}
