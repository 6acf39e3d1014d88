package e2e

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/evidence.md and testdata/logs/e2e-error.log from this run (with NGINX502_E2E=1)")

const envSwitch = "NGINX502_E2E"

// e2eEnv is what the real-program part needs from the machine.
type e2eEnv struct {
	nginx, fpm               string // binaries
	nginxVersion, fpmVersion string
	base                     string // holds one prefix per case
	acl                      bool   // base's filesystem has POSIX ACLs
	aclTried                 []string
}

// caseResult is what a case showed, for the evidence table.
type caseResult struct {
	c      *stackCase
	prefix string

	realRan, realOK bool
	nginxT          string // the error line of `nginx -t`, when it failed
	fpmT            string // the error line of `php-fpm -t`, when it failed
	statuses        []int
	logLine         string   // the nginx error-log line the first `log:` matched (normalized)
	logAlts         []string // the other alternatives of that `log:`
	fpmLogLine      string   // the php-fpm log line the first `fpm_log:` matched (normalized)
	nginxLines      []string // the nginx error log (upstream errors, -t errors), paths unmapped
	fpmLines        []string // the php-fpm log's warnings and errors, paths unmapped

	lintRan, lintOK bool
	findings        []string // the expected findings seen (broken), the unexpected ones (fixed)
	lintNote        string   // why the verdict could not be had: "load error", "rule not in rules.All() yet"
}

// TestE2E runs every stack on real nginx and php-fpm (subtest …/real) and
// the linter on the same stack (…/lint), then checks docs/evidence.md.
func TestE2E(t *testing.T) {
	if os.Getenv(envSwitch) != "1" {
		t.Skipf("end-to-end suite not run: set %s=1 to start real nginx and php-fpm8.2 (as root) on testdata/stacks", envSwitch)
	}
	env := setupEnv(t)
	cases := loadStacks(t)
	var results []*caseResult
	byRule := map[string][]*stackCase{}
	var ruleOrder []string
	for _, c := range cases {
		if byRule[c.Rule] == nil {
			ruleOrder = append(ruleOrder, c.Rule)
		}
		byRule[c.Rule] = append(byRule[c.Rule], c)
	}
	n := 0
	for _, rule := range ruleOrder {
		t.Run(rule, func(t *testing.T) {
			for _, c := range byRule[rule] {
				n++
				r := &caseResult{c: c, prefix: filepath.Join(env.base, fmt.Sprintf("%02d", n))}
				results = append(results, r)
				t.Run(c.Name, func(t *testing.T) {
					t.Run("real", func(t *testing.T) {
						r.realRan = true
						defer func() { r.realOK = !t.Failed() }()
						runReal(t, env, r)
					})
					t.Run("lint", func(t *testing.T) {
						r.lintRan = true
						defer func() { r.lintOK = !t.Failed() }()
						runLint(t, c, r)
					})
				})
			}
		})
	}
	t.Run("evidence", func(t *testing.T) { checkEvidence(t, env, results) })
}

func setupEnv(t *testing.T) *e2eEnv {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("%s=1 needs root: nginx and php-fpm switch their workers to www-data/nobody", envSwitch)
	}
	env := &e2eEnv{}
	var err error
	if env.nginx, err = findBinary("nginx"); err != nil {
		t.Fatalf("%s=1 but %v (apt-get install nginx)", envSwitch, err)
	}
	if env.fpm, err = findBinary("php-fpm8.2"); err != nil {
		t.Fatalf("%s=1 but %v (apt-get install php8.2-fpm)", envSwitch, err)
	}
	out, _ := runCheck(t, "/", hostEnv(), env.nginx, "-v")
	env.nginxVersion = strings.TrimSpace(strings.TrimPrefix(firstLine(out), "nginx version: "))
	out, _ = runCheck(t, "/", hostEnv(), env.fpm, "-v")
	env.fpmVersion = firstLine(out)
	if i := strings.Index(env.fpmVersion, " (built"); i > 0 {
		env.fpmVersion = env.fpmVersion[:i]
	}
	env.base, env.acl, env.aclTried = makeBase(t)
	t.Logf("nginx %s, %s; prefixes under %s (ACLs: %v)", env.nginxVersion, env.fpmVersion, env.base, env.acl)
	return env
}

