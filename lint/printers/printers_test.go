package printers

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/printers")

const goldenDir = "../../testdata/printers"

// Three fake rules: an error, a security warning, a heuristic note.
var (
	ruleUnmatched = &lint.Rule{
		ID: "fastcgi-pass-unmatched", Title: "fastcgi_pass target has no PHP-FPM pool listening",
		Severity: lint.Error, Tags: []string{"fastcgi", "cross-file"},
		Doc:  "nginx passes PHP requests to a socket that no PHP-FPM pool creates, so every request fails with 502 Bad Gateway.",
		Bad:  "fastcgi_pass unix:/run/php/php7.4-fpm.sock;",
		Good: "fastcgi_pass unix:/run/php/php8.2-fpm.sock;",
		Fix:  "point fastcgi_pass at the listen address of a pool",
	}
	ruleListenAll = &lint.Rule{
		ID: "fpm-listen-all-interfaces", Title: "PHP-FPM pool listens on every interface",
		Severity: lint.Warning, Tags: []string{"php-fpm"}, SecuritySeverity: 8,
		Doc:  "A pool listening on 0.0.0.0 accepts FastCGI from anyone who can reach the port, and FastCGI runs any PHP file it is told to.",
		Bad:  "listen = 9000",
		Good: "listen = 127.0.0.1:9000",
		Fix:  "bind the pool to 127.0.0.1 or to a unix socket",
	}
	ruleShortTimeout = &lint.Rule{
		ID: "fastcgi-read-timeout-short", Title: "fastcgi_read_timeout is shorter than PHP's max_execution_time",
		Severity: lint.Note, Tags: []string{"fastcgi", "timeout", "heuristic"},
		Doc:  "nginx gives up before PHP does: a slow request ends in 504 while the worker keeps running.",
		Bad:  "fastcgi_read_timeout 10s;  # max_execution_time = 30",
		Good: "fastcgi_read_timeout 35s;",
		Fix:  "raise fastcgi_read_timeout above max_execution_time",
	}
)

func pos(file string, line, col int32) lint.Pos { return lint.Pos{File: file, Line: line, Col: col} }

const (
	appConf = "etc/nginx/sites-enabled/app.conf"
	wwwConf = "etc/php/8.2/fpm/pool.d/www.conf"
)

// testReport is the one input every golden file is made from.
func testReport() *Report {
	return &Report{
		Version: "1.2.3",
		Rules:   []*lint.Rule{ruleUnmatched, ruleListenAll, ruleShortTimeout},
		Errors: lint.LoadErrors{
			lint.Errorf(pos("etc/nginx/conf.d/broken.conf", 3, 1), "unexpected \"}\""),
			lint.Errorf(lint.Pos{}, "no configuration given: pass nginx.conf or use --root"),
		},
		Findings: []lint.Finding{
			{
				Rule: ruleUnmatched.ID, Severity: lint.Error,
				Message: "fastcgi_pass targets unix:/run/php/php7.4-fpm.sock, where no PHP-FPM pool listens",
				Span:    lint.Span{Start: pos(appConf, 12, 9), End: pos(appConf, 12, 51)},
				Related: []lint.Related{
					{Pos: pos(wwwConf, 36, 1), Message: `pool "www" listens on /run/php/php8.2-fpm.sock`},
					{Pos: pos("etc/nginx/nginx.conf", 60, 5), Message: "sites-enabled/app.conf is included here"},
				},
				Consequence: `every PHP request gets 502 Bad Gateway; error.log: connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory)`,
				Fix: &lint.Fix{
					Text:        "point fastcgi_pass at the pool's socket",
					Replacement: "fastcgi_pass unix:/run/php/php8.2-fpm.sock;",
					Span:        lint.Span{Start: pos(appConf, 12, 9), End: pos(appConf, 12, 51)},
				},
			},
			{
				Rule: ruleShortTimeout.ID, Severity: lint.Note,
				Message: "fastcgi_read_timeout 10s is shorter than max_execution_time 30",
				Span:    lint.Span{Start: pos(appConf, 14, 9), End: pos(appConf, 14, 32)},
				Related: []lint.Related{{Pos: pos("etc/php/8.2/fpm/php.ini", 409, 1), Message: "max_execution_time = 30"}},
			},
			{
				Rule: "invalid-ignore", Severity: lint.Error,
				Message: `ignore of "fastcgi-pass-unmatched" gives no reason: add " -- " and why the finding is accepted`,
				Span:    lint.Span{Start: pos(appConf, 20, 5), End: pos(appConf, 20, 52)},
				Fix:     &lint.Fix{Text: `write "nginx502-lint: ignore RULE[,RULE] -- reason" with known rule ids`},
			},
			{
				// what lint.Run makes of a rule that panics: no position
				Rule: ruleShortTimeout.ID, Severity: lint.Error,
				Message: "internal error in rule fastcgi-read-timeout-short: boom (please report this bug)",
			},
			{
				Rule: ruleListenAll.ID, Severity: lint.Warning,
				Message:     `pool "www" listens on every interface, port 9000: 100% of hosts, a[0](1) and "x,y" reach it`,
				Span:        lint.Span{Start: pos(wwwConf, 36, 1), End: pos(wwwConf, 36, 13)},
				Consequence: "anyone who reaches port 9000 can run PHP files as www-data",
				Fix:         &lint.Fix{Text: "bind the pool to loopback", Replacement: "listen = 127.0.0.1:9000"},
			},
		},
		Files:   14,
		Elapsed: 12 * time.Millisecond,
		Skipped: []string{"no /etc/passwd under --root: socket permissions not checked against the nginx user"},
	}
}

