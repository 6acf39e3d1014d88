package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// TestStartup confirms the startup-failure rules (those tagged "startup":
// they claim that nginx -t or php-fpm refuses the configuration) against the
// real programs, on every tree of testdata/rules/<rule-id>/, each copied
// into its own prefix (installStack, injectNginxRuntime, makeFPMDirs):
//
//   - a fire-* case (its expect file lists findings) must make the real
//     program fail, and the line it fails with must contain the text the
//     finding's consequence quotes ("nginx -t fails: [emerg] X in F:L" →
//     "[emerg] X in F:L"; "php-fpm does not start (php-fpm -t passes):
//     ERROR: Y" → "ERROR: Y", from `php-fpm8.2 -F` once -t passed). The
//     programs stop at the first error, so the harness then gets past that
//     finding in its copy (neutralize) and runs again, until every finding
//     was seen or the program accepts the tree. A finding that says the
//     program loads the tree (requests fail later) must see it accepted;
//   - an ok-* case (empty expect) must be accepted (exit 0), and started
//     when the rule speaks of php-fpm's start.
//
// Where the real program disagrees, the tables below say so: startupKnown
// (a claim it contradicts, an ok case it refuses), startupGaps (a line it
// refuses that no finding reports), startupOKBroken (an ok case broken on
// purpose for another reason). Every entry is checked: one the real
// program no longer bears out fails the test. With -update the runs are
// written to docs/startup-evidence.md; without, that file is compared.
func TestStartup(t *testing.T) {
	if os.Getenv(envSwitch) != "1" {
		t.Skipf("startup suite not run: set %s=1 to run the real nginx -t and php-fpm8.2 on testdata/rules (as root)", envSwitch)
	}
	began := time.Now()
	env := setupEnv(t)
	cases := loadStartupCases(t)
	var results []*startupResult
	for _, c := range cases {
		r := &startupResult{c: c, prefix: filepath.Join(env.base, fmt.Sprintf("s%02d", len(results)+1))}
		results = append(results, r)
		t.Run(c.ID(), func(t *testing.T) {
			r.ran = true
			defer func() { r.failed = t.Failed() }()
			runStartupCase(t, env, r)
		})
	}
	checkStartupTables(t, results)
	t.Run("evidence", func(t *testing.T) { checkStartupEvidence(t, env, results) })
	tl := tallyStartup(results)
	t.Logf("%d rules, %d cases: %d findings confirmed by the real programs, %d known discrepancies, %d ok cases accepted, %d skipped; %v",
		countRules(cases), len(cases), tl.confirmed, len(startupKnown)+len(startupGaps), tl.accepted, tl.skipped, time.Since(began).Round(time.Millisecond))
}

// startupKnown are the findings (rule/case/file:line) whose claim the real
// program contradicts, and the ok cases (rule/case) it refuses although the
// rule is silent, with the reason: the test passes while they are shown as
// discrepancies in docs/startup-evidence.md. They are rule bugs: report
// them, fix the rule, then drop the entry (the test fails on an entry the
// real program no longer bears out).
var startupKnown = map[string]string{}

// startupGaps are error lines the real program prints that no finding
// quotes: gaps of the rules, shown as discrepancies. Each says how to get
// past the line (a whole-line replacement, written with the tree's paths)
// so that the findings after it can be confirmed.
var startupGaps = map[string][]startupGap{}

type startupGap struct {
	Quote string // the text of the error line
	Where string // file:line to replace, relative to the tree
	With  string // the replacement line
	Why   string
}

// startupHostDirs are directories, relative to the tree's root, that a case
// takes for granted on the server (a site's directories) and the tree does
// not carry; the harness makes them.
var startupHostDirs = map[string][]string{
	"fpm-path-format/ok-fixed": {"var/www/shop/public"}, // pool shop: prefix = /var/www/shop, chdir = public
}