// makeBase makes the directory that holds the cases' prefixes: in
// $NGINX502_E2E_DIR, else the temp dir; when that filesystem has no POSIX
// ACLs (the acl-missing case needs them), in /var/tmp or /dev/shm if one of
// them has. The directory is 0755 so that the workers reach their sockets.
// NGINX502_E2E_KEEP=1 keeps it for a post-mortem.
func makeBase(t *testing.T) (string, bool, []string) {
	t.Helper()
	var candidates []string
	if d := os.Getenv("NGINX502_E2E_DIR"); d != "" {
		candidates = append(candidates, d)
	}
	candidates = append(candidates, os.TempDir(), "/var/tmp", "/dev/shm")
	var first string
	for _, c := range candidates {
		dir, err := os.MkdirTemp(c, "n502-")
		if err != nil {
			continue
		}
		if len(dir) > maxBaseLen {
			// unix socket paths are at most 107 bytes: keep room for
			// /NN/run/php/php8.2-fpm-www2.sock
			os.RemoveAll(dir)
			continue
		}
		if aclSupported(dir) {
			if first != "" {
				os.RemoveAll(first)
			}
			return keepOrClean(t, dir), true, candidates
		}
		if first == "" {
			first = dir
		} else {
			os.RemoveAll(dir)
		}
	}
	if first == "" {
		t.Fatalf("cannot make a directory in any of %v", candidates)
	}
	return keepOrClean(t, first), false, candidates
}

// maxBaseLen bounds the base directory's path so that the sockets in it stay
// within the 107 bytes of a unix socket path.
const maxBaseLen = 64

func keepOrClean(t *testing.T, dir string) string {
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("NGINX502_E2E_KEEP") == "1" {
		t.Logf("keeping %s (NGINX502_E2E_KEEP=1)", dir)
	} else {
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	return dir
}

// hostEnv is the environment of the servers: nothing of the test's own.
func hostEnv(extra ...string) []string {
	return append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}, extra...)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

var fpmErrorLogRe = regexp.MustCompile(`(?m)^error_log\s*=\s*(\S+)`)

