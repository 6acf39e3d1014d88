package rules

import (
	"fmt"
	"syscall"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// LiveConnectFailed finds backends a test connect() could not reach, other
// than a missing or stale unix socket (their own rules).
var LiveConnectFailed = &lint.Rule{
	ID:       "live-connect-failed",
	Title:    "a test connect() to the backend failed (--live)",
	Severity: lint.Error,
	Tags:     []string{"live", "reachability"},
	Doc: `With --live, the linter connects to every backend address of the configuration, with a bound
of one second, and closes the connection at once; it connects nowhere else. A TCP backend that
refuses ("111: Connection refused": nothing listens on that port) or does not answer in time is
what nginx meets too: 502, or 504 after proxy_connect_timeout / fastcgi_connect_timeout. A unix
socket whose listen queue is full answers "11: Resource temporarily unavailable": every php-fpm
child is busy and the backlog is exhausted, and nginx answers 502 at once.`,
	Bad:   `fastcgi_pass 127.0.0.1:9000;  # nothing listens on 9000`,
	Good:  `fastcgi_pass 127.0.0.1:9000;  # php-fpm listens on 9000`,
	Fix:   "Start the backend or point nginx at the address it listens on; for a full queue add php-fpm children or find what keeps them busy.",
	Check: checkLiveConnectFailed,
}

func checkLiveConnectFailed(m *lint.Model, r *lint.Reporter) {
	for b := range liveBackends(m) {
		var c lint.Connect
		var addr string
		switch b.target.Kind {
		case lint.TargetTCP:
			t := m.Live.TCPAddr(b.target.Host, b.target.Port)
			if t == nil {
				continue
			}
			c, addr = t.Connect, t.Address()
		case lint.TargetUnix:
			s := liveSocket(m, b)
			if s == nil || !s.Exists || !s.IsSocket {
				continue
			}
			c, addr = s.Connect, "unix:"+s.Path
			// Refused is live-socket-stale; denied is live-socket-permission
			// when the probe is not root.
			if c.Errno == int(syscall.ECONNREFUSED) || c.Errno == int(syscall.EACCES) {
				continue
			}
		default:
			continue
		}
		if !c.Tried || c.OK {
			continue
		}
		how := ": " + c.Describe()
		if c.Errno != 0 {
			how = " with " + c.Describe()
		}
		f := liveFinding(b, fmt.Sprintf("a test connect() to %s failed%s", addr, how))
		switch {
		case c.TimedOut:
			f.Message += ": the host or port does not answer (a firewall, a down host, or a backlog that is full)"
			f.Consequence = "504 Gateway Timeout after the *_connect_timeout (default 60s); error.log: upstream timed out (110: Connection timed out) while connecting to upstream"
			f.Fix = &lint.Fix{Text: "check that the backend host is up and that no firewall drops the port"}
		case c.Errno == int(syscall.ECONNREFUSED):
			f.Message += ": nothing listens on that port"
			f.Consequence = "502 Bad Gateway; error.log: " + liveErrnoLine(*b.target, syscall.ECONNREFUSED, "Connection refused")
			f.Fix = &lint.Fix{Text: "start the backend, or point nginx at the port it listens on"}
			if p := liveRelatePool(m, &f, b, "should listen here: is its php-fpm running?"); p != nil {
				f.Fix.Text = fmt.Sprintf("start php-fpm (systemctl start %s) and read its log if it does not stay up", liveFPMService(p.FPM))
			}
		case c.Errno == int(syscall.EAGAIN):
			f.Message += ": the socket's listen queue is full, every worker is busy"
			f.Consequence = "502 Bad Gateway at once; error.log: " + liveErrnoLine(*b.target, syscall.EAGAIN, "Resource temporarily unavailable")
			f.Fix = &lint.Fix{Text: "find what keeps the workers busy (php-fpm slow log, status page); raise pm.max_children if the host has room, and listen.backlog"}
			liveRelatePool(m, &f, b, "serves this socket")
		default:
			f.Consequence = "502 Bad Gateway"
			f.Fix = &lint.Fix{Text: "make the backend reachable from this host"}
		}
		r.Report(f)
	}
}
