package rules

import (
	"fmt"
	"syscall"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// LiveSocketStale finds backend socket files nothing listens on.
var LiveSocketStale = &lint.Rule{
	ID:       "live-socket-stale",
	Title:    "the unix socket exists but nothing listens on it (--live)",
	Severity: lint.Error,
	Tags:     []string{"live", "reachability"},
	Doc: `With --live, the linter connects to every backend unix socket (and closes at once). A socket
file that refuses the connection ("111: Connection refused") is stale: the process that created it
(php-fpm) crashed or was killed with SIGKILL and could not remove it. nginx logs the same
"connect() to unix:… failed (111: Connection refused)" and answers 502. A path that is a regular
file, not a socket, is refused the same way.`,
	Bad:   `fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # srw-rw---- … php8.2-fpm.sock, no php-fpm running`,
	Good:  `fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # php-fpm running and listening`,
	Fix:   "Restart php-fpm (it replaces the stale socket) and look in its log for why it died.",
	Check: checkLiveSocketStale,
}

func checkLiveSocketStale(m *lint.Model, r *lint.Reporter) {
	for b := range liveBackends(m) {
		s := liveSocket(m, b)
		if s == nil || !s.Exists {
			continue
		}
		var msg string
		switch {
		case !s.IsSocket:
			msg = fmt.Sprintf("unix:%s is a %s, not a socket: nothing can listen there", s.Path, s.Type)
		case s.Connect.Tried && s.Connect.Errno == int(syscall.ECONNREFUSED):
			msg = fmt.Sprintf("unix:%s exists (%s) but nothing listens on it: connect() %s; the socket is stale, left by a backend that crashed or was killed",
				s.Path, describeLiveFile(s.File), s.Connect.Describe())
		default:
			continue
		}
		f := liveFinding(b, msg)
		f.Consequence = "502 Bad Gateway; error.log: " + liveErrnoLine(*b.target, syscall.ECONNREFUSED, "Connection refused")
		if p := liveRelatePool(m, &f, b, "listens here when its php-fpm runs"); p != nil {
			f.Fix = &lint.Fix{Text: fmt.Sprintf("restart php-fpm (systemctl restart %s; it replaces the socket) and read its log for why it stopped", liveFPMService(p.FPM))}
		} else if s.IsSocket {
			f.Fix = &lint.Fix{Text: "restart the backend that owns the socket (it replaces the stale file) and find out why it stopped"}
		} else {
			f.Fix = &lint.Fix{Text: fmt.Sprintf("remove %s (a %s is in the way of the socket) and restart the backend", s.Path, s.Type)}
		}
		r.Report(f)
	}
}
