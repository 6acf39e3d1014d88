package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// KeepaliveExhaustsPool finds upstream keepalive pinning every PHP-FPM child.
var KeepaliveExhaustsPool = &lint.Rule{
	ID:       "keepalive-exhausts-pool",
	Title:    "kept-alive FastCGI connections can hold every PHP-FPM child",
	Severity: lint.Warning,
	Tags:     []string{"capacity", "fastcgi", "cross-file"},
	Doc: `With keepalive N in an upstream block and fastcgi_keep_conn on, each nginx worker keeps up
to N idle connections open to PHP-FPM, and PHP-FPM serves a connection with one child for as long
as it stays open. When the kept-alive connections can reach pm.max_children, idle connections hold
every child, new connections wait in the listen queue, and requests end in 504 (or 502 once the
queue is full).`,
	Bad: `upstream php { server unix:/run/php/php8.2-fpm.sock; keepalive 16; }
fastcgi_keep_conn on;
; pool
pm.max_children = 10`,
	Good: `worker_processes 2;
upstream php { server unix:/run/php/php8.2-fpm.sock; keepalive 2; }
fastcgi_keep_conn on;
; pool
pm.max_children = 10`,
	Fix:   "Keep keepalive × worker_processes well below pm.max_children, or drop fastcgi_keep_conn. (With worker_processes auto the linter counts one worker: the real number is the host's cores.)",
	Check: checkKeepaliveExhaustsPool,
}

func checkKeepaliveExhaustsPool(m *lint.Model, r *lint.Reporter) {
	for b := range fastcgiBackends(m) {
		if b.server == nil || b.hop.Target.Upstream == nil {
			continue
		}
		keep := b.hop.Target.Upstream.Directive.Child("keepalive")
		if keep.IsZero() {
			continue
		}
		n, err := strconv.Atoi(keep.Arg(0))
		if err != nil || n <= 0 {
			continue
		}
		kc := lint.Effective(b.hop.Block, "fastcgi_keep_conn").Last()
		if kc.IsZero() || kc.Arg(0) != "on" {
			continue
		}
		p := matchPool(m, *b.target)
		if p == nil {
			continue
		}
		mc, ok := p.Values["pm.max_children"]
		if !ok {
			continue
		}
		children, err := strconv.Atoi(strings.TrimSpace(mc.Value))
		if err != nil || children <= 0 {
			continue
		}
		workers := workerProcesses(m)
		if int64(n)*int64(workers) < int64(children) {
			continue
		}
		perWorkers := fmt.Sprintf("keepalive %d", n)
		if workers > 1 {
			perWorkers = fmt.Sprintf("keepalive %d × %d worker processes", n, workers)
		}
		r.Report(lint.Finding{
			Span: keep.Span(),
			Message: fmt.Sprintf("%s with fastcgi_keep_conn on can hold all pm.max_children = %d of %s with idle connections: new requests wait for a free child",
				perWorkers, children, poolLabel(p)),
			Related: []lint.Related{
				{Pos: kc.Pos(), Message: "fastcgi_keep_conn on keeps each connection, and its PHP-FPM child, after the response"},
				{Pos: mc.Pos, Message: fmt.Sprintf("%s has %d children", poolLabel(p), children)},
			},
			Consequence: "504 Gateway Timeout under load; error.log: upstream timed out (110: Connection timed out) while connecting to upstream",
			Fix:         &lint.Fix{Text: fmt.Sprintf("lower keepalive well below %d / worker_processes, or raise pm.max_children", children)},
		})
	}
}

// workerProcesses is nginx's worker count when the configuration fixes it,
// 1 for auto or unset (the least the keepalive pool can be multiplied by).
func workerProcesses(m *lint.Model) int {
	d := m.Nginx.Root.Child("worker_processes")
	if d.IsZero() {
		return 1
	}
	n, err := strconv.Atoi(d.Arg(0))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// ProxyKeepaliveUnused finds upstream keepalive that proxy_pass never uses.
var ProxyKeepaliveUnused = &lint.Rule{
	ID:       "proxy-keepalive-unused",
	Title:    "upstream keepalive without HTTP/1.1 and an empty Connection header",
	Severity: lint.Note,
	Tags:     []string{"performance", "proxy"},
	Doc: `keepalive in an upstream block only works for proxy_pass when the location also sets
proxy_http_version 1.1 and proxy_set_header Connection "": nginx speaks HTTP/1.0 with
"Connection: close" to backends by default, so every request opens a new connection. Nothing fails;
the keepalive line just has no effect.`,
	Bad: `upstream app { server 127.0.0.1:8080; keepalive 16; }
location / { proxy_pass http://app; }`,
	Good: `upstream app { server 127.0.0.1:8080; keepalive 16; }
location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }`,
	Fix:   `Add proxy_http_version 1.1; and proxy_set_header Connection ""; where the upstream is used.`,
	Check: checkProxyKeepaliveUnused,
}

func checkProxyKeepaliveUnused(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	for _, h := range m.Nginx.Hops {
		if h.Module != "proxy" || h.Context != "http" || h.Target.Kind != lint.TargetUpstream {
			continue
		}
		keep := h.Target.Upstream.Directive.Child("keepalive")
		if keep.IsZero() {
			continue
		}
		var missing []string
		if v := lint.Effective(h.Block, "proxy_http_version").Last(); v.IsZero() || v.Arg(0) != "1.1" {
			missing = append(missing, "proxy_http_version 1.1")
		}
		if !clearsConnection(h.Block) {
			missing = append(missing, `proxy_set_header Connection ""`)
		}
		if len(missing) == 0 {
			continue
		}
		r.Report(lint.Finding{
			Span:    h.Directive.Span(),
			Message: fmt.Sprintf("upstream %q has keepalive, but this proxy_pass lacks %s: every request opens a new connection", h.Target.Upstream.Name, strings.Join(missing, " and ")),
			Related: []lint.Related{{Pos: keep.Pos(), Message: "keepalive is set here"}},
			Fix:     &lint.Fix{Text: "add next to it: " + strings.Join(missing, "; ") + ";"},
		})
	}
}

// clearsConnection reports whether the proxy_set_header list in force at
// block sets Connection to "" (or to a variable such as
// $connection_upgrade, which the map makes empty or "upgrade").
func clearsConnection(block lint.Directive) bool {
	for d := range lint.Effective(block, "proxy_set_header").All() {
		if strings.EqualFold(d.Arg(0), "Connection") {
			v := d.Arg(1)
			return v == "" || strings.HasPrefix(v, "$") || strings.EqualFold(v, "keep-alive")
		}
	}
	return false
}
