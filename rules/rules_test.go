package rules

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
)

var update = flag.Bool("update", false, "rewrite testdata/rules/*/*/expect from the current findings")

var ruleIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	all := All()
	for i, r := range all {
		if !ruleIDPattern.MatchString(r.ID) {
			t.Errorf("rule id %q is not kebab-case", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule id %q listed twice", r.ID)
		}
		seen[r.ID] = true
		if i > 0 && all[i-1].ID > r.ID {
			t.Errorf("All() is not sorted: %q before %q", all[i-1].ID, r.ID)
		}
		if r.Title == "" || r.Doc == "" || r.Bad == "" || r.Good == "" || r.Fix == "" || r.Severity == 0 || len(r.Tags) == 0 || r.Check == nil {
			t.Errorf("rule %s: every field must be set (title, doc, bad, good, fix, severity, tags, check)", r.ID)
		}
		if isLive(r) {
			continue // tested against real sockets and processes in live_test.go
		}
		cases, _ := filepath.Glob(filepath.Join("..", "testdata", "rules", r.ID, "*", "expect"))
		var fire, silent int
		for _, c := range cases {
			data, _ := os.ReadFile(c)
			if strings.TrimSpace(string(data)) == "" {
				silent++
			} else {
				fire++
			}
		}
		if fire == 0 || silent == 0 {
			t.Errorf("rule %s: testdata/rules/%s needs cases that fire and cases that stay silent (has %d and %d)", r.ID, r.ID, fire, silent)
		}
	}
}

// TestRules runs each rule on every tree under testdata/rules/<rule-id>/ and
// compares its findings with the tree's expect file: one line per finding,
// `file:line:col: severity: message`, then its related places indented.
// An empty expect file means the rule must stay silent there.
func TestRules(t *testing.T) {
	for _, rule := range All() {
		dirs, _ := filepath.Glob(filepath.Join("..", "testdata", "rules", rule.ID, "*"))
		for _, dir := range dirs {
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				continue
			}
			t.Run(rule.ID+"/"+filepath.Base(dir), func(t *testing.T) {
				got := render(dir, runRule(t, dir, rule))
				expectFile := filepath.Join(dir, "expect")
				if *update {
					if err := os.WriteFile(expectFile, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(expectFile)
				if err != nil {
					t.Fatalf("%v (run go test ./rules -update to create it, then review it)", err)
				}
				if got != string(want) {
					t.Errorf("findings differ from %s\n--- want\n%s--- got\n%s", expectFile, want, got)
				}
			})
		}
	}
}

// loadTree loads a test tree the way a user would with --root DIR: its
// etc/nginx and etc/php (or the other layouts' files) as absolute paths.
func loadTree(t testing.TB, dir string) *lint.Model {
	t.Helper()
	var paths []string
	for _, p := range []string{"/etc/nginx", "/etc/php", "/etc/php-fpm.conf", "/usr/local/etc/php-fpm.conf"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			paths = append(paths, p)
		}
	}
	m, err := parsers.Load(parsers.Options{Root: dir, Paths: paths})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return m
}

func runRule(t testing.TB, dir string, rule *lint.Rule) []lint.Finding {
	return lint.Run(loadTree(t, dir), []*lint.Rule{rule})
}

func render(dir string, findings []lint.Finding) string {
	rel := func(p lint.Pos) string {
		if r, err := filepath.Rel(dir, p.File); err == nil {
			p.File = r
		}
		return p.String()
	}
	var lines []string
	for _, f := range findings {
		lines = append(lines, fmt.Sprintf("%s: %s: %s", rel(f.Pos()), f.Severity, f.Message))
		for _, r := range f.Related {
			lines = append(lines, fmt.Sprintf("    %s: %s", rel(r.Pos), r.Message))
		}
		if f.Fix != nil && f.Fix.Replacement != "" {
			lines = append(lines, "    fix: "+strings.ReplaceAll(f.Fix.Replacement, "\n", "\n         "))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