// startupOKBroken are the ok cases that the rule rightly leaves alone but
// that the real program refuses for another reason, on purpose; the test
// checks that the program does refuse them, and skips them.
var startupOKBroken = map[string]string{
	"directive-wrong-context/ok-site-file-alone": "a site file given alone (a bare server block as nginx.conf): the linter reads it as a fragment of an http block, which is the point of the case; nginx refuses it as a main configuration",
	"directive-wrong-context/ok-allowed":         "uses directives of third-party modules (more_set_headers, content_by_lua_block) that the rule must not flag; Debian's nginx has no such module loaded",
	"buffer-startup-relation/ok-invalid-buffers": "fastcgi_buffers 0 4k and 4 0: nginx refuses them as it reads each directive (\"invalid value\"), before the relations this rule checks; the rule leaves them alone rather than name a relation nginx never reaches (FuzzLoad found the size 0 dividing by zero)",
	"fpm-unknown-user/ok-no-passwd":              "the tree has no /etc/passwd, so the rule cannot tell and stays silent, which is the point of the case; its pool runs as user nginx, which this host (like Debian) does not have",
}

// startupCase is one tree testdata/rules/<rule-id>/<case>/ of a startup rule.
type startupCase struct {
	Rule *lint.Rule
	Name string // fire-… or ok-…
	Dir  string // absolute
	Fire bool   // the expect file lists findings
	Side string // sideNginx or sideFPM: the program the rule speaks for
}

const (
	sideNginx = "nginx"
	sideFPM   = "php-fpm8.2"
)

func (c *startupCase) ID() string { return c.Rule.ID + "/" + c.Name }

func countRules(cases []*startupCase) int {
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.Rule.ID] = true
	}
	return len(seen)
}

