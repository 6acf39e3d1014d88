package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// LiveSocketMissing finds backend unix sockets that do not exist on the host.
var LiveSocketMissing = &lint.Rule{
	ID:       "live-socket-missing",
	Title:    "the unix socket nginx connects to does not exist on this host (--live)",
	Severity: lint.Error,
	Tags:     []string{"live", "reachability"},
	Doc: `With --live, the linter looks at the socket path of every fastcgi_pass, proxy_pass, … and
upstream server on the host it runs on. A path that does not exist is what nginx logs as
"connect() to unix:… failed (2: No such file or directory)" and answers 502: php-fpm is not
running, runs another PHP version (its socket has another name), or listens elsewhere. The finding
lists the sockets that do exist in the same directory.`,
	Bad:   `fastcgi_pass unix:/run/php/php8.1-fpm.sock;  # ls /run/php: php8.2-fpm.sock`,
	Good:  `fastcgi_pass unix:/run/php/php8.2-fpm.sock;`,
	Fix:   "Start the php-fpm whose pool listens on that path, or point nginx at a socket that exists.",
	Check: checkLiveSocketMissing,
}

func checkLiveSocketMissing(m *lint.Model, r *lint.Reporter) {
	for b := range liveBackends(m) {
		s := liveSocket(m, b)
		if s == nil || s.Exists || s.StatError != "" {
			continue
		}
		msg := fmt.Sprintf("unix:%s does not exist on this host", s.Path)
		dir := path.Dir(s.Path)
		switch {
		case s.DirMissing != "":
			msg += fmt.Sprintf(" (no directory %s)", s.DirMissing)
		case len(s.Siblings) > 0:
			msg += fmt.Sprintf("; %s holds %s", dir, strings.Join(s.Siblings, ", "))
		default:
			msg += fmt.Sprintf("; %s holds no socket", dir)
		}
		f := liveFinding(b, msg)
		f.Consequence = "502 Bad Gateway; error.log: connect() to unix:" + b.target.Path + " failed (2: No such file or directory) while connecting to upstream"
		if p := liveRelatePool(m, &f, b, "should create it: is that php-fpm running?"); p != nil {
			f.Fix = &lint.Fix{Text: fmt.Sprintf("start php-fpm (systemctl start %s) and read its log if it does not stay up", liveFPMService(p.FPM))}
		} else if near := nearestSibling(path.Base(s.Path), s.Siblings); near != "" {
			want := "unix:" + path.Join(dir, near)
			f.Fix = &lint.Fix{Text: "point " + liveDirectiveName(b) + " at the socket that exists, if it is the right backend", Replacement: liveDirectiveName(b) + " " + liveReplaceAddress(b, want) + ";", Span: b.directive().Span()}
		} else {
			f.Fix = &lint.Fix{Text: "start the backend that should listen there, or point nginx at a socket that exists"}
		}
		r.Report(f)
	}
}

// liveDirectiveName is the name of the line that holds the address: server or
// fastcgi_pass, proxy_pass, ….
func liveDirectiveName(b backend) string { return b.directive().Name() }

// liveReplaceAddress is the directive's first argument with the address
// replaced (a proxy_pass keeps its scheme).
func liveReplaceAddress(b backend, addr string) string {
	raw := b.directive().Arg(0)
	if i := strings.Index(raw, "://"); i >= 0 && b.server == nil {
		return raw[:i+3] + addr + ":"
	}
	return addr
}

// nearestSibling returns the only sibling, or the one whose name is
// within 3 edits of name and nearer than every other (php8.2-fpm.sock for
// php8.1-fpm.sock); "" when none stands out.
func nearestSibling(name string, siblings []string) string {
	if len(siblings) == 1 {
		return siblings[0]
	}
	best, bestDist, tie := "", 4, false
	for _, s := range siblings {
		switch d := lint.EditDistanceWithin(name, s, bestDist); {
		case d < bestDist:
			best, bestDist, tie = s, d, false
		case d == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}
