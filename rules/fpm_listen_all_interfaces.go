package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMListenAllInterfaces finds TCP pools anyone on the network may use.
var FPMListenAllInterfaces = &lint.Rule{
	ID:               "fpm-listen-all-interfaces",
	Title:            "PHP-FPM pool listens on all interfaces without listen.allowed_clients",
	Severity:         lint.Warning,
	Tags:             []string{"security", "fpm"},
	SecuritySeverity: 9.0,
	Doc: `listen = 9000 (a bare port), 0.0.0.0:9000 or [::]:9000 binds every interface of the host, and
without listen.allowed_clients php-fpm accepts FastCGI from any address. FastCGI has no
authentication: whoever reaches the port can name any PHP file on the host as SCRIPT_FILENAME and,
with the PHP_VALUE and PHP_ADMIN_VALUE parameters (auto_prepend_file = php://input,
allow_url_include), run arbitrary code as the pool's user. Scanners look for open port 9000.

The official Docker images listen = 9000 on purpose: inside a container only the container network
reaches the port, and nginx in another container connects by name. That is safe only while the port
is not published (no -p 9000:9000, no ports: in compose); this rule stays a warning so that such
setups can acknowledge it with an ignore.`,
	Bad:   `listen = 9000`,
	Good:  `listen = 127.0.0.1:9000`,
	Fix:   "Bind the loopback address (listen = 127.0.0.1:9000) or a unix socket; where nginx is on another host or container, list its address in listen.allowed_clients (and firewall the port).",
	Check: checkFPMListenAllInterfaces,
}

func checkFPMListenAllInterfaces(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		if !p.Listen.AllInterfaces() || p.Listen.Value == nil {
			continue
		}
		if v, ok := p.Values["listen.allowed_clients"]; ok && strings.TrimSpace(v.Value) != "" {
			continue
		}
		v := p.Listen.Value
		f := lint.Finding{
			Span: valueSpan(v),
			Message: fmt.Sprintf("%s listens on TCP port %d on all interfaces (listen = %s) and has no listen.allowed_clients: anyone who reaches the port can run any PHP code as the pool's user",
				poolLabel(p), p.Listen.Port, v.Value),
			Fix: &lint.Fix{Text: fmt.Sprintf("bind the loopback address, or list the address nginx connects from in listen.allowed_clients (inside a container network, make sure port %d is not published)", p.Listen.Port)},
		}
		// Offer 127.0.0.1 only when every nginx hop to the pool connects to
		// it: nginx in another container or host would lose the pool.
		var hops []backend
		for b := range fastcgiBackends(m) {
			if b.target.Kind == lint.TargetTCP && listens(p, *b.target) {
				hops = append(hops, b)
			}
		}
		local := len(hops) > 0
		for _, b := range hops {
			h := canonHost(b.target.Host)
			local = local && (h == "127.0.0.1" || h == "localhost")
			f.Related = append(f.Related, lint.Related{Pos: b.hop.Pos, Message: fmt.Sprintf("fastcgi_pass %s connects to it", b.hop.Target.Raw)})
		}
		if local {
			f.Fix.Replacement = fmt.Sprintf("listen = 127.0.0.1:%d", p.Listen.Port)
			f.Fix.Span = valueSpan(v)
		}
		r.Report(f)
	}
}
