package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

// FPMPoolIncomplete finds pools without what php-fpm needs to start them.
var FPMPoolIncomplete = &lint.Rule{
	ID:       "fpm-pool-incomplete",
	Title:    "PHP-FPM pool without listen, user, pm or pm.max_children",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `After reading its files php-fpm checks every pool and refuses to start when one lacks what it
needs: a listen address ("no listen address have been defined!"), a user when the master runs as
root, as systemd and the Docker images start it ("user has not been defined"), a process manager
("the process manager is missing (static, dynamic or ondemand)") and at least one child
("pm.max_children must be a positive value"). With no pool at all — typically an include= whose
directory holds no pool file — it fails with "No pool defined. at least one pool section must be
specified in config file". Every site behind it answers 502.

A pool's section may be spread over several files ([www] in www.conf and again in zz-docker.conf):
the rule judges the pool once every file is read. A pool file checked alone (without its
php-fpm.conf) is not judged for missing directives, since another file may set them.
php-fpm ${VAR:-default} fallbacks only exist from PHP 8.3: on 8.2 pm.max_children =
${CHILDREN:-5} reads as an empty value, 0.`,
	Bad: `[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
pm = dynamic`,
	Good: `[www]
user = www-data
listen = /run/php/php8.2-fpm.sock
pm = dynamic
pm.max_children = 5
pm.min_spare_servers = 1
pm.max_spare_servers = 3`,
	Fix:   "Give every pool listen, user, pm and pm.max_children (Debian's pool.d/www.conf is a complete example).",
	Check: checkFPMPoolIncomplete,
}

func checkFPMPoolIncomplete(m *lint.Model, r *lint.Reporter) {
	for _, f := range m.FPMs {
		if len(f.Pools) == 0 && !f.Standalone {
			r.Report(noPoolFinding(f))
			continue
		}
		for _, p := range f.Pools {
			checkPoolComplete(r, p)
		}
	}
}

// noPoolFinding reports a php-fpm without any pool, at the include= that
// found nothing when there is one.
func noPoolFinding(f *lint.FPM) lint.Finding {
	const msg = "No pool defined. at least one pool section must be specified in config file"
	fd := lint.Finding{
		Span:        lint.Span{Start: lint.Pos{File: f.File, Line: 1, Col: 1}},
		Message:     fmt.Sprintf("%s defines no pool, and includes no file that does: php-fpm fails with %q", path.Base(f.File), msg),
		Consequence: "php-fpm does not start (php-fpm -t fails): ERROR: " + msg,
		Fix:         &lint.Fix{Text: "add a pool file (such as pool.d/www.conf) where include= looks, or a [www] section"},
	}
	for _, inc := range f.Includes {
		if len(inc.Files) == 0 {
			fd.Span = lint.Span{Start: inc.Pos, End: inc.Pos}
			fd.Message = fmt.Sprintf("include=%s matches no file, and %s defines no pool itself: php-fpm fails with %q", inc.Pattern, path.Base(f.File), msg)
			break
		}
	}
	return fd
}

func checkPoolComplete(r *lint.Reporter, p *lint.Pool) {
	header := lint.Span{Start: p.Pos, End: p.Pos}
	missing := func(key, msg, fix string) {
		r.Report(lint.Finding{
			Span:        header,
			Message:     fmt.Sprintf("%s sets no %s: php-fpm fails with \"[pool %s] %s\"", poolLabel(p), key, p.Name, msg),
			Consequence: poolFailure(p, "ALERT", msg),
			Fix:         &lint.Fix{Text: fix},
		})
	}
	standalone := p.FPM != nil && p.FPM.Standalone
	// listen
	if v, e := poolString(p, "listen"); e != nil && v == "" {
		const msg = "no listen address have been defined!"
		r.Report(lint.Finding{
			Span:        entrySpan(e),
			Message:     fmt.Sprintf("listen is empty in %s: php-fpm fails with \"[pool %s] %s\"", poolLabel(p), p.Name, msg),
			Consequence: poolFailure(p, "ALERT", msg),
			Fix:         &lint.Fix{Text: "give the socket path or address nginx's fastcgi_pass connects to"},
		})
	} else if e == nil && !standalone {
		missing("listen", "no listen address have been defined!", "add listen = /run/php/php-fpm.sock (or the address nginx's fastcgi_pass uses) to the pool")
	}
	// user: required when the master runs as root
	if v, e := poolString(p, "user"); e == nil && !standalone {
		missing("user", "user has not been defined", "add user = www-data (an unprivileged account) to the pool; a master started as root needs it")
	} else if e != nil && v == "" {
		// An empty user passes the checks of php-fpm -t; the workers would
		// then keep the master's root, which the start refuses.
		const msg = "please specify user and group other than root"
		r.Report(lint.Finding{
			Span:        entrySpan(e),
			Message:     fmt.Sprintf("user is empty in %s: php-fpm -t passes, but the start (as root) fails with \"[pool %s] %s\"", poolLabel(p), p.Name, msg),
			Consequence: fmt.Sprintf("php-fpm does not start (php-fpm -t passes): ERROR: [pool %s] %s", p.Name, msg),
			Fix:         &lint.Fix{Text: "name the unprivileged account the workers run as, such as www-data"},
		})
	}
	// pm
	pm, pmEntry := poolString(p, "pm")
	if pmEntry == nil && !standalone {
		missing("pm", "the process manager is missing (static, dynamic or ondemand)", "add pm = dynamic (or static, or ondemand) to the pool")
	}
	if pmEntry != nil && fpmconf.ValueError(false, "pm", pm) != "" {
		return // fpm-invalid-value
	}
	// pm.max_children
	n, e, ok := poolInt(p, "pm.max_children", 0)
	switch {
	case !ok:
		// fpm-invalid-value
	case e == nil && !standalone:
		missing("pm.max_children", "pm.max_children must be a positive value", "add pm.max_children = 5 (the most PHP requests the pool serves at once) to the pool")
	case e != nil && n < 1:
		const msg = "pm.max_children must be a positive value"
		f := lint.Finding{
			Span:        entrySpan(e),
			Message:     fmt.Sprintf("%s in %s: php-fpm fails with \"[pool %s] %s\"", entryText(e), poolLabel(p), p.Name, msg),
			Consequence: poolFailure(p, "ALERT", msg),
			Fix:         &lint.Fix{Text: "set the most PHP requests the pool serves at once, 1 or more"},
		}
		if strings.Contains(e.Raw, "${") && strings.Contains(e.Raw, ":-") {
			f.Message += fmt.Sprintf(" (%s is empty: ${NAME:-default} fallbacks exist only from PHP 8.3)", e.Raw)
			f.Fix.Text = "set the environment variable, or write the number (${NAME:-default} needs PHP 8.3)"
		}
		if e.Value == "" && !strings.Contains(e.Raw, "${") {
			f.Message += " (an empty value reads as 0)"
		}
		r.Report(f)
	}
}
