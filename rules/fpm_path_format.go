package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMPathFormat finds pool paths php-fpm refuses: status and ping URLs,
// ping.response, chdir and chroot.
var FPMPathFormat = &lint.Rule{
	ID:       "fpm-path-format",
	Title:    "pm.status_path, ping.path, ping.response, chdir or chroot php-fpm refuses",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `php-fpm checks some pool values after reading them and refuses to start when one is malformed:
pm.status_path and ping.path are URLs that must start with '/' ("the ping path 'ping' must start
with a '/'"), be at least 2 characters long and hold only letters, digits and / _ - . ~; a
ping.response set to an empty value (ping.response = or = null) is "not long enough".
chdir and chroot are directories: a relative one is taken from the pool's prefix, or php-fpm's
(/usr on Debian and RHEL, /usr/local in the Docker images), where it does not exist ("the chdir path
'/usr/www' does not exist or is not a directory"). '~' is no home directory in these files: the
INI reader takes it for the bitwise NOT operator, so chdir = ~/www becomes "-1".
Every site behind the php-fpm then answers 502.`,
	Bad:   `ping.path = ping`,
	Good:  `ping.path = /ping`,
	Fix:   "Write status and ping paths as URLs starting with '/', give ping.response a text, and write chdir and chroot as absolute paths.",
	Check: checkFPMPathFormat,
}

func checkFPMPathFormat(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		for _, u := range []struct{ key, name string }{{"pm.status_path", "status"}, {"ping.path", "ping"}} {
			v, e := poolString(p, u.key)
			if e == nil || v == "" {
				continue
			}
			if msg := urlPathError(u.name, v); msg != "" {
				f := lint.Finding{
					Span:        entrySpan(e),
					Message:     fmt.Sprintf("%s in %s: php-fpm fails with \"[pool %s] %s\"", entryText(e), poolLabel(p), p.Name, msg),
					Consequence: poolFailure(p, "ERROR", msg),
					Fix:         &lint.Fix{Text: "write the URL path nginx passes for it, starting with '/'"},
				}
				if !strings.HasPrefix(v, "/") && urlPathError(u.name, "/"+v) == "" {
					f.Fix.Replacement = u.key + " = /" + v
					f.Fix.Span = entrySpan(e)
				}
				r.Report(f)
			}
		}
		if ping, pe := poolString(p, "ping.path"); pe != nil && ping != "" {
			if v, e := poolString(p, "ping.response"); e != nil && v == "" {
				const msg = "the ping response page '' is not long enough"
				r.Report(lint.Finding{
					Span:        entrySpan(e),
					Message:     fmt.Sprintf("ping.response is empty in %s: php-fpm fails with \"[pool %s] %s\"", poolLabel(p), p.Name, msg),
					Related:     []lint.Related{entryRelated(pe, "the ping page is on: "+entryText(pe))},
					Consequence: poolFailure(p, "ERROR", msg),
					Fix:         &lint.Fix{Text: "give the text the ping page answers (the default is pong), or remove the line", Replacement: "ping.response = pong", Span: entrySpan(e)},
				})
			}
		}
		for _, key := range []string{"chroot", "chdir"} {
			v, e := poolString(p, key)
			if e == nil || v == "" || strings.HasPrefix(v, "/") {
				continue
			}
			if _, prefixed := poolString(p, "prefix"); prefixed != nil {
				continue // relative to the pool's own prefix: may well exist
			}
			if root, _ := poolString(p, "chroot"); key == "chdir" && root != "" {
				continue // inside the chroot
			}
			base := "/usr"
			if p.FPM != nil && p.FPM.Prefix != "" {
				base = p.FPM.Prefix
			}
			full := path.Join(base, v)
			msg := fmt.Sprintf("the %s path '%s' does not exist or is not a directory", key, full)
			why := fmt.Sprintf("a relative %s is taken from php-fpm's prefix %s", key, base)
			if strings.HasPrefix(e.Raw, "~") {
				why = fmt.Sprintf("'~' is no home directory in PHP-FPM files: the INI reader takes it for the bitwise NOT operator, so %s is %q, which php-fpm takes from its prefix %s", key, v, base)
			}
			r.Report(lint.Finding{
				Span:        entrySpan(e),
				Message:     fmt.Sprintf("%s in %s: %s, and php-fpm fails with \"[pool %s] %s\" unless that directory exists", entryText(e), poolLabel(p), why, p.Name, msg),
				Consequence: poolFailure(p, "ERROR", msg),
				Fix:         &lint.Fix{Text: "write the absolute path of the directory"},
			})
		}
	}
}

// urlPathError is php-fpm's check of pm.status_path and ping.path (name is
// "status" or "ping"); "" when it passes.
func urlPathError(name, v string) string {
	if !strings.HasPrefix(v, "/") {
		return fmt.Sprintf("the %s path '%s' must start with a '/'", name, v)
	}
	if len(v) < 2 {
		return fmt.Sprintf("the %s path '%s' is not long enough", name, v)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && strings.IndexByte("/-_.~", c) < 0 {
			return fmt.Sprintf("the %s path '%s' must contain only the following characters '[alphanum]/_-.~'", name, v)
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