// runReal moves the stack into its prefix, tests both configurations, and
// unless one must fail there starts php-fpm and nginx, sends the request and
// checks the status and the logs.
func runReal(t *testing.T, env *e2eEnv, r *caseResult) {
	c, prefix := r.c, r.prefix
	exp := c.Exp
	if exp.needs("acl") && !env.acl {
		t.Fatalf("this case needs POSIX ACLs, and none of %v has them (install the acl package, or set NGINX502_E2E_DIR to a directory on a filesystem with ACLs)", env.aclTried)
	}
	if err := installStack(c, prefix); err != nil {
		t.Fatalf("installing %s into %s: %v", c.Dir, prefix, err)
	}
	ensureAccounts(t, c)
	for _, p := range c.Ports {
		if err := portFree(p); err != nil {
			t.Fatalf("port %d is in use before the case starts (a leftover process?): %v", p, err)
		}
	}

	// php-fpm: its own php.ini when the stack has one, none otherwise (the
	// host's /etc/php/8.2/fpm/php.ini must not leak in).
	fpmConf := filepath.Join(prefix, "etc/php/8.2/fpm/php-fpm.conf")
	fpmArgs := []string{"-y", fpmConf, "-p", prefix, "-R"}
	if ini := filepath.Join(prefix, "etc/php/8.2/fpm/php.ini"); exists(ini) {
		fpmArgs = append(fpmArgs, "-c", ini)
	} else {
		fpmArgs = append(fpmArgs, "-n")
	}
	fpmEnv := hostEnv("PHP_INI_SCAN_DIR=" + filepath.Join(prefix, "etc/php/8.2/fpm/conf.d"))
	fpmLog := ""
	if data, err := os.ReadFile(fpmConf); err == nil {
		if m := fpmErrorLogRe.FindSubmatch(data); m != nil {
			fpmLog = string(m[1])
		}
	}
	if fpmLog == "" || !strings.HasPrefix(fpmLog, prefix) {
		t.Fatalf("%s: no error_log under the prefix", fpmConf)
	}
	nginxLog := filepath.Join(prefix, "var/log/nginx/error.log")
	nginxArgs := []string{"-p", prefix + "/", "-c", filepath.Join(prefix, "etc/nginx/nginx.conf"), "-e", nginxLog}

	out, ok := runCheck(t, prefix, fpmEnv, env.fpm, append(fpmArgs, "-t")...)
	if want := exp.FPMTError; want != "" {
		line := lineWith(out, mapPaths(want, prefix))
		switch {
		case ok:
			t.Errorf("php-fpm8.2 -t succeeded; want it to fail with %q. Output:\n%s", want, out)
		case line == "":
			t.Errorf("php-fpm8.2 -t failed without %q. Output:\n%s", want, unmapPaths(out, prefix))
		}
		r.fpmT = normFPMLine(unmapPaths(line, prefix))
	} else if !ok {
		t.Errorf("php-fpm8.2 -t failed:\n%s", unmapPaths(out, prefix))
	}

	out, ok = runCheck(t, prefix, hostEnv(), env.nginx, append(nginxArgs, "-t")...)
	if want := exp.NginxTError; want != "" {
		line := lineWith(out, mapPaths(want, prefix))
		switch {
		case ok:
			t.Errorf("nginx -t succeeded; want it to fail with %q. Output:\n%s", want, out)
		case line == "":
			t.Errorf("nginx -t failed without %q. Output:\n%s", want, unmapPaths(out, prefix))
		}
		r.nginxT = unmapPaths(line, prefix)
	} else if !ok {
		t.Errorf("nginx -t failed:\n%s", unmapPaths(out, prefix))
	}
	if t.Failed() {
		return
	}
	if exp.configFails() {
		r.nginxLines = logLines(nginxLog, prefix, "")
		r.fpmLines = logLines(fpmLog, prefix, "WARNING|ERROR")
		return
	}

	fpm := startProc(t, "php-fpm8.2", prefix, fpmEnv, env.fpm, append(fpmArgs, "-F")...)
	waitFor(t, fpm, "ready to handle connections", func() bool {
		return fileContains(fpmLog, "ready to handle connections")
	})
	nginx := startProc(t, "nginx", prefix, hostEnv(), env.nginx, append(nginxArgs, "-g", "daemon off;")...)
	waitFor(t, nginx, fmt.Sprintf("listening on 127.0.0.1:%d", c.FrontPort), func() bool {
		return canDial(c.FrontPort)
	})

	url := fmt.Sprintf("http://127.0.0.1:%d%s", c.FrontPort, exp.Request)
	var resps []response
	if exp.Concurrency > 0 {
		resps = getConcurrent(url, exp.Concurrency)
	} else {
		resps = getParallel(url, max(exp.Parallel, 1))
	}
	nginx.stop(t)
	fpm.stop(t)

	logData, _ := os.ReadFile(nginxLog)
	fpmData, _ := os.ReadFile(fpmLog)
	nginxText, fpmText := unmapPaths(string(logData), prefix), unmapPaths(string(fpmData), prefix)
	r.nginxLines = logLines(nginxLog, prefix, "")
	r.fpmLines = logLines(fpmLog, prefix, "WARNING|ERROR")

	for i, resp := range resps {
		r.statuses = append(r.statuses, resp.Status)
		want := 200
		if i == len(resps)-1 {
			want = exp.Status
		}
		switch {
		case resp.Err != nil:
			t.Errorf("GET %s (#%d): %v", exp.Request, i+1, resp.Err)
		case exp.Concurrency > 0 && resp.Status != exp.Status && resp.Status != 200:
			t.Errorf("GET %s (#%d of %d at once): status %d, want %d or 200; body: %.200q", exp.Request, i+1, len(resps), resp.Status, exp.Status, resp.Body)
		case exp.Concurrency == 0 && resp.Status != want:
			t.Errorf("GET %s (#%d): status %d, want %d; body: %.200q", exp.Request, i+1, resp.Status, want, resp.Body)
		}
	}
	// The response the body is read from: the last one, or with concurrent
	// requests the first that has the status.
	shown := resps[len(resps)-1]
	if exp.Concurrency > 0 {
		found := false
		for _, resp := range resps {
			if resp.Err == nil && resp.Status == exp.Status {
				shown, found = resp, true
				break
			}
		}
		if !found {
			t.Errorf("GET %s, %d at once: none answered %d; statuses %v", exp.Request, len(resps), exp.Status, r.statuses)
		}
	}
	if exp.Body != "" && !strings.Contains(shown.Body, exp.Body) {
		t.Errorf("GET %s: body %.200q does not contain %q", exp.Request, shown.Body, exp.Body)
	}
	for i, alts := range exp.Logs {
		line, matched := lineWithAny(nginxText, alts)
		if line == "" {
			t.Errorf("nginx error log has no line with %s; it has:\n%s", quoteAlts(alts), nginxText)
		} else if i == 0 {
			// The evidence shows the first alternative, whichever came.
			r.logLine = normNginxLine(strings.Replace(line, matched, alts[0], 1))
			r.logAlts = alts[1:]
		}
	}
	for i, alts := range exp.FPMLogs {
		line, matched := lineWithAny(fpmText, alts)
		if line == "" {
			t.Errorf("php-fpm log has no line with %s; it has:\n%s", quoteAlts(alts), fpmText)
		} else if i == 0 {
			r.fpmLogLine = normFPMLine(strings.Replace(line, matched, alts[0], 1))
		}
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("statuses %v\nnginx error log:\n%s\nphp-fpm log:\n%s", r.statuses, nginxText, fpmText)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// lineWith returns the first line of text that contains s, or "".
func lineWith(text, s string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// lineWithAny returns the first line of text that contains one of alts,
// and the alternative it contains.
func lineWithAny(text string, alts []string) (line, matched string) {
	for _, l := range strings.Split(text, "\n") {
		for _, a := range alts {
			if strings.Contains(l, a) {
				return strings.TrimSpace(l), a
			}
		}
	}
	return "", ""
}

func quoteAlts(alts []string) string {
	q := make([]string, len(alts))
	for i, a := range alts {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, " or ")
}

// logLines returns the non-empty lines of a log with the prefix taken out
// of their paths; with levels ("WARNING|ERROR") only the lines that have
// one of those words.
func logLines(path, prefix, levels string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(unmapPaths(string(data), prefix), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if levels != "" && !containsAny(line, strings.Split(levels, "|")) {
			continue
		}
		out = append(out, line)
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

var (
	nginxLogHead = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: (?:\*\d+ )?`)
	fpmLogHead   = regexp.MustCompile(`^\[[^\]]*\] `)
	fpmChild     = regexp.MustCompile(`child \d+`)
	fpmSeconds   = regexp.MustCompile(`\(\d+\.\d+ sec\)`)
)

// normNginxLine drops what changes from run to run: time, pid, connection.
func normNginxLine(line string) string {
	return nginxLogHead.ReplaceAllString(line, "$1 ")
}

// normFPMLine drops the time, the child's pid and the measured duration.
func normFPMLine(line string) string {
	line = fpmLogHead.ReplaceAllString(line, "")
	line = fpmChild.ReplaceAllString(line, "child N")
	return fpmSeconds.ReplaceAllString(line, "(N.NNN sec)")
}
