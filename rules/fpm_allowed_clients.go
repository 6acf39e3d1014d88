package rules

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMAllowedClients finds listen.allowed_clients lists that drop nginx.
var FPMAllowedClients = &lint.Rule{
	ID:       "fpm-allowed-clients",
	Title:    "listen.allowed_clients does not let nginx in",
	Severity: lint.Error,
	Tags:     []string{"reachability", "fastcgi", "cross-file"},
	Doc: `For a TCP pool, php-fpm closes every connection whose source address is not in
listen.allowed_clients (the setting is ignored for unix sockets). nginx connecting to 127.0.0.1
comes from 127.0.0.1, to ::1 from ::1. php-fpm accepts only IP addresses there: a host name such as
localhost passes php-fpm -t but matches nothing, so every connection is dropped. nginx then answers
502 with "recv() failed (104: Connection reset by peer)" or "upstream prematurely closed connection".`,
	Bad: `; pool
listen = 127.0.0.1:9000
listen.allowed_clients = localhost`,
	Good: `; pool
listen = 127.0.0.1:9000
listen.allowed_clients = 127.0.0.1`,
	Fix:   "List the IP address nginx connects from (127.0.0.1 for a loopback fastcgi_pass) in listen.allowed_clients.",
	Check: checkFPMAllowedClients,
}

func checkFPMAllowedClients(m *lint.Model, r *lint.Reporter) {
	// Host names are wrong in any TCP pool nginx uses, whatever the source.
	for b := range fastcgiBackends(m) {
		if b.target.Kind != lint.TargetTCP {
			continue
		}
		p := matchPool(m, *b.target)
		if p == nil {
			continue
		}
		v, ok := p.Values["listen.allowed_clients"]
		if !ok || strings.TrimSpace(v.Value) == "" {
			continue
		}
		var addrs []netip.Addr
		var names []string
		for _, c := range splitList(v.Value) {
			if a, err := netip.ParseAddr(c); err == nil {
				addrs = append(addrs, a.Unmap())
			} else {
				names = append(names, c)
			}
		}
		source, known := sourceAddress(b.target.Host)
		allowed := !known
		for _, a := range addrs {
			allowed = allowed || a == source
		}
		if allowed && len(names) == 0 {
			continue
		}
		f := lint.Finding{
			Span:        valueSpan(v),
			Related:     []lint.Related{{Pos: b.hop.Pos, Message: fmt.Sprintf("fastcgi_pass %s connects from %s", b.hop.Target.Raw, sourceText(source, known))}},
			Consequence: "502 Bad Gateway; error.log: recv() failed (104: Connection reset by peer) while reading response header from upstream (or, by timing, upstream prematurely closed connection); php-fpm drops the connection without a log line unless catch_workers_output = yes",
		}
		switch {
		case !allowed && len(names) > 0:
			f.Message = fmt.Sprintf("listen.allowed_clients = %s of %s: php-fpm accepts only IP addresses there, so %s matches no connection and php-fpm drops every request from nginx (%s)", v.Value, poolLabel(p), strings.Join(names, ", "), source)
		case !allowed:
			f.Message = fmt.Sprintf("listen.allowed_clients = %s of %s does not contain %s, the address nginx connects from: php-fpm drops every request", v.Value, poolLabel(p), source)
		default:
			f.Message = fmt.Sprintf("listen.allowed_clients of %s names %s: php-fpm accepts only IP addresses there, so the name matches no connection", poolLabel(p), strings.Join(names, ", "))
			if len(addrs) > 0 {
				f.Severity = lint.Warning
				f.Message += " (the IP addresses listed still work)"
			}
		}
		want := []string{}
		for _, a := range addrs {
			want = append(want, a.String())
		}
		if known && !allowed {
			want = append(want, source.String())
		} else if !known && len(addrs) == 0 {
			want = append(want, "127.0.0.1")
		}
		f.Fix = &lint.Fix{Text: "list the IP addresses nginx connects from", Replacement: "listen.allowed_clients = " + strings.Join(want, ","), Span: valueSpan(v)}
		r.Report(f)
	}
}

// sourceAddress is the address a connection to host comes from, when nginx
// runs on this machine and host is loopback.
func sourceAddress(host string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(canonHost(host))
	if err != nil || !a.IsLoopback() {
		return netip.Addr{}, false
	}
	return a, true
}

func sourceText(a netip.Addr, known bool) string {
	if !known {
		return "an address the linter cannot know"
	}
	return a.String()
}