// loadStartupCases lists every tree of every rule tagged "startup", in
// rule order; each rule needs a case that fires and one that does not.
func loadStartupCases(t *testing.T) []*startupCase {
	t.Helper()
	root := repoRoot(t)
	var cases []*startupCase
	for _, r := range rules.All() {
		if !slices.Contains(r.Tags, "startup") {
			continue
		}
		side := sideNginx
		if slices.Contains(r.Tags, "fpm") {
			side = sideFPM
		}
		expects, err := filepath.Glob(filepath.Join(root, "testdata", "rules", r.ID, "*", "expect"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(expects)
		var fire, ok int
		for _, e := range expects {
			data, err := os.ReadFile(e)
			if err != nil {
				t.Fatal(err)
			}
			c := &startupCase{Rule: r, Name: filepath.Base(filepath.Dir(e)), Dir: filepath.Dir(e), Fire: strings.TrimSpace(string(data)) != "", Side: side}
			if c.Fire {
				fire++
			} else {
				ok++
			}
			cases = append(cases, c)
		}
		if fire == 0 || ok == 0 {
			t.Errorf("startup rule %s: testdata/rules/%s has %d firing and %d silent cases; it needs both", r.ID, r.ID, fire, ok)
		}
	}
	if len(cases) == 0 {
		t.Fatal("no rule is tagged startup")
	}
	return cases
}

// claimWhen is when a finding says the real program fails.
type claimWhen int

const (
	atTest    claimWhen = iota // `nginx -t` / `php-fpm8.2 -t` fails
	atStart                    // php-fpm -t passes, the start fails
	atEither                   // "php-fpm does not start", without saying whether -t sees it
	atRuntime                  // no startup failure: the program loads the tree, requests fail
)

func (w claimWhen) String() string {
	return [...]string{"-t fails", "-t passes, start fails", "does not start", "loads; fails at request time"}[w]
}

// claim is what one finding says the real program prints.
type claim struct {
	Rule    string
	Where   string // file:line, relative to the tree
	Message string // the finding's message, with the tree's paths
	Quote   string // the text of the program's error line, with the tree's paths
	When    claimWhen
	Target  bool // a finding of the rule under test

	finding lint.Finding
	seen    *startupStep // the run whose error line quotes it
}

func (c *claim) String() string { return fmt.Sprintf("%s %s: %s", c.Rule, c.Where, c.Message) }

// The consequences of the startup rules come in these forms; the quoted
// line is the program's error line without its "nginx: " or date prefix.
var (
	nginxClaimRe   = regexp.MustCompile(`^nginx -t fails: (\[emerg\] .+?); the reload`)
	fpmClaimRe     = regexp.MustCompile(`^php-fpm does not start(?: \(php-fpm -t (fails|passes)\))?: ((?:ERROR|ALERT): .+)$`)
	runtimeClaimRe = regexp.MustCompile(`^[45]\d\d `)
)

// extractClaim reads a finding's consequence. dir is the tree: its path is
// taken out of the quoted file names, which then read as on the server.
func extractClaim(f lint.Finding, dir string, target bool) (*claim, error) {
	cons := strings.ReplaceAll(f.Consequence, filepath.ToSlash(dir), "")
	c := &claim{
		Rule:    f.Rule,
		Where:   fmt.Sprintf("%s:%d", relFile(f.Span.Start.File, dir), f.Span.Start.Line),
		Message: strings.ReplaceAll(f.Message, filepath.ToSlash(dir), ""),
		Target:  target,
		finding: f,
	}
	if m := nginxClaimRe.FindStringSubmatch(cons); m != nil {
		c.Quote, c.When = m[1], atTest
		return c, nil
	}
	if m := fpmClaimRe.FindStringSubmatch(cons); m != nil {
		c.Quote = m[2]
		switch m[1] {
		case "fails":
			c.When = atTest
		case "passes":
			c.When = atStart
		default:
			c.When = atEither
		}
		return c, nil
	}
	if runtimeClaimRe.MatchString(cons) {
		c.When = atRuntime
		return c, nil
	}
	return nil, fmt.Errorf("%s: cannot read what the real program prints from the consequence %q", c, cons)
}

// startupStep is one run of the real program on the (partly fixed) tree.
type startupStep struct {
	After   string // what the harness fixed before this run ("" for the tree as written)
	Cmd     string // "nginx -t", "php-fpm8.2 -t", "php-fpm8.2 -F"
	Exit    int    // -1: php-fpm -F started and was stopped
	Line    string // the error line (or the success line), normalized, with the tree's paths
	Output  string // all it printed, with the tree's paths
	Claim   *claim // the finding whose quote Line holds
	Problem string // why the step contradicts the findings, if it does
}

// startupResult is what a case showed.
type startupResult struct {
	c      *startupCase
	prefix string
	ran    bool
	failed bool

	claims []*claim // the rule's findings, then the other startup rules' ones
	steps  []*startupStep
	skip   string // startupOKBroken's reason, when the program bore it out

	gapsUsed map[int]bool // the entries of startupGaps[case] met
}

func (r *startupResult) targets() []*claim {
	var out []*claim
	for _, c := range r.claims {
		if c.Target {
			out = append(out, c)
		}
	}
	return out
}

// lintTree runs every rule on a tree the way `nginx502-lint --root DIR` does
// (and as rules_test.go loads the rule cases).
func lintTree(dir string) (*lint.Model, []lint.Finding, error) {
	var paths []string
	for _, p := range []string{"/etc/nginx", "/etc/php", "/etc/php-fpm.conf", "/usr/local/etc/php-fpm.conf"} {
		if exists(filepath.Join(dir, p)) {
			paths = append(paths, p)
		}
	}
	m, err := parsers.Load(parsers.Options{Root: dir, Paths: paths})
	if m == nil {
		return nil, nil, err
	}
	return m, lint.Run(m, rules.All()), err
}

func runStartupCase(t *testing.T, env *e2eEnv, r *startupResult) {
	c := r.c
	m, findings, err := lintTree(c.Dir)
	if err != nil {
		t.Fatalf("loading %s: %v", c.Dir, err)
	}
	for _, f := range findings {
		if !slices.Contains(rules.ByID(f.Rule).Tags, "startup") {
			continue
		}
		target := f.Rule == c.Rule.ID
		cl, err := extractClaim(f, c.Dir, target)
		switch {
		case err != nil && target:
			t.Fatal(err)
		case err == nil:
			r.claims = append(r.claims, cl)
		}
	}
	// the rule's own findings first, each group in the engine's order
	sort.SliceStable(r.claims, func(i, j int) bool { return r.claims[i].Target && !r.claims[j].Target })
	if n := len(r.targets()); (n > 0) != c.Fire {
		t.Fatalf("the linter reports %d finding(s) of %s here; the expect file says the case %s", n, c.Rule.ID, map[bool]string{true: "fires", false: "is silent"}[c.Fire])
	}

	if err := installTree(c.Dir, r.prefix); err != nil {
		t.Fatalf("installing %s into %s: %v", c.Dir, r.prefix, err)
	}
	if exists(filepath.Join(c.Dir, "etc/passwd")) && exists(filepath.Join(c.Dir, "etc/group")) {
		ensureAccounts(t, &stackCase{Dir: c.Dir})
	}
	for _, cl := range r.claims {
		if u := unknownUserRe.FindStringSubmatch(cl.Quote); u != nil && hostHasUser(u[1]) {
			t.Fatalf("%s: this host has a user %q: the claim cannot be shown here", cl, u[1])
		}
	}
	run := &startupRunner{t: t, env: env, r: r, model: m}
	if c.Side == sideNginx {
		if err := injectNginxRuntime(r.prefix); err != nil {
			t.Fatal(err)
		}
	} else if err := makeFPMDirs(r.prefix, run.fpmPrefix()); err != nil {
		t.Fatal(err)
	}
	for _, d := range startupHostDirs[c.ID()] {
		if err := os.MkdirAll(filepath.Join(r.prefix, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	if !c.Fire {
		runStartupOK(t, run)
		return
	}
	run.peelAll()
	for i, g := range startupGaps[c.ID()] {
		if !r.gapsUsed[i] {
			t.Errorf("startupGaps: %s never printed %q: drop the entry", c.Side, g.Quote)
		}
	}
	for _, cl := range r.targets() {
		key := c.ID() + "/" + cl.Where
		switch {
		case cl.seen != nil && cl.seen.Problem == "":
			t.Logf("confirmed %s\n\t%s → %s", cl, cl.seen.Cmd, cl.seen.Line)
		case startupKnown[key] != "":
			t.Logf("known discrepancy %s: %s", key, startupKnown[key])
		case cl.seen != nil:
			t.Errorf("%s\n\t%s: %s", cl, cl.seen.Cmd, cl.seen.Problem)
		default:
			t.Errorf("not confirmed: %s\n\tthe real program never printed %q; its runs:\n%s", cl, cl.Quote, describeSteps(r.steps))
		}
	}
	if testing.Verbose() {
		t.Logf("runs:\n%s", describeSteps(r.steps))
	}
}

// runStartupOK checks that the real program accepts an ok case (and, for a
// rule that speaks of php-fpm's start, that php-fpm starts).
func runStartupOK(t *testing.T, run *startupRunner) {
	r := run.r
	reason := startupOKBroken[r.c.ID()]
	st := run.check("")
	if st.Exit == 0 && run.startMatters() {
		st = run.start("")
	}
	accepted := st.Exit == 0 || st.Exit == -1
	known := startupKnown[r.c.ID()]
	switch {
	case known != "" && accepted:
		t.Errorf("listed in startupKnown (%s), but %s accepts it: drop the entry", known, st.Cmd)
	case known != "":
		st.Problem = "the rule is silent, and the real program refuses the tree: " + known
		t.Logf("known discrepancy %s: %s\n\t%s → %s", r.c.ID(), known, st.Cmd, st.Line)
	case reason != "" && accepted:
		t.Errorf("listed in startupOKBroken (%s), but %s accepts it: drop the entry", reason, st.Cmd)
	case reason != "":
		r.skip = reason
		t.Skipf("broken on purpose for another reason: %s\n\t%s → %s", reason, st.Cmd, st.Line)
	case !accepted:
		st.Problem = "the rule is silent, and the real program refuses the tree"
		if cl := matchClaim(st.Line, r.claims, atTest, atStart, atEither); cl != nil {
			st.Problem += " as " + cl.String() + " says"
		}
		t.Errorf("%s: %s:\n%s", st.Cmd, st.Problem, st.Output)
	}
}

// startupRunner runs the real program on a case's prefix.
type startupRunner struct {
	t     *testing.T
	env   *e2eEnv
	r     *startupResult
	model *lint.Model
}

// fpmPrefix is php-fpm's prefix: the prefix's usr, since Debian's php-fpm
// has /usr, so that relative paths (chroot, chdir) land where the findings
// say (/usr/…).
func (run *startupRunner) fpmPrefix() string { return filepath.Join(run.r.prefix, "usr") }

func (run *startupRunner) fpmConf() string {
	return filepath.Join(run.r.prefix, "etc/php/8.2/fpm/php-fpm.conf")
}

func (run *startupRunner) fpmArgs() []string {
	return []string{"-n", "-y", run.fpmConf(), "-p", run.fpmPrefix()}
}

func (run *startupRunner) fpmEnv() []string {
	return hostEnv("PHP_INI_SCAN_DIR=" + filepath.Join(run.r.prefix, "etc/php/8.2/fpm/conf.d"))
}

// startMatters reports whether a finding of the case's rule speaks of the
// start rather than of php-fpm -t: then the ok cases are started too.
func (run *startupRunner) startMatters() bool {
	if run.r.c.Side != sideFPM {
		return false
	}
	for _, c := range loadRuleClaims(run.t, run.r.c.Rule) {
		if c.When == atStart || c.When == atEither {
			return true
		}
	}
	return false
}

// loadRuleClaims returns the claims of a rule's fire cases.
func loadRuleClaims(t *testing.T, rule *lint.Rule) []*claim {
	dirs, _ := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "rules", rule.ID, "fire-*"))
	var out []*claim
	for _, dir := range dirs {
		_, findings, err := lintTree(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if f.Rule != rule.ID {
				continue
			}
			cl, err := extractClaim(f, dir, true)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, cl)
		}
	}
	return out
}

// check runs `nginx -t` or `php-fpm8.2 -t`.
func (run *startupRunner) check(after string) *startupStep {
	prefix := run.r.prefix
	st := &startupStep{After: after}
	var out string
	if run.r.c.Side == sideNginx {
		st.Cmd = "nginx -t"
		out, st.Exit = runBounded(run.t, prefix, hostEnv(), run.env.nginx,
			"-t", "-p", prefix+"/", "-c", filepath.Join(prefix, "etc/nginx/nginx.conf"), "-e", filepath.Join(prefix, "var/log/nginx/error.log"))
	} else {
		st.Cmd = "php-fpm8.2 -t"
		out, st.Exit = runBounded(run.t, prefix, run.fpmEnv(), run.env.fpm, append(run.fpmArgs(), "-t")...)
	}
	run.finish(st, out)
	return st
}

// start starts php-fpm in the foreground, as root without -R, and stops it
// once it is ready; Exit is -1 when it started.
func (run *startupRunner) start(after string) *startupStep {
	prefix := run.r.prefix
	st := &startupStep{After: after, Cmd: "php-fpm8.2 -F"}
	for _, p := range tcpPorts(run.r.c.Dir) {
		if err := portFreeAll(p); err != nil {
			run.t.Fatalf("port %d is in use: cannot start php-fpm on this tree: %v", p, err)
		}
	}
	logFile := filepath.Join(prefix, "var/log/php8.2-fpm.log")
	if data, err := os.ReadFile(run.fpmConf()); err == nil {
		if m := fpmErrorLogRe.FindSubmatch(data); m != nil {
			logFile = string(m[1])
		}
	}
	before, _ := os.ReadFile(logFile)
	p := startProc(run.t, "php-fpm8.2", prefix, run.fpmEnv(), run.env.fpm, append(run.fpmArgs(), "-F")...)
	deadline := time.Now().Add(startTimeout)
	for !p.exited() && !fileContains(logFile, "ready to handle connections") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	started := !p.exited()
	p.stop(run.t)
	logData, _ := os.ReadFile(logFile)
	out := p.out.String() + strings.TrimPrefix(string(logData), string(before))
	switch {
	case started && !strings.Contains(out, "ready to handle connections"):
		run.t.Fatalf("php-fpm8.2 -F neither exited nor became ready in %v:\n%s", startTimeout, out)
	case started:
		st.Exit = -1
	default:
		st.Exit = p.cmd.ProcessState.ExitCode()
	}
	run.finish(st, out)
	return st
}

// finish fills the step's output and line and records it.
func (run *startupRunner) finish(st *startupStep, out string) {
	out = unmapPaths(out, run.r.prefix)
	st.Output = out
	if st.Exit == 0 || st.Exit == -1 {
		st.Line = successLine(out)
	} else {
		st.Line = causeLine(out)
	}
	run.r.steps = append(run.r.steps, st)
}

var (
	nginxCauseRe = regexp.MustCompile(`\[(emerg|alert|crit)\] `)
	fpmCauseRe   = regexp.MustCompile(`(ERROR|ALERT): `)
	fpmPidRe     = regexp.MustCompile(`pid \d+`)
)

// causeLine is the first error line: what nginx or php-fpm fails with
// (the lines after it follow from it: "FPM initialization failed").
func causeLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if nginxCauseRe.MatchString(line) || fpmCauseRe.MatchString(line) {
			return normFPMLine(strings.TrimSpace(line))
		}
	}
	return firstLine(out)
}

