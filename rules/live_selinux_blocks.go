package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// selinuxHTTPPorts are the TCP ports the targeted policy labels http_port_t,
// which httpd_t (nginx) may connect to without httpd_can_network_connect.
var selinuxHTTPPorts = map[int]bool{80: true, 81: true, 443: true, 488: true, 8008: true, 8009: true, 8443: true, 9000: true}

// LiveSELinuxBlocks finds TCP backends SELinux keeps nginx from reaching.
var LiveSELinuxBlocks = &lint.Rule{
	ID:       "live-selinux-blocks",
	Title:    "SELinux forbids nginx to connect to this TCP backend (--live)",
	Severity: lint.Error,
	Tags:     []string{"live", "selinux", "permissions"},
	Doc: `With SELinux enforcing (/sys/fs/selinux/enforce is 1), nginx runs as httpd_t and may connect
only to ports labelled http_port_t (80, 81, 443, 488, 8008, 8009, 8443, 9000 in the targeted
policy) unless the boolean httpd_can_network_connect is on. A fastcgi_pass or proxy_pass to
another port then fails with "connect() failed (13: Permission denied)" and 502 — the same errno
as a socket permission problem, but the cause is the policy, and no chmod fixes it. The linter
cannot see ports added with semanage port; the audit log (ausearch -m avc -c nginx) confirms.`,
	Bad:   `proxy_pass http://127.0.0.1:3000;  # enforcing, httpd_can_network_connect off`,
	Good:  `proxy_pass http://127.0.0.1:3000;  # setsebool -P httpd_can_network_connect 1`,
	Fix:   "setsebool -P httpd_can_network_connect 1, or label the port: semanage port -a -t http_port_t -p tcp PORT.",
	Check: checkLiveSELinuxBlocks,
}

func checkLiveSELinuxBlocks(m *lint.Model, r *lint.Reporter) {
	if m.Live == nil || m.Live.SELinux == nil || !m.Live.SELinux.Enforcing {
		return
	}
	on, known := m.Live.SELinux.Booleans["httpd_can_network_connect"]
	if !known || on {
		return
	}
	for b := range liveBackends(m) {
		if b.target.Kind != lint.TargetTCP || selinuxHTTPPorts[b.target.Port] {
			continue
		}
		addr := targetAddress(*b.target)
		msg := fmt.Sprintf("SELinux is enforcing and httpd_can_network_connect is off: nginx (httpd_t) may not connect to %s, port %d is not an http_port_t port; this is SELinux, not a file or socket permission",
			addr, b.target.Port)
		if t := m.Live.TCPAddr(b.target.Host, b.target.Port); t != nil && t.Connect.OK {
			msg += " (the linter's own connect() worked: it does not run as httpd_t)"
		}
		f := liveFinding(b, msg)
		f.Consequence = "502 Bad Gateway; error.log: connect() to " + addr + " failed (13: Permission denied) while connecting to upstream; audit.log: avc: denied { name_connect }"
		f.Fix = &lint.Fix{Text: fmt.Sprintf("setsebool -P httpd_can_network_connect 1, or semanage port -a -t http_port_t -p tcp %d", b.target.Port)}
		r.Report(f)
	}
}
