package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// PassInvalidAddress finds backend addresses nginx refuses to load, and unix
// socket paths that are relative.
var PassInvalidAddress = &lint.Rule{
	ID:       "pass-invalid-address",
	Title:    "backend address that nginx refuses or cannot connect to",
	Severity: lint.Error,
	Tags:     []string{"reachability", "startup"},
	Doc: `A fastcgi_pass without the unix: prefix (fastcgi_pass /run/php/php8.2-fpm.sock), with a URL
scheme (fastcgi_pass http://127.0.0.1:9000), a proxy_pass without http:// or https://, or a host
name without a port that names no upstream block: nginx -t fails ("invalid host in upstream",
"no port in upstream"), so the reload is refused and a fresh start leaves every site down.

A unix: path that is not absolute (fastcgi_pass unix:127.0.0.1:9000, a TCP address written after
unix:) loads, but nginx connects to a socket file relative to its working directory that never
exists: every request fails with 502.`,
	Bad:   `fastcgi_pass /run/php/php8.2-fpm.sock;`,
	Good:  `fastcgi_pass unix:/run/php/php8.2-fpm.sock;`,
	Fix:   "Write unix sockets as unix:/absolute/path and TCP backends as host:port (proxy_pass with http:// or https://).",
	Check: checkPassInvalidAddress,
}

func checkPassInvalidAddress(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	for _, h := range m.Nginx.Hops {
		d := h.Directive
		switch {
		case h.Target.Kind == lint.TargetInvalid:
			f := lint.Finding{
				Span:        d.Span(),
				Message:     fmt.Sprintf("nginx will refuse to start: %s%s", h.Target.Problem, invalidHint(h)),
				Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s; the reload is refused (a fresh start leaves every site down)", h.Target.Problem),
			}
			if fix := invalidFix(h); fix != "" {
				f.Fix = &lint.Fix{Text: "write the address as " + fix, Replacement: d.Name() + " " + fix + ";", Span: d.Span()}
			} else {
				f.Fix = &lint.Fix{Text: "write a unix:/absolute/path, a host:port, or the name of an upstream block"}
			}
			r.Report(f)
		case isRelativeSocket(h.Target):
			f := lint.Finding{
				Span:        d.Span(),
				Message:     fmt.Sprintf("%s unix:%s is a relative socket path: nginx looks for a file named %q in its working directory, and every request fails with 502", d.Name(), h.Target.Path, h.Target.Path),
				Consequence: fmt.Sprintf("502 Bad Gateway; error.log: connect() to unix:%s failed (2: No such file or directory) while connecting to upstream", h.Target.Path),
			}
			if looksLikeHostPort(h.Target.Path) {
				f.Fix = &lint.Fix{Text: "drop unix: to connect over TCP", Replacement: fmt.Sprintf("%s %s;", d.Name(), h.Target.Path), Span: d.Span()}
			} else {
				f.Fix = &lint.Fix{Text: "give the socket's absolute path, as in the pool's listen line"}
			}
			r.Report(f)
		}
	}
}

// invalidHint says what is wrong in terms of the directive.
func invalidHint(h *lint.Hop) string {
	raw := h.Target.Raw
	switch {
	case h.Module == "fastcgi" && strings.HasPrefix(raw, "/"):
		return " (a unix socket needs the unix: prefix)"
	case h.Module == "fastcgi" && strings.Contains(raw, "://"):
		return " (fastcgi_pass takes an address, not a URL)"
	case h.Module == "proxy" && !strings.Contains(raw, "://"):
		return " (proxy_pass needs http:// or https://)"
	}
	return ""
}

// invalidFix proposes the address the user most likely meant.
func invalidFix(h *lint.Hop) string {
	raw := h.Target.Raw
	switch {
	case h.Module == "fastcgi" && strings.HasPrefix(raw, "/"):
		return "unix:" + raw
	case h.Module == "fastcgi" && (strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://")):
		rest := raw[strings.Index(raw, "://")+3:]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		return rest
	case h.Module == "proxy" && h.Context == "http" && !strings.Contains(raw, "://"):
		return "http://" + raw
	}
	return ""
}

func looksLikeHostPort(s string) bool {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return !strings.Contains(s[:i], "/")
}
