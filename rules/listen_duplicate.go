package rules

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// ListenDuplicate finds listen lines nginx refuses together.
var ListenDuplicate = &lint.Rule{
	ID:       "listen-duplicate",
	Title:    "two default servers, or a duplicate listen, for one address",
	Severity: lint.Error,
	Tags:     []string{"startup", "nginx"},
	Doc: `nginx -t fails when two servers mark the same address and port default_server (or the old
default): "a duplicate default server for 0.0.0.0:80"; when one server has the same listen twice:
"a duplicate listen 0.0.0.0:80"; and when two listen lines of one address set socket options
(backlog=, rcvbuf=, sndbuf=, reuseport, ipv6only=, deferred, bind, fastopen=, so_keepalive=…):
"duplicate listen options for 0.0.0.0:80" — they may be set once per address. The reload is
refused; a fresh start leaves every site down. The usual way in: a new site file copied from
sites-available/default keeps its listen 80 default_server.
listen 80, *:80 and 0.0.0.0:80 are one address; 127.0.0.1:80 and [::]:80 are others. Host names are
not resolved, so listen lines that name hosts are not compared.`,
	Bad: `server { listen 80 default_server; server_name a.example; }
server { listen 80 default_server; server_name b.example; }`,
	Good: `server { listen 80 default_server; server_name a.example; }
server { listen 80; server_name b.example; }`,
	Fix:   "Keep default_server (and socket options) on one server per address, and each listen once per server.",
	Check: checkListenDuplicate,
}

// nginxListen is a listen line of an http server, read as
// ngx_http_core_listen: the address as nginx prints it, and its flags.
type nginxListen struct {
	d        lint.Directive
	addr     string // "0.0.0.0:80", "[::]:443", "unix:/run/x.sock"
	dflt     bool
	options  bool // a socket option: may be set once per address
	optionAt string
}

// socketOptions are the listen parameters that set ngx_http_listen_opt_t's
// "set" bit.
var socketOptions = []string{"backlog=", "rcvbuf=", "sndbuf=", "setfib=", "fastopen=", "accept_filter=",
	"deferred", "bind", "ipv6only=", "reuseport", "so_keepalive="}

func parseListen(d lint.Directive) (nginxListen, bool) {
	if d.NArgs() == 0 {
		return nginxListen{}, false
	}
	addr, ok := listenAddr(d.Arg(0))
	if !ok {
		return nginxListen{}, false
	}
	l := nginxListen{d: d, addr: addr}
	for _, a := range d.ArgValues()[1:] {
		if a == "default_server" || a == "default" {
			l.dflt = true
		}
		for _, o := range socketOptions {
			if a == o || strings.HasSuffix(o, "=") && strings.HasPrefix(a, o) {
				l.options, l.optionAt = true, a
			}
		}
	}
	return l, true
}

// listenAddr renders a listen address as nginx's addr_text; ok is false for
// a host name or a variable, which the rule does not resolve.
func listenAddr(a string) (string, bool) {
	if strings.HasPrefix(a, "unix:") {
		return a, true
	}
	host, port := a, "80"
	switch {
	case strings.HasPrefix(a, "["):
		i := strings.Index(a, "]")
		if i < 0 {
			return "", false
		}
		host = a[1:i]
		if rest := a[i+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", false
			}
			port = rest[1:]
		}
	case isNumeric(a):
		host, port = "0.0.0.0", a
	case strings.Contains(a, ":"):
		i := strings.LastIndexByte(a, ':')
		host, port = a[:i], a[i+1:]
	}
	if host == "*" {
		host = "0.0.0.0"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return "", false
	}
	if ip.Is6() && !ip.Is4In6() {
		return fmt.Sprintf("[%s]:%d", ip, n), true
	}
	return fmt.Sprintf("%s:%d", ip.Unmap(), n), true
}

func checkListenDuplicate(m *lint.Model, r *lint.Reporter) {
	defaults := map[string]nginxListen{}
	options := map[string]nginxListen{}
	for _, s := range nginxServers(m) {
		mine := map[string]nginxListen{}
		for _, d := range s.Children("listen") {
			l, ok := parseListen(d)
			if !ok {
				continue
			}
			// ngx_http_add_addresses: the same server twice, then the
			// options, then the default server.
			if first, dup := mine[l.addr]; dup {
				r.Report(listenFinding(l, first, "a duplicate listen "+l.addr,
					fmt.Sprintf("this server listens on %s twice", l.addr), "remove one of the two listen lines"))
				continue
			}
			mine[l.addr] = l
			if l.options {
				if first, dup := options[l.addr]; dup {
					r.Report(listenFinding(l, first, "duplicate listen options for "+l.addr,
						fmt.Sprintf("%s sets socket options for %s, which the listen line of another server sets already (%s)", l.optionAt, l.addr, first.optionAt),
						"set the socket options of an address on one listen line only"))
					continue
				}
				options[l.addr] = l
			}
			if l.dflt {
				if first, dup := defaults[l.addr]; dup {
					f := listenFinding(l, first, "a duplicate default server for "+l.addr,
						fmt.Sprintf("a second default server for %s", l.addr), "keep default_server on one server of the address")
					f.Fix.Replacement = withoutDefault(d).String()
					f.Fix.Span = d.Span()
					r.Report(f)
					continue
				}
				defaults[l.addr] = l
			}
		}
	}
}

func listenFinding(l, first nginxListen, emerg, what, fix string) lint.Finding {
	pos := l.d.Pos()
	return lint.Finding{
		Span:        l.d.Span(),
		Message:     fmt.Sprintf("%s: nginx -t fails with %q", what, emerg),
		Related:     []lint.Related{{Pos: first.d.Pos(), Message: strings.TrimSuffix(first.d.String(), ";")}},
		Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s in %s:%d; the reload is refused, a fresh start leaves every site down", emerg, pos.File, pos.Line),
		Fix:         &lint.Fix{Text: fix},
	}
}

// withoutDefault is the listen directive without default_server.
func withoutDefault(d lint.Directive) lint.Directive {
	var args []string
	for _, a := range d.ArgValues() {
		if a != "default_server" && a != "default" {
			args = append(args, a)
		}
	}
	return lint.NewDirective(d.Name(), args...)
}
