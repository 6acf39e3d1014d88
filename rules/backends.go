package rules

import (
	"fmt"
	"iter"
	"net/netip"
	"path"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// backend is one address nginx connects to for a FastCGI hop: the hop's own
// target, or one server of the upstream it names.
type backend struct {
	hop    *lint.Hop
	target *lint.Target
	// server is the upstream server line, nil for a direct target.
	server *lint.UpstreamServer
}

// directive is the line that holds the address.
func (b backend) directive() lint.Directive {
	if b.server != nil {
		return b.server.Directive
	}
	return b.hop.Directive
}

// fastcgiBackends yields the addresses of every fastcgi_pass that a PHP-FPM
// pool could serve: unix sockets and TCP addresses, directly or through an
// upstream (servers marked down are left out: nginx never connects to them).
func fastcgiBackends(m *lint.Model) iter.Seq[backend] {
	return backends(m, func(h *lint.Hop) bool { return h.Module == "fastcgi" })
}

// backends yields the addresses nginx connects to for the hops keep
// accepts: a hop's own unix or TCP target, or each server of the upstream
// it names that is not marked down.
func backends(m *lint.Model, keep func(*lint.Hop) bool) iter.Seq[backend] {
	return func(yield func(backend) bool) {
		if m.Nginx == nil {
			return
		}
		for _, h := range m.Nginx.Hops {
			if !keep(h) {
				continue
			}
			for b := range hopBackends(h) {
				if !yield(b) {
					return
				}
			}
		}
	}
}

// hopBackends yields the addresses hop h connects to.
func hopBackends(h *lint.Hop) iter.Seq[backend] {
	return func(yield func(backend) bool) {
		switch h.Target.Kind {
		case lint.TargetUnix, lint.TargetTCP:
			yield(backend{hop: h, target: &h.Target})
		case lint.TargetUpstream:
			for _, s := range h.Target.Upstream.Servers {
				if !s.Down && !yield(backend{hop: h, target: &s.Target, server: s}) {
					return
				}
			}
		}
	}
}

// hasPools reports whether any PHP-FPM pool was loaded.
func hasPools(m *lint.Model) bool { return len(m.Pools()) > 0 }

// isRelativeSocket reports whether a unix target's path is relative: nginx
// then connects relative to its working directory, which is never what was
// meant (`unix:127.0.0.1:9000`).
func isRelativeSocket(t lint.Target) bool {
	return t.Kind == lint.TargetUnix && !strings.HasPrefix(t.Path, "/")
}

// matchPool returns the pool listening on t, or nil. Unix paths are compared
// cleaned; TCP addresses by port, then address: a pool on all interfaces
// takes any local address, localhost means 127.0.0.1 and ::1.
func matchPool(m *lint.Model, t lint.Target) *lint.Pool {
	pools := m.Pools()
	switch t.Kind {
	case lint.TargetUnix:
		if ps, ok := m.Listening(lint.ListenUnix, t.Path, 0); ok {
			pools = ps
		}
	case lint.TargetTCP:
		if ps, ok := m.Listening(lint.ListenTCP, "", t.Port); ok {
			pools = ps
		}
	}
	for _, p := range pools {
		if listens(p, t) {
			return p
		}
	}
	return nil
}

func listens(p *lint.Pool, t lint.Target) bool {
	l := p.Listen
	if l.Value == nil {
		return false
	}
	switch t.Kind {
	case lint.TargetUnix:
		return l.Kind == lint.ListenUnix && path.Clean(l.Path) == path.Clean(t.Path)
	case lint.TargetTCP:
		if l.Kind != lint.ListenTCP || l.Port != t.Port {
			return false
		}
		if l.Host == "" {
			return true
		}
		return sameHost(l.Host, t.Host)
	}
	return false
}

// sameHost compares addresses the way a connect() would meet a bind():
// localhost is 127.0.0.1 or ::1; IPv6 brackets are ignored.
func sameHost(bound, target string) bool {
	bound, target = canonHost(bound), canonHost(target)
	if bound == target {
		return true
	}
	if bound == "localhost" {
		return target == "127.0.0.1" || target == "::1"
	}
	if target == "localhost" {
		return bound == "127.0.0.1" || bound == "::1"
	}
	return false
}

func canonHost(h string) string {
	h = lint.LowerASCII(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"))
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().String()
	}
	return h
}

// isLocal reports whether a backend host is this machine: loopback, or a
// host name nginx resolves to it. Other hosts run their own PHP-FPM, whose
// configuration may not be the one given.
func isLocal(host string) bool {
	h := canonHost(host)
	if h == "localhost" {
		return true
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.IsLoopback() || a.IsUnspecified()
	}
	return false
}

// maxAddressEdits bounds how far a pool's address may be from a target's to
// be named the nearest: far beyond any real address (a unix socket path
// has at most 107 bytes), it keeps a pathological one from costing its
// length times every pool's.
const maxAddressEdits = 1024

// closestPool returns the pool whose listen address is nearest to t: same
// kind first, then the smallest edit distance between the addresses; nil
// when none is within maxAddressEdits.
func closestPool(m *lint.Model, t lint.Target) *lint.Pool {
	const otherKind = maxAddressEdits + 1 // ranks after every pool of t's kind
	var best *lint.Pool
	bestScore := 2 * otherKind
	want := targetAddress(t)
	for _, p := range m.Pools() {
		if p.Listen.Value == nil {
			continue
		}
		penalty := 0
		if (t.Kind == lint.TargetUnix) != (p.Listen.Kind == lint.ListenUnix) {
			penalty = otherKind
		}
		limit := min(maxAddressEdits, bestScore-penalty-1)
		if limit < 0 {
			continue
		}
		if d := lint.EditDistanceWithin(want, listenAddress(p.Listen), limit); d <= limit {
			best, bestScore = p, d+penalty
		}
	}
	return best
}

// targetAddress renders a target as nginx's fastcgi_pass argument.
func targetAddress(t lint.Target) string {
	switch t.Kind {
	case lint.TargetUnix:
		return "unix:" + t.Path
	case lint.TargetTCP:
		return hostPort(t.Host, t.Port)
	}
	return t.Raw
}

// listenAddress renders a pool's listen address as a fastcgi_pass argument
// that reaches it.
func listenAddress(l lint.Listen) string {
	if l.Kind == lint.ListenUnix {
		return "unix:" + l.Path
	}
	host := l.Host
	if host == "" {
		host = "127.0.0.1"
	}
	return hostPort(host, l.Port)
}

// listenDescription says where a pool listens, for messages.
func listenDescription(l lint.Listen) string {
	switch {
	case l.Value == nil:
		return "nothing (no listen line)"
	case l.Kind == lint.ListenUnix:
		return "unix socket " + l.Path
	case l.Host == "":
		return fmt.Sprintf("TCP port %d on all interfaces", l.Port)
	}
	return "TCP " + hostPort(l.Host, l.Port)
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s:%d", host, port)
}

// poolLabel names a pool for messages: `pool [www] (php-fpm 8.2)`.
func poolLabel(p *lint.Pool) string {
	if p.FPM != nil && p.FPM.Version != "" {
		return fmt.Sprintf("pool [%s] (php-fpm %s)", p.Name, p.FPM.Version)
	}
	return fmt.Sprintf("pool [%s]", p.Name)
}

// valueSpan covers a PHP-FPM value line from its key.
func valueSpan(v *lint.Value) lint.Span { return lint.Span{Start: v.Pos, End: v.Pos} }
