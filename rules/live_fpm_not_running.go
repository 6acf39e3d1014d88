package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// LiveFPMNotRunning finds fastcgi backends whose php-fpm is not running.
var LiveFPMNotRunning = &lint.Rule{
	ID:       "live-fpm-not-running",
	Title:    "no php-fpm master runs for the configuration nginx points at (--live)",
	Severity: lint.Error,
	Tags:     []string{"live", "fpm"},
	Doc: `With --live, the linter lists the php-fpm master processes of the host from /proc (their title
is "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)") and compares them with the
configuration linted. When nginx cannot reach a FastCGI backend and the php-fpm.conf whose pool
listens there has no master running — or no pool listens there and only another PHP version's
php-fpm runs (php8.1-fpm after an upgrade to 8.2) — every PHP request gets 502. A backend that
answers the test connect() is left alone: something serves it.`,
	Bad:   `fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # only php-fpm: master process (/etc/php/8.1/fpm/php-fpm.conf) runs`,
	Good:  `fastcgi_pass unix:/run/php/php8.2-fpm.sock;  # php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf) runs`,
	Fix:   "Start (and enable) the php-fpm service of the version nginx points at, or point nginx at the running one's socket.",
	Check: checkLiveFPMNotRunning,
}

func checkLiveFPMNotRunning(m *lint.Model, r *lint.Reporter) {
	if m.Live == nil || !m.Live.ProcScanned {
		return
	}
	for b := range liveBackends(m) {
		if b.hop.Module != "fastcgi" || !liveUnreachable(m, b) {
			continue
		}
		if b.target.Kind == lint.TargetTCP && !isLocal(b.target.Host) {
			continue
		}
		if p := matchPool(m, *b.target); p != nil && p.FPM != nil && !p.FPM.Standalone {
			if liveRunningFor(m, p.FPM) != nil {
				continue
			}
			f := liveFinding(b, fmt.Sprintf("no php-fpm master runs for %s, whose %s listens on %s%s",
				p.FPM.File, poolLabel(p), targetAddress(*b.target), liveRunningList(m.Live.FPMMasters)))
			f.Related = append(f.Related, lint.Related{Pos: p.Listen.Value.Pos, Message: fmt.Sprintf("%s listens here", poolLabel(p))})
			f.Consequence = "502 Bad Gateway for every PHP request of this location"
			f.Fix = &lint.Fix{Text: fmt.Sprintf("start it: systemctl start %s (and systemctl enable %s; journalctl -u %s says why it stopped)", liveFPMService(p.FPM), liveFPMService(p.FPM), liveFPMService(p.FPM))}
			r.Report(f)
			continue
		}
		masters := m.Live.FPMMasters
		want := ""
		if b.target.Kind == lint.TargetUnix {
			want = liveSocketVersion(b.target.Path)
		}
		switch {
		case len(masters) == 0:
			f := liveFinding(b, fmt.Sprintf("nginx passes PHP requests to %s, but no php-fpm master runs on this host", targetAddress(*b.target)))
			f.Consequence = "502 Bad Gateway for every PHP request of this location"
			f.Fix = &lint.Fix{Text: "start php-fpm (systemctl start php-fpm, or php8.x-fpm on Debian/Ubuntu); if it runs in another container, run --live there"}
			r.Report(f)
		case want != "" && !liveVersionRuns(masters, want):
			var others []string
			for _, fm := range masters {
				if fm.Version != "" {
					others = append(others, "php"+fm.Version+"-fpm")
				}
			}
			if len(others) == 0 {
				continue
			}
			f := liveFinding(b, fmt.Sprintf("%s is running, but nginx points at the %s socket %s, and no php-fpm %s runs%s",
				strings.Join(liveUnique(others), " and "), want, path.Base(b.target.Path), want, liveRunningList(masters)))
			f.Consequence = "502 Bad Gateway for every PHP request of this location"
			f.Fix = &lint.Fix{Text: fmt.Sprintf("start php%s-fpm, or point nginx at the socket of the PHP version that runs", want)}
			r.Report(f)
		}
	}
}

// liveUnreachable reports whether the test connect() to the backend did not
// succeed (or the socket is missing).
func liveUnreachable(m *lint.Model, b backend) bool {
	switch b.target.Kind {
	case lint.TargetUnix:
		s := liveSocket(m, b)
		return s != nil && !s.Connect.OK && s.StatError == ""
	case lint.TargetTCP:
		t := m.Live.TCPAddr(b.target.Host, b.target.Port)
		return t != nil && t.Connect.Tried && !t.Connect.OK
	}
	return false
}

// liveRunningFor returns the master running with f's php-fpm.conf (compared as
// cleaned paths, and through the file's real path), or nil.
func liveRunningFor(m *lint.Model, f *lint.FPM) *lint.FPMMaster {
	names := map[string]bool{path.Clean(f.File): true}
	if s := m.Source(f.File); s != nil && s.RealPath != "" {
		names[path.Clean(s.RealPath)] = true
	}
	for _, fm := range m.Live.FPMMasters {
		if fm.Config != "" && names[path.Clean(fm.Config)] {
			return fm
		}
	}
	return nil
}

func liveVersionRuns(masters []*lint.FPMMaster, v string) bool {
	for _, fm := range masters {
		if fm.Version == v {
			return true
		}
	}
	return false
}

// liveRunningList says which masters run: "; running: php-fpm 8.1 (pid 812,
// /etc/php/8.1/fpm/php-fpm.conf)", or "; no php-fpm master runs".
func liveRunningList(masters []*lint.FPMMaster) string {
	if len(masters) == 0 {
		return "; no php-fpm master runs on this host"
	}
	var parts []string
	for _, fm := range masters {
		name := "php-fpm"
		if fm.Version != "" {
			name += " " + fm.Version
		}
		cfg := fm.Config
		if cfg == "" {
			cfg = "configuration unknown"
		}
		parts = append(parts, fmt.Sprintf("%s (pid %d, %s)", name, fm.PID, cfg))
	}
	return "; running: " + strings.Join(parts, ", ")
}

func liveUnique(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
