package e2e

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A stack is testdata/stacks/<rule-id>/<variant>-broken (or -fixed): a small
// server tree laid out like a Debian host, which the linter reads with
// --root <stack> /etc/nginx /etc/php, plus expect.yml.
//
// expect.yml is a flat list of `key: value` lines (a YAML subset): values
// are bare words or double-quoted Go strings; '#' starts a comment; keys
// marked "repeatable" may appear several times.
//
//	gist: "…"            the broken configuration in one line (evidence table)
//	request: /index.php  the request sent to the first `listen` of nginx.conf
//	status: 502          the status the real nginx answers
//	body: "ok"           a substring of the response body
//	log: "…"             a substring of a line of nginx's error log (repeatable);
//	                     `"A" || "B"` accepts either, for races the real
//	                     programs have (the first is shown in the evidence)
//	fpm_log: "…"         a substring of a line of php-fpm's log (repeatable, || too)
//	nginx_t_error: "…"   `nginx -t` must fail with this in its output
//	fpm_t_error: "…"     `php-fpm8.2 -t` must fail with this in its output
//	parallel: 2          send the request this many times, 200 ms apart;
//	                     status is the last one's, the others must be 200
//	concurrency: 12      send the request this many times at once; each
//	                     answer is status or 200, and at least one is status
//	                     (body and log are checked as for one request)
//	needs: acl           the case needs a filesystem with POSIX ACLs
//	finding: <rule-id> <file>:<line>  the linter must report this (repeatable)
//	no_finding: <rule-id>             the linter must not report this rule (repeatable)
//
// Paths in log, fpm_log, nginx_t_error and fpm_t_error are written as in the
// configuration (/run/php/…); the harness maps them into its prefix. A
// finding's file is relative to the stack directory (etc/nginx/nginx.conf).

type wantFinding struct {
	Rule string
	File string
	Line int
}

func (w wantFinding) String() string { return fmt.Sprintf("%s %s:%d", w.Rule, w.File, w.Line) }

type expectation struct {
	Gist        string
	Request     string
	Status      int
	Body        string
	Logs        [][]string // each a list of alternatives
	FPMLogs     [][]string
	NginxTError string
	FPMTError   string
	Parallel    int
	Concurrency int
	Needs       []string
	Findings    []wantFinding
	NoFindings  []string
}

// configFails reports whether the case stops at `nginx -t` or `php-fpm -t`.
func (e *expectation) configFails() bool { return e.NginxTError != "" || e.FPMTError != "" }

func (e *expectation) needs(what string) bool {
	for _, n := range e.Needs {
		if n == what {
			return true
		}
	}
	return false
}

func parseExpect(path string) (*expectation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e := &expectation{}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, raw, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want `key: value`", path, n)
		}
		key, raw = strings.TrimSpace(key), strings.TrimSpace(raw)
		alts, err := parseValue(raw)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if len(alts) > 1 && key != "log" && key != "fpm_log" {
			return nil, fmt.Errorf("%s:%d: only log and fpm_log take alternatives (||)", path, n)
		}
		val := alts[0]
		repeatable := map[string]bool{"log": true, "fpm_log": true, "finding": true, "no_finding": true, "needs": true}
		if seen[key] && !repeatable[key] {
			return nil, fmt.Errorf("%s:%d: %s given twice", path, n, key)
		}
		seen[key] = true
		switch key {
		case "gist":
			e.Gist = val
		case "request":
			if !strings.HasPrefix(val, "/") {
				return nil, fmt.Errorf("%s:%d: request must be a path starting with /", path, n)
			}
			e.Request = val
		case "status", "parallel", "concurrency":
			i, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", path, n, key, err)
			}
			switch key {
			case "status":
				e.Status = i
			case "parallel":
				e.Parallel = i
			default:
				e.Concurrency = i
			}
		case "body":
			e.Body = val
		case "log":
			e.Logs = append(e.Logs, alts)
		case "fpm_log":
			e.FPMLogs = append(e.FPMLogs, alts)
		case "nginx_t_error":
			e.NginxTError = val
		case "fpm_t_error":
			e.FPMTError = val
		case "needs":
			e.Needs = append(e.Needs, val)
		case "finding":
			w, err := parseWantFinding(val)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
			e.Findings = append(e.Findings, w)
		case "no_finding":
			e.NoFindings = append(e.NoFindings, val)
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", path, n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case e.Request == "":
		return nil, fmt.Errorf("%s: no request", path)
	case !e.configFails() && e.Status == 0:
		return nil, fmt.Errorf("%s: no status (and no nginx_t_error/fpm_t_error)", path)
	case e.configFails() && (e.Status != 0 || len(e.Logs) > 0):
		return nil, fmt.Errorf("%s: a case whose -t fails sends no request: drop status/log", path)
	case len(e.Findings) == 0 && len(e.NoFindings) == 0:
		return nil, fmt.Errorf("%s: no finding or no_finding", path)
	case e.Concurrency != 0 && (e.Parallel != 0 || e.Concurrency < 2):
		return nil, fmt.Errorf("%s: concurrency is at least 2, and not with parallel", path)
	}
	return e, nil
}

