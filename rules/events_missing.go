package rules

import (
	"path/filepath"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// EventsMissing finds a main configuration without an events block.
var EventsMissing = &lint.Rule{
	ID:       "events-missing",
	Title:    "nginx.conf has no events block",
	Severity: lint.Error,
	Tags:     []string{"startup", "nginx"},
	Doc: `nginx requires an events { } block in the main context, even an empty one: without it nginx -t
fails with "no "events" section in configuration", so the reload is refused and a fresh start leaves
every site down. It happens with a hand-written or generated nginx.conf, or when a deploy truncates
the file. A file given alone that has no http, stream or mail block either is taken for a fragment
(a site file) and not judged, unless it is named nginx.conf and has no http-level directive (server,
upstream, map…) at its top level.`,
	Bad: `http {
    include /etc/nginx/sites-enabled/*;
}`,
	Good: `events {
    worker_connections 768;
}
http {
    include /etc/nginx/sites-enabled/*;
}`,
	Fix:   "Add an events block to the main context of nginx.conf (events { worker_connections 768; } is Debian's).",
	Check: checkEventsMissing,
}

// httpLevel are directives that only live inside http: a file that has
// them at its top level is meant to be included there.
var httpLevel = map[string]bool{
	"server": true, "upstream": true, "map": true, "location": true, "geo": true,
	"split_clients": true, "proxy_cache_path": true, "fastcgi_cache_path": true,
	"limit_req_zone": true, "limit_conn_zone": true, "log_format": true, "types": true,
}

func isHTTPFragment(root lint.Directive) bool {
	for d := range root.Block() {
		if httpLevel[d.Name()] {
			return true
		}
	}
	return false
}

func checkEventsMissing(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil || m.Nginx.Root.IsZero() {
		return
	}
	root := m.Nginx.Root
	if len(root.Children("events")) > 0 {
		return
	}
	mainContext := len(root.Children("http")) > 0 || len(root.Children("stream")) > 0 || len(root.Children("mail")) > 0
	if !mainContext && (filepath.Base(m.Nginx.File) != "nginx.conf" || isHTTPFragment(root)) {
		return // a fragment given alone (a site file, an http-level snippet)
	}
	at := lint.Pos{File: m.Nginx.File, Line: 1, Col: 1}
	r.Report(lint.Finding{
		Span:        lint.Span{Start: at, End: at},
		Message:     `nginx.conf has no events block: nginx -t fails with: no "events" section in configuration`,
		Consequence: `nginx -t fails: [emerg] no "events" section in configuration; the reload is refused, a fresh start leaves every site down`,
		Fix:         &lint.Fix{Text: "add to the main context: events { worker_connections 768; }"},
	})
}