func successLine(out string) string {
	for _, want := range []string{"ready to handle connections", "test is successful"} {
		if line := lineWith(out, want); line != "" {
			return fpmPidRe.ReplaceAllString(normFPMLine(line), "pid N")
		}
	}
	return firstLine(out)
}

// matchClaim returns the first claim, of the given kinds and not seen yet,
// whose quote the line holds.
func matchClaim(line string, claims []*claim, kinds ...claimWhen) *claim {
	for _, c := range claims {
		if c.seen == nil && c.Quote != "" && slices.Contains(kinds, c.When) && strings.Contains(line, c.Quote) {
			return c
		}
	}
	return nil
}

// peelAll runs the program, matches its error line with a finding, fixes
// that finding in the prefix, and runs again, until the program accepts the
// tree, fails with a line no finding quotes, or every claim was seen.
func (run *startupRunner) peelAll() {
	t, r := run.t, run.r
	after := ""
	for range len(r.claims) + len(startupGaps[r.c.ID()]) + 1 {
		st := run.check(after)
		var kinds []claimWhen
		switch {
		case st.Exit != 0:
			kinds = []claimWhen{atTest, atEither}
		case r.c.Side == sideFPM && pending(r.claims, atStart, atEither):
			if st = run.start(after); st.Exit == -1 {
				for _, c := range r.claims {
					if c.seen == nil && c.When != atRuntime {
						st.Problem = "php-fpm starts: the findings not yet seen say it does not"
					}
				}
				run.seeRuntime(st)
				return
			}
			kinds = []claimWhen{atStart, atEither}
		default:
			for _, c := range r.claims {
				if c.seen == nil && c.When != atRuntime {
					st.Problem = fmt.Sprintf("%s passes: the findings not yet seen say it fails", st.Cmd)
				}
			}
			run.seeRuntime(st)
			return
		}
		cl := matchClaim(st.Line, r.claims, kinds...)
		if cl == nil {
			// A finding that says -t passes, on the line -t fails with.
			cl = matchClaim(st.Line, r.claims, atStart)
			if cl != nil {
				st.Problem = fmt.Sprintf("%s fails with the quoted line, but the finding says php-fpm -t passes", st.Cmd)
			}
		}
		if cl == nil {
			// The quoted error, at another file:line than the finding says.
			var loc string
			if cl, loc = matchClaimElsewhere(st.Line, r.claims, kinds...); cl != nil {
				st.Problem = fmt.Sprintf("the program names %s, the finding quotes %s", loc, quoteLocRe.FindString(cl.Quote))
			}
		}
		if cl == nil {
			g := run.gap(st.Line)
			if g == nil {
				st.Problem = "no finding quotes this line"
				return
			}
			st.Problem = "no finding quotes this line: " + g.Why
			fixed, err := run.replaceLine(g.Where, g.With)
			if err != nil {
				t.Fatalf("getting past %q: %v", g.Quote, err)
			}
			after = fixed
			continue
		}
		st.Claim, cl.seen = cl, st
		fixed, err := run.neutralize(cl)
		if err != nil {
			t.Fatalf("fixing %s in the copy: %v", cl, err)
		}
		after = fixed
		if !pending(r.claims, atTest, atStart, atEither, atRuntime) {
			return
		}
	}
	t.Fatalf("more runs than findings:\n%s", describeSteps(r.steps))
}