// parseValue reads a bare word, a double-quoted Go string, or quoted
// strings joined by || (alternatives).
func parseValue(raw string) ([]string, error) {
	if !strings.HasPrefix(raw, `"`) {
		return []string{raw}, nil
	}
	var alts []string
	rest := raw
	for {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, fmt.Errorf("bad quoted value %s: %w", raw, err)
		}
		s, _ := strconv.Unquote(q)
		alts = append(alts, s)
		rest = strings.TrimSpace(rest[len(q):])
		if rest == "" {
			return alts, nil
		}
		after, ok := strings.CutPrefix(rest, "||")
		if !ok {
			return nil, fmt.Errorf("after %s: want end of line or || \"…\", got %q", q, rest)
		}
		rest = strings.TrimSpace(after)
	}
}

func parseWantFinding(s string) (wantFinding, error) {
	rule, loc, ok := strings.Cut(s, " ")
	if !ok {
		return wantFinding{}, fmt.Errorf("finding: want `<rule-id> <file>:<line>`, got %q", s)
	}
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return wantFinding{}, fmt.Errorf("finding: want `<rule-id> <file>:<line>`, got %q", s)
	}
	line, err := strconv.Atoi(loc[i+1:])
	if err != nil || line < 1 {
		return wantFinding{}, fmt.Errorf("finding: bad line in %q", s)
	}
	return wantFinding{Rule: rule, File: strings.TrimSpace(loc[:i]), Line: line}, nil
}

// stackCase is one stack directory and what it must do.
type stackCase struct {
	Rule    string // rule id: the parent directory
	Name    string // <variant>-broken or <variant>-fixed
	Variant string
	Broken  bool
	Dir     string // absolute path of the stack
	Exp     *expectation
	// Ports are every TCP port the configuration names.
	Ports []int
	// FrontPort is the first `listen` of nginx.conf: where requests go.
	FrontPort int
}

func (c *stackCase) ID() string { return c.Rule + "/" + c.Name }

