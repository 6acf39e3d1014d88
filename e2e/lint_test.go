package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// lintStack runs the linter on the original stack directory the way the CLI
// does with `--root <dir> /etc/nginx /etc/php`.
func lintStack(dir string) ([]lint.Finding, []string, error) {
	m, err := parsers.Load(parsers.Options{Root: dir, Paths: []string{"/etc/nginx", "/etc/php"}})
	var ids []string
	for _, r := range rules.All() {
		ids = append(ids, r.ID)
	}
	if m == nil {
		return nil, ids, err
	}
	return lint.Run(m, rules.All()), ids, err
}

// relFile turns a finding's file (the stack directory joined with the
// configuration's path) into a path relative to the stack directory.
func relFile(file, dir string) string {
	file = filepath.ToSlash(file)
	dir = filepath.ToSlash(dir)
	if rest, ok := strings.CutPrefix(file, dir+"/"); ok {
		return rest
	}
	return strings.TrimPrefix(file, "/")
}

// describeFinding renders a finding for the test log and the evidence
// table; paths in its message lose the stack directory (which differs
// between checkouts) and read as the configuration's paths.
func describeFinding(f lint.Finding, dir string) string {
	msg := strings.ReplaceAll(f.Message, filepath.ToSlash(dir), "")
	return fmt.Sprintf("%s %s:%d: %s", f.Rule, relFile(f.Span.Start.File, dir), f.Span.Start.Line, msg)
}

// runLint is the linter's verdict on a stack: the broken case's expected
// findings are reported (rule and file:line), the fixed case has no finding
// of its rule.
func runLint(t *testing.T, c *stackCase, r *caseResult) {
	findings, ids, err := lintStack(c.Dir)
	if err != nil {
		r.lintNote = "load error"
		t.Errorf("loading %s: %v", c.Dir, err)
	}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	byRule := map[string][]lint.Finding{}
	for _, f := range findings {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	for _, w := range c.Exp.Findings {
		found := false
		for _, f := range byRule[w.Rule] {
			if relFile(f.Span.Start.File, c.Dir) == w.File && int(f.Span.Start.Line) == w.Line {
				found = true
				r.findings = append(r.findings, describeFinding(f, c.Dir))
				break
			}
		}
		if found {
			continue
		}
		switch {
		case !known[w.Rule]:
			r.lintNote = "rule not in rules.All() yet"
			t.Errorf("want finding %s: rule %s is not in rules.All() yet", w, w.Rule)
		case len(byRule[w.Rule]) == 0:
			t.Errorf("want finding %s: the rule reported nothing", w)
		default:
			var got []string
			for _, f := range byRule[w.Rule] {
				got = append(got, describeFinding(f, c.Dir))
			}
			t.Errorf("want finding %s; the rule reported elsewhere:\n\t%s", w, strings.Join(got, "\n\t"))
		}
	}
	for _, rule := range c.Exp.NoFindings {
		if !known[rule] {
			r.lintNote = "rule not in rules.All() yet"
			t.Errorf("no_finding %s: rule %s is not in rules.All() yet (a missing rule proves nothing)", rule, rule)
		}
		for _, f := range byRule[rule] {
			r.findings = append(r.findings, describeFinding(f, c.Dir))
			t.Errorf("the fixed stack still has a finding: %s", describeFinding(f, c.Dir))
		}
	}
}