// gap returns the entry of startupGaps for this case whose quote the line
// holds, and marks it used.
func (run *startupRunner) gap(line string) *startupGap {
	for i, g := range startupGaps[run.r.c.ID()] {
		if strings.Contains(line, g.Quote) && !run.r.gapsUsed[i] {
			if run.r.gapsUsed == nil {
				run.r.gapsUsed = map[int]bool{}
			}
			run.r.gapsUsed[i] = true
			return &startupGaps[run.r.c.ID()][i]
		}
	}
	return nil
}

// seeRuntime marks the findings that say the program loads the tree (and
// requests fail later) as borne out by a run that accepted it.
func (run *startupRunner) seeRuntime(st *startupStep) {
	for _, c := range run.r.claims {
		if c.seen == nil && c.When == atRuntime {
			c.seen = st
			if st.Claim == nil {
				st.Claim = c
			}
		}
	}
}

// quoteLocRe finds the file:line a quote names.
var quoteLocRe = regexp.MustCompile(`/[^\s\[\]"]+:\d+`)

// matchClaimElsewhere is matchClaim for a line that holds a claim's quote
// with another file:line in it; it returns that file:line.
func matchClaimElsewhere(line string, claims []*claim, kinds ...claimWhen) (*claim, string) {
	for _, c := range claims {
		loc := quoteLocRe.FindStringIndex(c.Quote)
		if c.seen != nil || loc == nil || !slices.Contains(kinds, c.When) {
			continue
		}
		re := regexp.MustCompile(regexp.QuoteMeta(c.Quote[:loc[0]]) + `(/[^\s\[\]"]+:\d+)` + regexp.QuoteMeta(c.Quote[loc[1]:]))
		if m := re.FindStringSubmatch(line); m != nil {
			return c, m[1]
		}
	}
	return nil, ""
}