// repoRoot is the module root: tests run in the package directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func loadStacks(t testing.TB) []*stackCase {
	t.Helper()
	base := filepath.Join(repoRoot(t), "testdata", "stacks")
	paths, err := filepath.Glob(filepath.Join(base, "*", "*", "expect.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no stacks in %s", base)
	}
	sort.Strings(paths)
	var cases []*stackCase
	for _, p := range paths {
		dir := filepath.Dir(p)
		c := &stackCase{Rule: filepath.Base(filepath.Dir(dir)), Name: filepath.Base(dir), Dir: dir}
		switch {
		case strings.HasSuffix(c.Name, "-broken"):
			c.Variant, c.Broken = strings.TrimSuffix(c.Name, "-broken"), true
		case strings.HasSuffix(c.Name, "-fixed"):
			c.Variant = strings.TrimSuffix(c.Name, "-fixed")
		default:
			t.Fatalf("%s: a stack directory is named <variant>-broken or <variant>-fixed", dir)
		}
		if c.Exp, err = parseExpect(p); err != nil {
			t.Fatal(err)
		}
		if c.Ports, err = stackPorts(dir); err != nil {
			t.Fatal(err)
		}
		if c.FrontPort, err = frontPort(dir); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

// configFiles lists the stack's configuration files (relative, slash
// separated): everything under etc/ but the account files.
func configFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "etc"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "etc/passwd" && rel != "etc/group" {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

var (
	// portRe finds host:port addresses in nginx and php-fpm files.
	portRe = regexp.MustCompile(`(?:127\.0\.0\.\d+|\[::1\]|localhost|0\.0\.0\.0|\*|\[::\]):(\d+)`)
	// barePortRe finds listens on every interface: `listen 80;`, `listen = 9000`.
	barePortRe = regexp.MustCompile(`(?m)^\s*listen\s*=?\s*(\d+)\s*;?\s*$`)
	// nginxListenRe finds the front server's address.
	nginxListenRe = regexp.MustCompile(`(?m)^\s*listen\s+(?:127\.0\.0\.1|\[::1\]):(\d+)`)
	// wildcardRe finds listens on every interface with an address.
	wildcardRe = regexp.MustCompile(`(0\.0\.0\.0|\[::\]|\*):\d+`)
)

// stackPorts returns every TCP port named in the stack's configuration and
// refuses ports outside 20000–29999 or on every interface.
func stackPorts(dir string) ([]int, error) {
	files, err := configFiles(dir)
	if err != nil {
		return nil, err
	}
	set := map[int]bool{}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		if m := barePortRe.Find(data); m != nil {
			return nil, fmt.Errorf("%s/%s: %q listens on every interface: write 127.0.0.1:PORT", dir, f, strings.TrimSpace(string(m)))
		}
		if m := wildcardRe.Find(data); m != nil {
			return nil, fmt.Errorf("%s/%s: %q listens on every interface: write 127.0.0.1:PORT", dir, f, m)
		}
		for _, m := range portRe.FindAllSubmatch(data, -1) {
			p, _ := strconv.Atoi(string(m[1]))
			if p < 20000 || p > 29999 {
				return nil, fmt.Errorf("%s/%s: port %d: stacks use ports 20000–29999 only", dir, f, p)
			}
			set[p] = true
		}
	}
	var ports []int
	for p := range set {
		ports = append(ports, p)
	}
	sort.Ints(ports)
	return ports, nil
}

func frontPort(dir string) (int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "etc", "nginx", "nginx.conf"))
	if err != nil {
		return 0, err
	}
	m := nginxListenRe.FindSubmatch(data)
	if m == nil {
		return 0, fmt.Errorf("%s/etc/nginx/nginx.conf: no `listen 127.0.0.1:PORT` (the first one receives the request)", dir)
	}
	return strconv.Atoi(string(m[1]))
}

// absPathRe finds the absolute paths of a Debian host that a configuration
// names: /etc/…, /run/…, /var/…, /srv/…, /usr/share/… at the start of a word,
// after a quote, after = (php-fpm) or after : (unix:/run/…).
var absPathRe = regexp.MustCompile(`(?m)(^|[\s"'=:,(])(/(?:etc|run|var|srv|usr/share)/)`)

// mapPaths moves the host paths that s names under prefix, on the same line.
func mapPaths(s, prefix string) string {
	return absPathRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := absPathRe.FindStringSubmatch(m)
		return sub[1] + prefix + sub[2]
	})
}

// unmapPaths turns paths under prefix back into the configuration's paths.
func unmapPaths(s, prefix string) string { return strings.ReplaceAll(s, prefix, "") }

// runtimeDirs are made in the prefix as Debian's packages and systemd make
// them on a host: the socket directory, the log directories and the parent
// of nginx's temp paths.
var runtimeDirs = []string{"run/php", "var/log/nginx", "var/lib/nginx", "var/www/html"}

