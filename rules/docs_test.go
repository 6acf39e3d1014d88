package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/printers"
)

// docsDir holds one generated page per rule of the catalogue and an index.
var docsDir = filepath.Join("..", "docs", "rules")

const docsRegenerate = "go test ./rules -run TestDocsCurrent -update"

// TestDocsCurrent keeps docs/rules/ equal to what the rules' metadata
// generates: a page per rule of printers.Catalogue(All()) (the reserved
// load-error, invalid-ignore and unused-ignore included) and README.md, the
// index. The page's body is printers.HelpMarkdown, so that the page, SARIF's
// help and `nginx502-lint explain` say the same. With -update it rewrites
// the pages and removes those of ids no longer in the catalogue.
func TestDocsCurrent(t *testing.T) {
	want := docPages(printers.Catalogue(All()))
	if *update {
		if err := os.MkdirAll(docsDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range want {
			if err := os.WriteFile(filepath.Join(docsDir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range strayPages(t, want) {
			if err := os.Remove(filepath.Join(docsDir, name)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for _, name := range lint.SortedKeys(want) {
		path := filepath.Join(docsDir, name)
		got, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is missing: run %s", path, docsRegenerate)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want[name] {
			t.Errorf("%s is stale (%s): run %s, then review the diff", path, firstDifference(string(got), want[name]), docsRegenerate)
		}
	}
	for _, name := range strayPages(t, want) {
		t.Errorf("%s documents no rule of the catalogue: run %s (a rule id must never be renamed or reused)", filepath.Join(docsDir, name), docsRegenerate)
	}
}

// strayPages lists the .md files of docsDir that docPages does not write.
func strayPages(t *testing.T, want map[string]string) []string {
	t.Helper()
	entries, err := os.ReadDir(docsDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var stray []string
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok && !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			stray = append(stray, e.Name())
		}
	}
	return stray
}

// firstDifference names the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d is %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

// docPages returns the generated files of docs/rules/ by name.
func docPages(catalogue []*lint.Rule) map[string]string {
	pages := map[string]string{"README.md": docIndex(catalogue)}
	for _, r := range catalogue {
		pages[r.ID+".md"] = docPage(r)
	}
	return pages
}

const generatedNote = "<!-- Generated from the rule's metadata by `" + docsRegenerate + "`. Do not edit: change the rule and regenerate. -->\n\n"

func isMeta(r *lint.Rule) bool { return slices.Contains(r.Tags, "meta") }

// docPage is a rule's page: a header with its facts, the shared help text,
// and how to turn the rule off.
func docPage(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString(generatedNote)
	fmt.Fprintf(&b, "# %s\n\n", r.ID)
	// The title stays as written: it often starts with a directive name.
	fmt.Fprintf(&b, "**%s**\n\n", r.Title)
	fmt.Fprintf(&b, "- Rule id: `%s`\n", r.ID)
	fmt.Fprintf(&b, "- Default severity: %s\n", r.Severity)
	tags := make([]string, len(r.Tags))
	for i, tag := range r.Tags {
		tags[i] = "`" + tag + "`"
	}
	fmt.Fprintf(&b, "- Tags: %s\n", strings.Join(tags, ", "))
	if r.SecuritySeverity > 0 {
		fmt.Fprintf(&b, "- Security severity: %.1f of 10 (a %s security alert in GitHub code scanning)\n", r.SecuritySeverity, securityLevel(r.SecuritySeverity))
	}
	fmt.Fprintf(&b, "- In the terminal: `nginx502-lint explain %s`\n\n", r.ID)
	b.WriteString(printers.HelpMarkdown(r))
	b.WriteString("\n\n")
	b.WriteString(disableSection(r))
	b.WriteString("\n[All rules](README.md)\n")
	return b.String()
}

// disableSection says how to turn the rule off, everywhere or in one place.
func disableSection(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString("## Turning it off\n\n")
	if r.ID == printers.LoadErrorID {
		b.WriteString("A configuration that cannot be read cannot be checked, so this rule cannot be disabled or\n" +
			"ignored: the run exits with status 2 until the file is fixed. The message names the file and\n" +
			"line; `nginx -t` and `php-fpm -t` report the same problem.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "For the whole configuration, in `.nginx502-lint.yml` (`nginx502-lint config init` writes one):\n\n"+
		"```yaml\nrules:\n  disable:\n    - %s\n```\n\n", r.ID)
	fmt.Fprintf(&b, "or on the command line: `nginx502-lint --disable %s …`.\n\n", r.ID)
	fmt.Fprintf(&b, "To keep it with another severity (`error`, `warning`, `note`, or `off` to turn it off):\n\n"+
		"```yaml\nrules:\n  %s:\n    severity: note\n```\n\n", r.ID)
	if isMeta(r) {
		b.WriteString("`--no-inline-ignores` turns off every inline ignore comment, and with them this rule.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "For one place, write an ignore comment, with the reason after `--`, on the line before the\n"+
		"directive the finding points at (or at the end of that line). In nginx files:\n\n"+
		"```nginx\n# nginx502-lint: ignore %[1]s -- why this is safe here\n```\n\n"+
		"In PHP-FPM pool files and php.ini:\n\n"+
		"```ini\n; nginx502-lint: ignore %[1]s -- why this is safe here\n```\n\n"+
		"Before a block (`server`, `location`, `upstream`) it covers the whole block;\n"+
		"`nginx502-lint: ignore-file %[1]s -- reason` covers the whole file. An ignore without a\n"+
		"reason is reported as [invalid-ignore](invalid-ignore.md), one that no longer matches as\n"+
		"[unused-ignore](unused-ignore.md).\n", r.ID)
	return b.String()
}

// docIndex is docs/rules/README.md: every rule with its severity and title.
func docIndex(catalogue []*lint.Rule) string {
	var b strings.Builder
	b.WriteString(generatedNote)
	b.WriteString("# Rules\n\n")
	b.WriteString("Every check of nginx502-lint, with its default severity. `nginx502-lint rules` prints this\n" +
		"list and `nginx502-lint explain RULE` a rule's page in the terminal. Findings that concern the\n" +
		"linter itself (an unreadable file, an inline ignore comment) are listed last.\n\n")
	b.WriteString("| Rule | Severity | What it finds |\n| --- | --- | --- |\n")
	var meta []*lint.Rule
	for _, r := range catalogue {
		if isMeta(r) {
			meta = append(meta, r)
			continue
		}
		fmt.Fprintf(&b, "| [%[1]s](%[1]s.md) | %s | %s |\n", r.ID, r.Severity, tableCell(r.Title))
	}
	for _, r := range meta {
		fmt.Fprintf(&b, "| [%[1]s](%[1]s.md) | %s | %s |\n", r.ID, r.Severity, tableCell(r.Title))
	}
	b.WriteString("\nSeverities: **error** — the configuration fails (502/504 on every request to the location, or\n" +
		"nginx/php-fpm refuses to start); **warning** — it fails under some conditions (load, slow\n" +
		"requests, large headers) or is a risk; **note** — worth knowing, not a failure by itself. `--fail-on` and\n" +
		"`--min-severity` choose which ones fail the run and which ones are shown.\n")
	return b.String()
}

// tableCell escapes what would break a Markdown table row.
func tableCell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}

// securityLevel is GitHub code scanning's level of a security-severity score.
func securityLevel(score float64) string {
	switch {
	case score >= 9:
		return "critical"
	case score >= 7:
		return "high"
	case score >= 4:
		return "medium"
	}
	return "low"
}