func pending(claims []*claim, kinds ...claimWhen) bool {
	for _, c := range claims {
		if c.seen == nil && slices.Contains(kinds, c.When) {
			return true
		}
	}
	return false
}

func describeSteps(steps []*startupStep) string {
	var b strings.Builder
	for i, st := range steps {
		fmt.Fprintf(&b, "\t%d. ", i+1)
		if st.After != "" {
			fmt.Fprintf(&b, "after %s: ", st.After)
		}
		fmt.Fprintf(&b, "%s → exit %d: %s", st.Cmd, st.Exit, st.Line)
		if st.Claim != nil {
			fmt.Fprintf(&b, "\n\t   = %s", st.Claim)
		}
		if st.Problem != "" {
			fmt.Fprintf(&b, "\n\t   PROBLEM: %s", st.Problem)
		}
		b.WriteString("\n")
	}
	return b.String()
}

var (
	unknownUserRe = regexp.MustCompile(`cannot get uid for user '([^']+)'`)
	tcpPortRe     = regexp.MustCompile(`(?m)^\s*listen\s*=\s*(?:\S*:)?(\d+)\s*$`)
)

func hostHasUser(name string) bool {
	data, err := os.ReadFile("/etc/passwd")
	return err == nil && regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(name)+`:`).Match(data)
}

// tcpPorts returns the ports of the tree's php-fpm TCP listens.
func tcpPorts(dir string) []int {
	var ports []int
	_ = filepath.WalkDir(filepath.Join(dir, "etc/php"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(p)
		for _, m := range tcpPortRe.FindAllSubmatch(data, -1) {
			var n int
			fmt.Sscan(string(m[1]), &n)
			ports = append(ports, n)
		}
		return nil
	})
	return ports
}
