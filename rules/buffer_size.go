package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// BufferTooSmall finds *_buffer_size set explicitly below the floor.
var BufferTooSmall = &lint.Rule{
	ID:       "buffer-too-small",
	Title:    "response header buffer set below 8k (option min_buffer_size)",
	Severity: lint.Warning,
	Tags:     []string{"buffers"},
	Doc: `Everything the backend sends before the end of its response headers must fit in
fastcgi_buffer_size (proxy_buffer_size, uwsgi_buffer_size, scgi_buffer_size): the status line,
every header and cookie, and for FastCGI the record headers and anything PHP writes to stderr
(warnings, notices) before the headers are complete. When it does not fit, nginx drops the
response and answers 502. A few dozen cookies, a large Content-Security-Policy or a long
Link header are enough to pass 4k. Raising *_buffers does not help: only *_buffer_size counts.`,
	Bad: `fastcgi_buffer_size 4k;`,
	Good: `fastcgi_buffer_size 16k;
fastcgi_buffers 16 16k;`,
	Fix: "Raise *_buffer_size to 16k (with *_buffers large enough that nginx still starts: see buffer-startup-relation).",
	Options: []lint.RuleOption{{
		Name: "min_buffer_size", Default: "8k", Form: "a size, such as 8k or 16k",
		// 8k holds the response headers of nearly every application.
		Doc:   "the size below which an explicit *_buffer_size is flagged",
		Valid: func(v string) bool { n, ok := lint.ParseSize(v); return ok && n > 0 },
	}},
	Check: checkBufferTooSmall,
}

func checkBufferTooSmall(m *lint.Model, r *lint.Reporter) {
	floor, _ := lint.ParseSize(r.Option("min_buffer_size"))
	for _, block := range httpBlocks(m) {
		for d := range block.Block() {
			name := d.Name()
			if !strings.HasSuffix(name, "_buffer_size") {
				continue
			}
			module, ok := bufferDirective[name]
			if !ok {
				continue
			}
			n, ok := lint.ParseSize(d.Arg(0))
			if !ok || n >= floor {
				continue
			}
			s, ok := effectiveBuffers(block, module)
			fix := &lint.Fix{Text: fmt.Sprintf("raise %s to 16k", name), Replacement: name + " 16k;", Span: d.Span()}
			if ok {
				raised := *s
				raised.bufferSize = 16 << 10
				if lines := raised.repaired(); len(lines) > 0 {
					fix.Text += " and write " + lines[0] + " so that nginx still starts"
					fix.Replacement += "\n" + lines[0]
				}
			}
			r.Report(lint.Finding{
				Span: d.Span(),
				Message: fmt.Sprintf("%s %s leaves room for only %s of response headers: a response with larger headers (cookies, CSP, PHP warnings) fails with 502",
					name, d.Arg(0), formatSize(n)),
				Consequence: "502 Bad Gateway; error.log: upstream sent too big header while reading response header from upstream",
				Fix:         fix,
			})
		}
	}
}

// BufferSizeDefault notes, once per tree, locations relying on the 4k default.
var BufferSizeDefault = &lint.Rule{
	ID:       "buffer-size-default",
	Title:    "response header buffer left at the 4k default",
	Severity: lint.Note,
	Tags:     []string{"buffers"},
	Doc: `fastcgi_buffer_size and proxy_buffer_size default to one memory page (4k). Many applications
never send that much header data; those that do (many cookies, large security headers, PHP warnings
on stderr) get 502 "upstream sent too big header" as soon as they pass it. This note appears once
per configuration, at the first location relying on the default, with the count of the others.`,
	Bad: `location ~ \.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }`,
	Good: `fastcgi_buffer_size 16k;
fastcgi_buffers 16 16k;`,
	Fix:   "Set fastcgi_buffer_size (and proxy_buffer_size) once in the http block, with buffers that keep nginx -t happy.",
	Check: checkBufferSizeDefault,
}

func checkBufferSizeDefault(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	var first *lint.Hop
	count := 0
	seen := make(map[lint.StatementID]bool, len(m.Nginx.Hops)) // a line included at several places counts once
	for _, h := range m.Nginx.Hops {
		if (h.Module != "fastcgi" && h.Module != "proxy") || h.Context != "http" || seen[h.Directive.Statement()] {
			continue
		}
		seen[h.Directive.Statement()] = true
		if !inForce(h.Block, bufferNames[h.Module][0]).IsZero() {
			continue
		}
		if first == nil {
			first = h
		}
		count++
	}
	if first == nil {
		return
	}
	others := ""
	switch {
	case count == 2:
		others = " (and 1 other place)"
	case count > 2:
		others = fmt.Sprintf(" (and %d other places)", count-1)
	}
	name := first.Module + "_buffer_size"
	r.Report(lint.Finding{
		Span: first.Directive.Span(),
		Message: fmt.Sprintf("%s relies on the default %s of 4k%s: responses with more than about 4 KB of headers will fail with 502",
			first.Directive.Name(), name, others),
		Consequence: "502 Bad Gateway once headers pass 4k; error.log: upstream sent too big header while reading response header from upstream",
		Fix:         &lint.Fix{Text: "set fastcgi_buffer_size 16k; fastcgi_buffers 16 16k; (and proxy_buffer_size 16k; proxy_buffers 8 16k;) once in the http block"},
	})
}