func testOptions() Options {
	return Options{RealPath: func(p string) string {
		return strings.Replace(p, "sites-enabled", "sites-available", 1)
	}}
}

func render(t *testing.T, name string, r *Report, o Options) []byte {
	t.Helper()
	p, ok := ByName(name)
	if !ok {
		t.Fatalf("no printer %q", name)
	}
	var buf bytes.Buffer
	if err := p.Print(&buf, r, o); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	cases := []struct {
		golden, format string
		color          bool
	}{
		{"report.text", "text", false},
		{"report-color.text", "text", true},
		{"report.gcc", "gcc", false},
		{"report.json", "json", false},
		{"report.sarif", "sarif", false},
		{"report.github", "github", false},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			o := testOptions()
			o.Color = c.color
			got := render(t, c.format, testReport(), o)
			path := filepath.Join(goldenDir, c.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./lint/printers -update)", err)
			}
			if c.format == "sarif" || c.format == "json" {
				var g, w any
				if err := json.Unmarshal(got, &g); err != nil {
					t.Fatalf("output is not JSON: %v", err)
				}
				if err := json.Unmarshal(want, &w); err != nil {
					t.Fatalf("golden is not JSON: %v", err)
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("%s differs from %s (go test ./lint/printers -update, then review the diff):\n%s", c.format, path, got)
				}
				return
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (go test ./lint/printers -update, then review the diff):\ngot:\n%s\nwant:\n%s", c.format, path, got, want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	want := []string{"gcc", "github", "json", "sarif", "text"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if _, ok := ByName("xml"); ok {
		t.Error(`ByName("xml") found a printer`)
	}
}

func cleanReport() *Report {
	return &Report{Version: "1.2.3", Rules: []*lint.Rule{ruleUnmatched, ruleListenAll, ruleShortTimeout}, Files: 3, Elapsed: 1500 * time.Millisecond}
}

