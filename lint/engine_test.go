package lint_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

func at(file string, line, col int) lint.Span {
	p := lint.Pos{File: file, Line: int32(line), Col: int32(col)}
	return lint.Span{Start: p, End: p}
}

// reporting is a rule that reports the findings given.
func reporting(id string, sev lint.Severity, fs ...lint.Finding) *lint.Rule {
	return &lint.Rule{ID: id, Title: id, Severity: sev, Check: func(_ *lint.Model, r *lint.Reporter) {
		for _, f := range fs {
			r.Report(f)
		}
	}}
}

func describe(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %s %s", f.Span.Start, f.Rule, f.Severity, f.Message))
	}
	return out
}

func TestRunSortsAndDedupes(t *testing.T) {
	cases := []struct {
		name  string
		rules []*lint.Rule
		want  []string
	}{
		{
			name: "by file, then line, then column, then rule",
			rules: []*lint.Rule{
				reporting("zz-rule", lint.Warning,
					lint.Finding{Span: at("b.conf", 1, 1), Message: "b1"},
					lint.Finding{Span: at("a.conf", 10, 1), Message: "a10"},
					lint.Finding{Span: at("a.conf", 2, 7), Message: "a2c7"},
				),
				reporting("aa-rule", lint.Error,
					lint.Finding{Span: at("a.conf", 2, 7), Message: "same place"},
					lint.Finding{Span: at("a.conf", 2, 3), Message: "a2c3"},
				),
			},
			want: []string{
				"a.conf:2:3 aa-rule error a2c3",
				"a.conf:2:7 aa-rule error same place",
				"a.conf:2:7 zz-rule warning a2c7",
				"a.conf:10:1 zz-rule warning a10", // 10 after 2: numbers, not strings
				"b.conf:1:1 zz-rule warning b1",
			},
		},
		{
			name: "same rule and place: by message",
			rules: []*lint.Rule{reporting("r", lint.Note,
				lint.Finding{Span: at("a.conf", 1, 1), Message: "second"},
				lint.Finding{Span: at("a.conf", 1, 1), Message: "first"},
			)},
			want: []string{"a.conf:1:1 r note first", "a.conf:1:1 r note second"},
		},
		{
			name: "identical findings once (a location reached through two includes)",
			rules: []*lint.Rule{reporting("r", lint.Error,
				lint.Finding{Span: at("snippet.conf", 3, 1), Message: "dup"},
				lint.Finding{Span: at("snippet.conf", 3, 1), Message: "dup", Related: []lint.Related{{Pos: lint.Pos{File: "x", Line: 1}, Message: "other site"}}},
				lint.Finding{Span: at("snippet.conf", 3, 1), Message: "dup"},
				lint.Finding{Span: at("snippet.conf", 4, 1), Message: "dup"},
			)},
			want: []string{"snippet.conf:3:1 r error dup", "snippet.conf:4:1 r error dup"},
		},
		{
			name: "same place and message, other rule: both kept",
			rules: []*lint.Rule{
				reporting("one", lint.Error, lint.Finding{Span: at("a.conf", 1, 1), Message: "m"}),
				reporting("two", lint.Error, lint.Finding{Span: at("a.conf", 1, 1), Message: "m"}),
			},
			want: []string{"a.conf:1:1 one error m", "a.conf:1:1 two error m"},
		},
		{
			name: "a rule's own severity, unless the finding sets one",
			rules: []*lint.Rule{reporting("r", lint.Warning,
				lint.Finding{Span: at("a.conf", 1, 1), Message: "default"},
				lint.Finding{Span: at("a.conf", 2, 1), Message: "note", Severity: lint.Note},
			)},
			want: []string{"a.conf:1:1 r warning default", "a.conf:2:1 r note note"},
		},
		{
			name:  "no rules, no findings",
			rules: nil,
			want:  nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := describe(lint.Run(&lint.Model{}, c.rules))
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("Run =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

func TestRunFillsSpanEnd(t *testing.T) {
	start := lint.Pos{File: "a.conf", Line: 3, Col: 5}
	fs := lint.Run(&lint.Model{}, []*lint.Rule{reporting("r", lint.Error, lint.Finding{Span: lint.Span{Start: start}, Message: "m"})})
	if len(fs) != 1 || fs[0].Span.End != start {
		t.Errorf("a finding without an end ends where it starts: got %+v", fs)
	}
}

// TestReportElidesLongWords: a message quotes a word of at most 200 bytes
// whole; a longer one (a megabyte-long key) keeps its start, cut at a rune
// boundary, and its length. A fix's replacement stays whole.
func TestReportElidesLongWords(t *testing.T) {
	long := "a" + strings.Repeat("é", 150) // 301 bytes; byte 100 is inside an é
	short := strings.Repeat("k", 200)
	f := lint.Finding{Span: at("a.conf", 1, 1), Message: "unknown directive " + long + " in [www]", Consequence: short,
		Related: []lint.Related{{Message: "x\t" + long}}, Fix: &lint.Fix{Text: "write " + long, Replacement: long + " = 1"}}
	fs := lint.Run(&lint.Model{}, []*lint.Rule{reporting("r", lint.Error, f)})
	got := fs[0]
	cut := "a" + strings.Repeat("é", 49) + "…(301 bytes)"
	want := "unknown directive " + cut + " in [www]"
	if got.Message != want {
		t.Errorf("message %q, want %q", got.Message, want)
	}
	if got := lint.Elide(`the directive "` + strings.Repeat("x", 300) + `" at line 2`); got != `the directive "`+strings.Repeat("x", 99)+`…(302 bytes)" at line 2` {
		t.Errorf("a quoted word lost its closing quote: %q", got)
	}
	if got.Consequence != short {
		t.Errorf("a 200-byte word was cut: %q", got.Consequence)
	}
	if got.Related[0].Message != "x\t"+cut || got.Fix.Text != "write "+cut {
		t.Errorf("related %q, fix %q", got.Related[0].Message, got.Fix.Text)
	}
	if got.Fix.Replacement != long+" = 1" {
		t.Errorf("the replacement was cut: %q", got.Fix.Replacement)
	}
	if f.Fix.Text != "write "+long {
		t.Errorf("the rule's own Fix was changed: %q", f.Fix.Text)
	}
}

func TestRunPanickingRule(t *testing.T) {
	var ran atomic.Int32
	good := func(id string) *lint.Rule {
		return &lint.Rule{ID: id, Severity: lint.Warning, Check: func(_ *lint.Model, r *lint.Reporter) {
			ran.Add(1)
			r.Report(lint.Finding{Span: at("a.conf", 5, 1), Message: id + " found"})
		}}
	}
	bad := &lint.Rule{ID: "broken", Severity: lint.Note, Check: func(m *lint.Model, r *lint.Reporter) {
		r.Report(lint.Finding{Span: at("a.conf", 1, 1), Message: "before the panic"})
		_ = m.Nginx.Root // nil pointer: the model has no nginx
	}}
	var rules []*lint.Rule
	for i := range 20 { // more rules than GOMAXPROCS, the panic among them
		if i == 7 {
			rules = append(rules, bad)
		}
		rules = append(rules, good(fmt.Sprintf("good-%02d", i)))
	}
	fs := lint.Run(&lint.Model{}, rules)
	if ran.Load() != 20 {
		t.Errorf("%d of 20 other rules ran", ran.Load())
	}
	var internal *lint.Finding
	for i, f := range fs {
		if f.Rule == "broken" && strings.Contains(f.Message, "internal error") {
			internal = &fs[i]
		}
	}
	if internal == nil {
		t.Fatalf("no internal-error finding for the panicking rule in\n%s", strings.Join(describe(fs), "\n"))
	}
	if internal.Severity != lint.Error {
		t.Errorf("internal error has severity %v, want error", internal.Severity)
	}
	for _, want := range []string{"broken", "nil pointer", "report"} {
		if !strings.Contains(internal.Message, want) {
			t.Errorf("internal error message %q lacks %q", internal.Message, want)
		}
	}
	kept := false
	for _, f := range fs {
		if f.Rule == "broken" && f.Message == "before the panic" {
			kept = true
		}
	}
	if !kept {
		t.Errorf("the finding reported before the panic was lost")
	}
	if got := len(fs); got != 22 {
		t.Errorf("%d findings, want 20 + 2 from the broken rule:\n%s", got, strings.Join(describe(fs), "\n"))
	}
}

func TestRunWithOptions(t *testing.T) {
	rule := &lint.Rule{ID: "opt", Severity: lint.Note,
		Options: []lint.RuleOption{
			{Name: "min", Default: "4k", Valid: func(v string) bool { _, ok := lint.ParseSize(v); return ok }},
			{Name: "other", Default: "def"},
		},
		Check: func(_ *lint.Model, r *lint.Reporter) {
			r.Report(lint.Finding{Span: at("a.conf", 1, 1), Message: "min=" + r.Option("min") + " other=" + r.Option("other")})
		}}
	cases := []struct {
		options map[string]map[string]string
		want    string
	}{
		{nil, "min=4k other=def"},
		{map[string]map[string]string{"opt": {"min": "16k"}}, "min=16k other=def"},
		{map[string]map[string]string{"opt": {"min": ""}}, "min=4k other=def"},    // empty is unset
		{map[string]map[string]string{"opt": {"min": "abc"}}, "min=4k other=def"}, // invalid: the default
		{map[string]map[string]string{"else": {"min": "1m"}}, "min=4k other=def"},
	}
	for _, c := range cases {
		fs := lint.RunWithOptions(&lint.Model{}, []*lint.Rule{rule}, c.options)
		if len(fs) != 1 || fs[0].Message != c.want {
			t.Errorf("options %v: got %v, want %q", c.options, describe(fs), c.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	for _, c := range []struct {
		in   string
		want lint.Severity
		ok   bool
	}{
		{"error", lint.Error, true}, {"warning", lint.Warning, true}, {"note", lint.Note, true}, {"info", lint.Note, true},
		{"Error", 0, false}, {"fatal", 0, false}, {"", 0, false},
	} {
		got, err := lint.ParseSeverity(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSeverity(%q) = %v, %v", c.in, got, err)
		}
		if c.ok {
			if text, _ := got.MarshalText(); string(text) != got.String() {
				t.Errorf("MarshalText(%v) = %q", got, text)
			}
		}
	}
	if lint.Note >= lint.Warning || lint.Warning >= lint.Error {
		t.Errorf("severities are not ordered note < warning < error")
	}
	if s := lint.Severity(0).String(); s != "severity(0)" {
		t.Errorf("Severity(0).String() = %q", s)
	}
}
