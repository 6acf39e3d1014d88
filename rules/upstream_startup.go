package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// UpstreamNoServers finds upstream blocks nginx has no server for.
var UpstreamNoServers = &lint.Rule{
	ID:       "upstream-no-servers",
	Title:    "upstream block without a server",
	Severity: lint.Error,
	Tags:     []string{"startup", "nginx", "upstream"},
	Doc: `nginx -t fails on an upstream block without a server line ("no servers are inside upstream"),
and on one whose servers are all backup ("no servers in upstream \"php\""): a backup only stands in
for the others. It fails even when no *_pass uses the upstream. The reload is refused; a fresh
start leaves every site down. Typically the server lines were commented out during maintenance, or
live in an include that matched nothing.`,
	Bad:   `upstream php { }`,
	Good:  `upstream php { server unix:/run/php/php8.2-fpm.sock; }`,
	Fix:   "Give the upstream at least one server that is not backup (mark a server down instead of removing it).",
	Check: checkUpstreamNoServers,
}

// UpstreamDuplicate finds two upstream blocks of one name.
var UpstreamDuplicate = &lint.Rule{
	ID:       "upstream-duplicate",
	Title:    "two upstream blocks with the same name",
	Severity: lint.Error,
	Tags:     []string{"startup", "nginx", "upstream"},
	Doc: `Upstream names are unique within http (and within stream), regardless of case: a second upstream
php { } makes nginx -t fail with "duplicate upstream \"php\"". The reload is refused; a fresh start
leaves every site down. Typically two site files each define the upstream their fastcgi_pass uses,
or conf.d/ and sites-enabled/ both include it.`,
	Bad: `upstream php { server unix:/run/php/php8.2-fpm.sock; }
upstream php { server 127.0.0.1:9000; }`,
	Good:  `upstream php { server unix:/run/php/php8.2-fpm.sock; }`,
	Fix:   "Define each upstream once (in conf.d/, included once) and give different backends different names.",
	Check: checkUpstreamDuplicate,
}

func checkUpstreamNoServers(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	for _, u := range m.Nginx.Upstreams {
		d := u.Directive
		var emerg, what string
		at := d.Pos()
		switch {
		case len(u.Servers) == 0:
			// nginx notices at the block's closing brace, and says so.
			emerg = "no servers are inside upstream"
			what = fmt.Sprintf("upstream %q has no server line", u.Name)
			if d.BlockEnd().IsValid() {
				at = d.BlockEnd()
			}
		case allBackup(u):
			emerg = fmt.Sprintf("no servers in upstream %q", u.Name)
			what = fmt.Sprintf("every server of upstream %q is backup, and a backup only stands in for other servers", u.Name)
		default:
			continue
		}
		r.Report(lint.Finding{
			Span:        d.Span(),
			Message:     fmt.Sprintf("%s: nginx -t fails with %q", what, emerg),
			Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s in %s:%d; the reload is refused, a fresh start leaves every site down", emerg, at.File, at.Line),
			Fix:         &lint.Fix{Text: "give the upstream a server that is not backup (mark it down rather than removing it)"},
		})
	}
}

func allBackup(u *lint.Upstream) bool {
	for _, s := range u.Servers {
		if !s.Backup {
			return false
		}
	}
	return true
}

func checkUpstreamDuplicate(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	seen := map[string]*lint.Upstream{}
	for _, u := range m.Nginx.Upstreams {
		key := u.Context + "\x00" + lint.LowerASCII(u.Name)
		first, dup := seen[key]
		if !dup {
			seen[key] = u
			continue
		}
		emerg := fmt.Sprintf("duplicate upstream %q", u.Name)
		d := u.Directive
		r.Report(lint.Finding{
			Span:        d.Span(),
			Message:     fmt.Sprintf("upstream %q is defined twice in %s: nginx -t fails with %q", u.Name, u.Context, emerg),
			Related:     []lint.Related{{Pos: first.Directive.Pos(), Message: fmt.Sprintf("upstream %q is first defined here", first.Name)}},
			Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s in %s:%d; the reload is refused, a fresh start leaves every site down", emerg, d.Pos().File, d.Pos().Line),
			Fix:         &lint.Fix{Text: "define the upstream once, or give the second one another name (and its *_pass too)"},
		})
	}
}
