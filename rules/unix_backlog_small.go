package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// UnixBacklogSmall finds unix-socket pools whose listen queue is shorter
// than their worker count.
var UnixBacklogSmall = &lint.Rule{
	ID:       "unix-backlog-small",
	Title:    "unix socket listen.backlog below pm.max_children",
	Severity: lint.Note,
	Tags:     []string{"capacity", "fpm"},
	Doc: `Connections that arrive while every PHP-FPM child is busy wait in the socket's listen queue
(listen.backlog; php-fpm 8 defaults to -1, the kernel's limit net.core.somaxconn). On a unix socket a full queue does
not make nginx wait as TCP does: connect() fails at once with EAGAIN and nginx answers 502
"(11: Resource temporarily unavailable)". A backlog smaller than pm.max_children turns every
burst into 502s.`,
	Bad: `listen = /run/php/php8.2-fpm.sock
listen.backlog = 8
pm.max_children = 50`,
	Good: `listen = /run/php/php8.2-fpm.sock
listen.backlog = -1
pm.max_children = 50`,
	Fix:   "Remove listen.backlog to use the kernel's limit (net.core.somaxconn), or raise it above pm.max_children.",
	Check: checkUnixBacklogSmall,
}

func checkUnixBacklogSmall(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		if p.Listen.Kind != lint.ListenUnix {
			continue
		}
		bl, ok := p.Values["listen.backlog"]
		mc, ok2 := p.Values["pm.max_children"]
		if !ok || !ok2 {
			continue
		}
		backlog, err := strconv.Atoi(strings.TrimSpace(bl.Value))
		children, err2 := strconv.Atoi(strings.TrimSpace(mc.Value))
		if err != nil || err2 != nil || backlog < 0 || backlog >= children {
			continue
		}
		r.Report(lint.Finding{
			Span:        valueSpan(bl),
			Message:     fmt.Sprintf("listen.backlog = %d of %s is below pm.max_children = %d: a burst of connections while all children are busy fails at once with 502", backlog, poolLabel(p), children),
			Related:     []lint.Related{{Pos: mc.Pos, Message: fmt.Sprintf("pm.max_children = %d", children)}},
			Consequence: "502 Bad Gateway; error.log: connect() to unix:" + p.Listen.Path + " failed (11: Resource temporarily unavailable) while connecting to upstream",
			Fix:         &lint.Fix{Text: "remove the line to use the kernel's limit (net.core.somaxconn), or raise it above pm.max_children", Replacement: "listen.backlog = -1", Span: valueSpan(bl)},
		})
	}
}