// installStack copies the stack into prefix (which stands for "/"), with
// every host path in its configuration files moved under prefix. Lines are
// never added or removed, so line numbers in errors stay those of the stack.
// Every directory is 0755 and every file 0644: the workers (www-data,
// nobody) must reach the sockets and read the scripts.
func installStack(c *stackCase, prefix string) error {
	err := filepath.WalkDir(c.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(c.Dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		dst := filepath.Join(prefix, rel)
		switch {
		case rel == "expect.yml":
			return nil
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if filepath.IsAbs(target) {
				target = filepath.Join(prefix, target)
			}
			return os.Symlink(target, dst)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "etc/") && rel != "etc/passwd" && rel != "etc/group" {
			data = []byte(mapPaths(string(data), prefix))
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		return os.Chmod(dst, 0o644)
	})
	if err != nil {
		return err
	}
	for _, d := range runtimeDirs {
		if err := os.MkdirAll(filepath.Join(prefix, d), 0o755); err != nil {
			return err
		}
	}
	return filepath.WalkDir(prefix, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return os.Chmod(p, 0o755)
	})
}

// requiredLines are what every stack must set explicitly so that nothing
// the real programs write lands outside the prefix.
var requiredLines = map[string][]*regexp.Regexp{
	"etc/nginx/nginx.conf": {
		regexp.MustCompile(`(?m)^pid /run/`),
		regexp.MustCompile(`(?m)^error_log /var/log/nginx/error\.log;`),
		regexp.MustCompile(`(?m)^\s+access_log (/var/log/nginx/|off)`),
		regexp.MustCompile(`(?m)^\s+client_body_temp_path /var/lib/nginx/`),
		regexp.MustCompile(`(?m)^\s+fastcgi_temp_path /var/lib/nginx/`),
		regexp.MustCompile(`(?m)^\s+proxy_temp_path /var/lib/nginx/`),
		regexp.MustCompile(`(?m)^\s+uwsgi_temp_path /var/lib/nginx/`),
		regexp.MustCompile(`(?m)^\s+scgi_temp_path /var/lib/nginx/`),
	},
	"etc/php/8.2/fpm/php-fpm.conf": {
		regexp.MustCompile(`(?m)^pid = /run/php/`),
		regexp.MustCompile(`(?m)^error_log = /var/log/`),
	},
	"etc/passwd": {regexp.MustCompile(`(?m)^www-data:`)},
	"etc/group":  {regexp.MustCompile(`(?m)^www-data:`)},
}

// unixListenRe finds php-fpm unix listens, which must be host paths under
// /run/ so that they move into the prefix.
var unixListenRe = regexp.MustCompile(`(?m)^\s*listen\s*=\s*([^\s;]*/[^\s;]*)\s*$`)

// TestStacks checks the stacks without running anything: every expect.yml
// parses, every stack names its pid, logs and temp paths, every port is
// 127.0.0.1:20000–29999 and belongs to one stack only, every broken case has
// its fixed case.
func TestStacks(t *testing.T) {
	cases := loadStacks(t)
	owner := map[int]string{}
	variants := map[string]int{}
	broken := map[string]*stackCase{}
	for _, c := range cases {
		if c.Broken {
			broken[c.Rule+"/"+c.Variant] = c
		}
	}
	for _, c := range cases {
		variants[c.Rule+"/"+c.Variant]++
		for rel, res := range requiredLines {
			data, err := os.ReadFile(filepath.Join(c.Dir, rel))
			if err != nil {
				t.Errorf("%s: %v", c.ID(), err)
				continue
			}
			for _, re := range res {
				if !re.Match(data) {
					t.Errorf("%s/%s: no line matching %s", c.ID(), rel, re)
				}
			}
		}
		files, err := configFiles(c.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, _ := os.ReadFile(filepath.Join(c.Dir, f))
			for _, m := range unixListenRe.FindAllSubmatch(data, -1) {
				if !strings.HasPrefix(string(m[1]), "/run/") {
					t.Errorf("%s/%s: unix socket %s is not under /run/", c.ID(), f, m[1])
				}
			}
		}
		for _, p := range c.Ports {
			if prev, ok := owner[p]; ok && prev != c.ID() {
				t.Errorf("port %d is used by %s and %s: give each stack its own ports", p, prev, c.ID())
			}
			owner[p] = c.ID()
		}
		for _, w := range c.Exp.Findings {
			if w.Rule != c.Rule {
				t.Errorf("%s: expects a finding of %s, not of its own rule", c.ID(), w.Rule)
			}
			if _, err := os.Stat(filepath.Join(c.Dir, w.File)); err != nil {
				t.Errorf("%s: finding in %s: %v", c.ID(), w.File, err)
			}
		}
		if c.Broken && len(c.Exp.Findings) == 0 {
			t.Errorf("%s: a broken case expects a finding", c.ID())
		}
		if !c.Broken && (len(c.Exp.NoFindings) == 0 || (c.Exp.Status != 200 && !refusesAttack(c, broken[c.Rule+"/"+c.Variant]))) {
			t.Errorf("%s: a fixed case serves 200 (or refuses with 403/404 the request its broken twin serves with 200) and expects no_finding of its rule", c.ID())
		}
	}
	for v, n := range variants {
		if n != 2 {
			t.Errorf("%s: want a -broken and a -fixed stack, have %d", v, n)
		}
	}
}

