package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FastCGIPassUnmatched finds fastcgi_pass addresses that no pool listens on.
var FastCGIPassUnmatched = &lint.Rule{
	ID:       "fastcgi-pass-unmatched",
	Title:    "fastcgi_pass points at an address no PHP-FPM pool listens on",
	Severity: lint.Error,
	Tags:     []string{"reachability", "fastcgi", "cross-file"},
	Doc: `nginx connects to the address of fastcgi_pass (directly, or through the servers of an
upstream block) for every PHP request. When no PHP-FPM pool listens there, every request to that
location fails with 502 Bad Gateway. The usual causes: a typo in the socket path, a socket of another
PHP version (php8.1-fpm.sock after an upgrade to 8.2), a TCP port that differs, or nginx using TCP
while the pool listens on a unix socket (or the other way round).

Unix socket paths are compared after cleaning; TCP addresses by port and address, where a pool
listening on all interfaces (listen = 9000, 0.0.0.0:9000, [::]:9000) takes any local address and
localhost means 127.0.0.1 and ::1. A backend on another host is only compared by port, at note
level: its PHP-FPM configuration may not be the one given.`,
	Bad: `# nginx
fastcgi_pass unix:/run/php/php8.1-fpm.sock;
; php-fpm pool
listen = /run/php/php8.2-fpm.sock`,
	Good: `# nginx
fastcgi_pass unix:/run/php/php8.2-fpm.sock;
; php-fpm pool
listen = /run/php/php8.2-fpm.sock`,
	Fix:   "Point fastcgi_pass (or the upstream's server) at the pool's listen address, or change the pool's listen to the address nginx uses.",
	Check: checkFastCGIPassUnmatched,
}

func checkFastCGIPassUnmatched(m *lint.Model, r *lint.Reporter) {
	if !hasPools(m) {
		return
	}
	closest := map[string]*lint.Pool{} // by target address
	for b := range fastcgiBackends(m) {
		if isRelativeSocket(*b.target) || matchPool(m, *b.target) != nil {
			continue
		}
		if b.target.Kind == lint.TargetTCP && !isLocal(b.target.Host) {
			reportRemoteBackend(m, r, b)
			continue
		}
		addr := targetAddress(*b.target)
		p, ok := closest[addr]
		if !ok {
			p = closestPool(m, *b.target)
			closest[addr] = p
		}
		reportUnmatched(r, b, p)
	}
}

func reportUnmatched(r *lint.Reporter, b backend, closest *lint.Pool) {
	addr := targetAddress(*b.target)
	f := lint.Finding{
		Span: b.directive().Span(),
		Message: fmt.Sprintf("no PHP-FPM pool listens on %s: every PHP request here fails with 502",
			addr),
	}
	if b.target.Kind == lint.TargetUnix {
		f.Consequence = fmt.Sprintf("502 Bad Gateway; error.log: connect() to %s failed (2: No such file or directory) while connecting to upstream", addr)
	} else {
		f.Consequence = "502 Bad Gateway; error.log: connect() failed (111: Connection refused) while connecting to upstream"
	}
	if b.server != nil {
		f.Related = append(f.Related, lint.Related{Pos: b.hop.Pos, Message: fmt.Sprintf("used by fastcgi_pass %s here", b.hop.Target.Raw)})
	}
	if closest == nil {
		f.Fix = &lint.Fix{Text: "add a listen line to the pool nginx should reach"}
		r.Report(f)
		return
	}
	want := listenAddress(closest.Listen)
	f.Message = fmt.Sprintf("no PHP-FPM pool listens on %s; the nearest is %s on %s", addr, poolLabel(closest), want)
	f.Related = append(f.Related, lint.Related{Pos: closest.Listen.Value.Pos, Message: fmt.Sprintf("%s listens on %s", poolLabel(closest), listenDescription(closest.Listen))})
	if b.server != nil {
		f.Fix = &lint.Fix{Text: fmt.Sprintf("point the upstream server at %s", want), Replacement: "server " + want + ";", Span: b.directive().Span()}
	} else {
		f.Fix = &lint.Fix{Text: fmt.Sprintf("point fastcgi_pass at %s, or change the pool's listen to %s", want, listenValue(*b.target)), Replacement: "fastcgi_pass " + want + ";", Span: b.directive().Span()}
	}
	r.Report(f)
}

// reportRemoteBackend speaks of a backend on another host: the pools given
// may not be the ones running there, so only a port that no pool uses is
// worth a note.
func reportRemoteBackend(m *lint.Model, r *lint.Reporter, b backend) {
	for _, p := range m.Pools() {
		if p.Listen.Kind == lint.ListenTCP && p.Listen.Port == b.target.Port {
			return
		}
	}
	r.Report(lint.Finding{
		Severity: lint.Note,
		Span:     b.directive().Span(),
		Message: fmt.Sprintf("%s is on another host and no pool given listens on port %d: if PHP-FPM runs there, lint that host's configuration too",
			targetAddress(*b.target), b.target.Port),
	})
}

// listenValue is the pool listen value that would serve target t.
func listenValue(t lint.Target) string {
	if t.Kind == lint.TargetUnix {
		return t.Path
	}
	return hostPort(t.Host, t.Port)
}
