// Package filter holds the stages that run after the rules and before the
// printers (golangci-lint's pkg/result/processors): inline ignores, severity
// overrides, exclude globs, the baseline, the severity threshold and the
// single-file scope. Each stage is a [Processor]; [Apply] runs them in order.
//
// The order the CLI should use, and why:
//
//  1. [Inline]: sees every finding the rules made, so that "unused-ignore"
//     is right, and its own findings go through the stages below.
//  2. [Severity]: per-rule overrides and "off" (also for invalid-ignore and
//     unused-ignore).
//  3. [Exclude]: drops findings in excluded files.
//  4. [Baseline]: drops known findings (write a baseline from the findings
//     as they leave stage 3, so both sides number repeats alike).
//  5. [MinSeverity]: the display threshold.
//  6. [OnlyFile]: editor mode.
package filter

import (
	"path/filepath"
	"slices"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// Processor is one stage: it returns the findings to keep (and may add some).
// Input and output are sorted as lint.SortFindings sorts.
type Processor interface {
	Process(fs []lint.Finding) []lint.Finding
}

// Apply runs the processors in order.
func Apply(fs []lint.Finding, ps ...Processor) []lint.Finding {
	for _, p := range ps {
		if p != nil {
			fs = p.Process(fs)
		}
	}
	return fs
}

// Reserved rule ids of the findings this package makes.
const (
	InvalidIgnoreID = "invalid-ignore"
	UnusedIgnoreID  = "unused-ignore"
)

// InvalidIgnore is reported for an inline ignore comment that cannot be
// used: no reason, no or unknown rule ids, an unknown form.
var InvalidIgnore = &lint.Rule{
	ID:       InvalidIgnoreID,
	Title:    "inline ignore comment is malformed",
	Severity: lint.Error,
	Tags:     []string{"meta"},
	Doc: "An `# nginx502-lint: ignore RULE -- reason` comment must name known rule ids and give a reason " +
		"after ` -- `, so that the next reader knows why a 502 risk was accepted. " +
		"A malformed ignore suppresses nothing.",
	Bad:  "# nginx502-lint: ignore fastcgi-pass-unmatched\nfastcgi_pass unix:/run/php/legacy.sock;",
	Good: "# nginx502-lint: ignore fastcgi-pass-unmatched -- socket made by the legacy container\nfastcgi_pass unix:/run/php/legacy.sock;",
	Fix:  "name known rule ids, comma-separated, and add ` -- ` and the reason",
}

// UnusedIgnore is reported for an inline ignore that suppressed nothing.
var UnusedIgnore = &lint.Rule{
	ID:       UnusedIgnoreID,
	Title:    "inline ignore comment matches no finding",
	Severity: lint.Warning,
	Tags:     []string{"meta"},
	Doc: "An ignore comment whose rule no longer fires on the next directive (or in the file, for " +
		"ignore-file) is stale: it would hide the next real problem there. Ignores of rules that " +
		"did not run (disabled) are not reported.",
	Bad:  "# nginx502-lint: ignore fastcgi-pass-unmatched -- old socket\nfastcgi_pass unix:/run/php/php8.2-fpm.sock;",
	Good: "fastcgi_pass unix:/run/php/php8.2-fpm.sock;",
	Fix:  "delete the comment, or the rule id that no longer fires",
}

// Rules are the rules of the findings this package reports; add them to the
// catalogue (rule list, explain, SARIF).
var Rules = []*lint.Rule{InvalidIgnore, UnusedIgnore}

// Severity applies per-rule severity overrides and turns rules off.
type Severity struct {
	// Set maps a rule id to the severity its findings get.
	Set map[string]lint.Severity
	// Off lists rule ids whose findings are dropped.
	Off map[string]bool
}

func (s Severity) Process(fs []lint.Finding) []lint.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if s.Off[f.Rule] {
			continue
		}
		if sev, ok := s.Set[f.Rule]; ok && sev != 0 {
			f.Severity = sev
		}
		out = append(out, f)
	}
	return out
}

// MinSeverity drops findings below Min.
type MinSeverity struct{ Min lint.Severity }

func (m MinSeverity) Process(fs []lint.Finding) []lint.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f.Severity >= m.Min {
			out = append(out, f)
		}
	}
	return out
}

// OnlyFile keeps the findings whose primary position is in File (editor
// mode). Paths are compared cleaned and absolute, and also through RealPath
// when set, so that sites-available/x matches a finding reached through
// sites-enabled/x.
type OnlyFile struct {
	File     string
	RealPath func(string) string
}

func (o OnlyFile) Process(fs []lint.Finding) []lint.Finding {
	want := o.keys(o.File)
	out := fs[:0:0]
	for _, f := range fs {
		for _, k := range o.keys(f.Span.Start.File) {
			if slices.Contains(want, k) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

func (o OnlyFile) keys(p string) []string {
	if p == "" {
		return nil
	}
	keys := []string{absClean(p)}
	if o.RealPath != nil {
		if r := o.RealPath(p); r != "" {
			keys = append(keys, absClean(r))
		}
	}
	return keys
}

func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