// refusesAttack reports whether a fixed case proves its fix by refusing
// (403, 404) the very request that its broken twin serves with 200: for the
// security rules, where the broken stack's 200 is the harm (an uploaded
// file run as PHP).
func refusesAttack(fixed, broken *stackCase) bool {
	return broken != nil && broken.Exp.Status == 200 && broken.Exp.Request == fixed.Exp.Request &&
		(fixed.Exp.Status == 403 || fixed.Exp.Status == 404)
}

func TestMapPaths(t *testing.T) {
	const p = "/tmp/x"
	for in, want := range map[string]string{
		"fastcgi_pass unix:/run/php/php8.2-fpm.sock;":        "fastcgi_pass unix:/tmp/x/run/php/php8.2-fpm.sock;",
		"listen = /run/php/php8.2-fpm.sock":                  "listen = /tmp/x/run/php/php8.2-fpm.sock",
		"include=/etc/php/8.2/fpm/pool.d/*.conf":             "include=/tmp/x/etc/php/8.2/fpm/pool.d/*.conf",
		"root /var/www/html;\nerror_log /var/log/x.log;":     "root /tmp/x/var/www/html;\nerror_log /tmp/x/var/log/x.log;",
		`invalid host in upstream "/run/php/a.sock" in /etc`: `invalid host in upstream "/tmp/x/run/php/a.sock" in /etc`,
		"fastcgi_pass http://127.0.0.1:29001;":               "fastcgi_pass http://127.0.0.1:29001;",
		"location ~ \\.php$ { fastcgi_pass unix:a.sock; }":   "location ~ \\.php$ { fastcgi_pass unix:a.sock; }",
		"proxy_pass http://127.0.0.1:28001/var/;":            "proxy_pass http://127.0.0.1:28001/var/;",
	} {
		if got := mapPaths(in, p); got != want {
			t.Errorf("mapPaths(%q) = %q, want %q", in, got, want)
		}
		if got := unmapPaths(mapPaths(in, p), p); got != in {
			t.Errorf("unmapPaths(mapPaths(%q)) = %q", in, got)
		}
	}
}

func TestParseValue(t *testing.T) {
	for raw, want := range map[string][]string{
		`502`:                     {"502"},
		`"a \"b\" c"`:             {`a "b" c`},
		`"x (104: y)" || "z"`:     {"x (104: y)", "z"},
		`"a"||"b" ||  "c"`:        {"a", "b", "c"},
		`etc/nginx/nginx.conf:12`: {"etc/nginx/nginx.conf:12"},
	} {
		got, err := parseValue(raw)
		if err != nil || strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("parseValue(%s) = %q, %v; want %q", raw, got, err, want)
		}
	}
	for _, raw := range []string{`"a" "b"`, `"a" ||`, `"a`} {
		if got, err := parseValue(raw); err == nil {
			t.Errorf("parseValue(%s) = %q, want an error", raw, got)
		}
	}
}
