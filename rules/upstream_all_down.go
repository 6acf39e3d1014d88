package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// UpstreamAllDown finds upstreams in use whose every server is marked down.
var UpstreamAllDown = &lint.Rule{
	ID:       "upstream-all-down",
	Title:    "every server of an upstream in use is marked down",
	Severity: lint.Error,
	Tags:     []string{"reachability", "upstream"},
	Doc: `A server marked down in an upstream block is never tried. When every server of an upstream
(backup servers included) is down, nginx has nowhere to send the request and answers 502 at once,
without connecting anywhere.`,
	Bad: `upstream php {
    server unix:/run/php/php8.2-fpm.sock down;
}`,
	Good: `upstream php {
    server unix:/run/php/php8.2-fpm.sock;
}`,
	Fix:   "Remove down from at least one server, or add a server that is up.",
	Check: checkUpstreamAllDown,
}

func checkUpstreamAllDown(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	used := map[*lint.Upstream]*lint.Hop{}
	for _, h := range m.Nginx.Hops {
		if u := h.Target.Upstream; h.Target.Kind == lint.TargetUpstream && used[u] == nil {
			used[u] = h
		}
	}
	for _, u := range m.Nginx.Upstreams {
		hop := used[u]
		if hop == nil || len(u.Servers) == 0 {
			continue
		}
		allDown := true
		for _, s := range u.Servers {
			allDown = allDown && s.Down
		}
		if !allDown {
			continue
		}
		r.Report(lint.Finding{
			Span:        u.Directive.Span(),
			Message:     fmt.Sprintf("every server of upstream %q is marked down: nginx has no server to pass requests to", u.Name),
			Related:     []lint.Related{{Pos: hop.Pos, Message: fmt.Sprintf("%s_pass uses upstream %q here", hop.Module, u.Name)}},
			Consequence: "502 Bad Gateway at once; error.log: no live upstreams while connecting to upstream",
			Fix:         &lint.Fix{Text: "remove down from the server that should take the traffic"},
		})
	}
}