func TestClean(t *testing.T) {
	cases := map[string]string{
		"text":   "no problems found in 3 files (1.5s)\n",
		"gcc":    "",
		"github": "",
	}
	for format, want := range cases {
		if got := string(render(t, format, cleanReport(), Options{})); got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
	var j struct {
		Findings []any `json:"findings"`
		Errors   []any `json:"errors"`
	}
	if err := json.Unmarshal(render(t, "json", cleanReport(), Options{}), &j); err != nil || j.Findings == nil || j.Errors == nil {
		t.Errorf("json: findings and errors must be [] when clean: %+v, %v", j, err)
	}
	var s struct {
		Runs []struct {
			Results []any `json:"results"`
			Tool    struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	out := render(t, "sarif", cleanReport(), Options{})
	if err := json.Unmarshal(out, &s); err != nil || len(s.Runs) != 1 || s.Runs[0].Results == nil {
		t.Fatalf("sarif: results must be [] when clean: %s", out)
	}
	var ids []string
	for _, r := range s.Runs[0].Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	want := []string{"fastcgi-pass-unmatched", "fpm-listen-all-interfaces", "fastcgi-read-timeout-short", "load-error", "invalid-ignore", "unused-ignore"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("sarif rules = %v, want %v", ids, want)
	}
}

func TestSummary(t *testing.T) {
	f := func(sev lint.Severity) lint.Finding { return lint.Finding{Rule: "r", Severity: sev, Message: "m"} }
	cases := []struct {
		fs    []lint.Finding
		files int
		want  string
	}{
		{nil, 1, "no problems found in 1 file (12ms)\n"},
		{[]lint.Finding{f(lint.Error)}, 2, "1 error in 2 files (12ms)\n"},
		{[]lint.Finding{f(lint.Error), f(lint.Error), f(lint.Error), f(lint.Warning), f(lint.Note), f(lint.Note)}, 14, "3 errors, 1 warning, 2 notes in 14 files (12ms)\n"},
		{[]lint.Finding{f(lint.Warning), f(lint.Warning)}, 14, "2 warnings in 14 files (12ms)\n"},
	}
	for _, c := range cases {
		r := &Report{Findings: c.fs, Files: c.files, Elapsed: 12 * time.Millisecond}
		if got := summary(r, colors(false)); got != c.want {
			t.Errorf("summary = %q, want %q", got, c.want)
		}
	}
}

func TestEscapeGitHub(t *testing.T) {
	if got, want := escapeProperty("a:b,c%d\r\ne"), "a%3Ab%2Cc%25d%0D%0Ae"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
	if got, want := escapeData("a:b,c%d\r\ne"), "a:b,c%25d%0D%0Ae"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
}

func TestArtifactURI(t *testing.T) {
	abs, err := filepath.Abs("x")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		root, path, uri string
		rel             bool
	}{
		{"", "etc/nginx/nginx.conf", "etc/nginx/nginx.conf", true},
		{"", "./etc/nginx/my site.conf", "etc/nginx/my%20site.conf", true},
		{"deploy", "deploy/etc/nginx/nginx.conf", "etc/nginx/nginx.conf", true},
		{"deploy", "other/nginx.conf", "file://" + filepath.ToSlash(filepath.Join(filepath.Dir(abs), "other/nginx.conf")), false},
		{"/srv/repo", "/srv/repo/etc/nginx.conf", "etc/nginx.conf", true},
		{"/srv/repo", "/etc/nginx/nginx.conf", "file:///etc/nginx/nginx.conf", false},
		{"", abs, "x", true},
	}
	for _, c := range cases {
		uri, rel := Options{Root: c.root}.artifactURI(c.path)
		if uri != c.uri || rel != c.rel {
			t.Errorf("artifactURI(root %q, %q) = %q, %v; want %q, %v", c.root, c.path, uri, rel, c.uri, c.rel)
		}
	}
}

func TestSARIFVersions(t *testing.T) {
	cases := []struct{ in, version, semantic string }{
		{"1.2.3", "1.2.3", "1.2.3"},
		{"v1.2.3-rc.1", "1.2.3-rc.1", "1.2.3-rc.1"},
		{"1.2", "1.2", ""},
		{"dev", "0.0.0-dev", "0.0.0-dev"},
		{"(devel)", "0.0.0-devel", "0.0.0-devel"},
		{"", "0.0.0-unknown", "0.0.0-unknown"},
	}
	for _, c := range cases {
		if v, s := sarifVersions(c.in); v != c.version || s != c.semantic {
			t.Errorf("sarifVersions(%q) = %q, %q; want %q, %q", c.in, v, s, c.version, c.semantic)
		}
	}
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{"load-error": "LoadError", "fastcgi-pass-unmatched": "FastcgiPassUnmatched", "x": "X"} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSARIFValidates runs Microsoft's SARIF Multitool with GitHub's upload
// rules (../shared/tools/sarif-validate) on a report with findings and on a
// clean one.
func TestSARIFValidates(t *testing.T) {
	tool, err := filepath.Abs("../../../shared/tools/sarif-validate")
	if err != nil {
		t.Fatal(err)
	}
	skip := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s", why)
		}
		t.Skip(why)
	}
	if _, err := os.Stat(tool); err != nil {
		skip("no SARIF validator: " + err.Error())
	}
	if _, err := exec.LookPath("npm"); err != nil {
		skip("sarif-validate needs npm: " + err.Error())
	}
	if testing.Short() {
		t.Skip("-short: not running the SARIF Multitool")
	}
	dir := t.TempDir()
	var files []string
	dev := testReport()
	dev.Version, dev.Errors = "dev", nil
	outside := testOptions()
	outside.Root = "/nonexistent"
	cases := map[string]struct {
		r *Report
		o Options
	}{
		"findings.sarif": {testReport(), testOptions()},
		"clean.sarif":    {cleanReport(), testOptions()},
		"dev.sarif":      {dev, testOptions()},
		"outside.sarif":  {testReport(), outside},
	}
	for name, c := range cases {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, render(t, "sarif", c.r, c.o), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	out, err := exec.Command(tool, files...).CombinedOutput()
	if err != nil {
		t.Fatalf("sarif-validate: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
