package lint

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Severity of a finding.
type Severity int

const (
	Note Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Note:
		return "note"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads "error", "warning" or "note".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "note", "info":
		return Note, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or note)", s)
}

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule is one check, with the documentation that explain, the docs pages and
// SARIF show. Rules are plain values listed in rules.All.
type Rule struct {
	// ID is stable kebab-case; never renamed (users' ignores name it).
	ID       string
	Title    string
	Severity Severity
	Tags     []string
	// Doc explains what the rule catches and why it makes a 502/504.
	Doc string
	// Bad and Good are configuration excerpts: one that fires, its fix.
	Bad, Good string
	// Fix says what to change, in general terms.
	Fix string
	// SecuritySeverity is the CVSS-like score (0–10) of a security rule, 0
	// for the others.
	SecuritySeverity float64
	// Options are the settings the rule takes from .nginx502-lint.yml
	// (rules.<id>.options); Reporter.Option reads them.
	Options []RuleOption
	// Check inspects the model and reports through r. It must not keep
	// state, read files or change the model.
	Check func(m *Model, r *Reporter)
}

// RuleOption is one setting of a rule.
type RuleOption struct {
	Name    string
	Default string
	// Doc says what the option changes; Form what a value looks like
	// ("a size, such as 8k").
	Doc, Form string
	// Valid reports whether the rule can use a value.
	Valid func(string) bool
}

// Option returns rule's option name, or nil when it has none such.
func (r *Rule) Option(name string) *RuleOption {
	for i := range r.Options {
		if r.Options[i].Name == name {
			return &r.Options[i]
		}
	}
	return nil
}

// Finding is one problem in the configuration.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Message says what is wrong, in one line.
	Message string `json:"message"`
	// Span is where it is: the side to fix.
	Span Span `json:"span"`
	// Related are places on the other side: the pool, the upstream, the
	// level a value was inherited from.
	Related []Related `json:"related,omitempty"`
	// Consequence says what happens: the status and the error-log line.
	Consequence string `json:"consequence,omitempty"`
	// Fix is the change that makes the finding go away.
	Fix *Fix `json:"fix,omitempty"`
}

// Pos is where the finding starts.
func (f *Finding) Pos() Pos { return f.Span.Start }

// Related is a place that explains a finding.
type Related struct {
	Pos     Pos    `json:"pos"`
	Message string `json:"message"`
}

// Fix is the remedy of a finding: what to do, and where it is one line, the
// line to write there.
type Fix struct {
	Text string `json:"text"`
	// Replacement is the whole new directive or key (e.g.
	// "fastcgi_pass unix:/run/php/php8.2-fpm.sock;"), written at Span.
	Replacement string `json:"replacement,omitempty"`
	Span        Span   `json:"span,omitzero"`
}

// Reporter collects the findings of one rule and gives it its options.
type Reporter struct {
	rule     *Rule
	options  map[string]string
	findings []Finding
}

// NewReporter returns a reporter for rule with the user's options for it
// (from .nginx502-lint.yml; nil for none).
func NewReporter(rule *Rule, options map[string]string) *Reporter {
	return &Reporter{rule: rule, options: options}
}

// Option returns the user's value of the rule's option name, or its default
// when the user sets none (config.Validate refuses an invalid one before a
// run). It panics when the rule declares no such option.
func (r *Reporter) Option(name string) string {
	o := r.rule.Option(name)
	if o == nil {
		panic(fmt.Sprintf("rule %s reads option %q, which it does not declare", r.rule.ID, name))
	}
	if v, ok := r.options[name]; ok && v != "" && (o.Valid == nil || o.Valid(v)) {
		return v
	}
	return o.Default
}

// Findings returns what was reported.
func (r *Reporter) Findings() []Finding { return r.findings }

// Report records a finding of the rule at its default severity.
func (r *Reporter) Report(f Finding) {
	f.Rule = r.rule.ID
	if f.Severity == 0 {
		f.Severity = r.rule.Severity
	}
	if f.Span.End.Line == 0 {
		f.Span.End = f.Span.Start
	}
	f.Message, f.Consequence = Elide(f.Message), Elide(f.Consequence)
	for i := range f.Related {
		f.Related[i].Message = Elide(f.Related[i].Message)
	}
	if f.Fix != nil {
		if text := Elide(f.Fix.Text); text != f.Fix.Text {
			fix := *f.Fix // the rule's own stays; Replacement stays whole: editors write it
			fix.Text = text
			f.Fix = &fix
		}
	}
	r.findings = append(r.findings, f)
}

// hasLongWord reports whether s has a run of non-blank bytes longer than
// maxWord, which Elide shortens.
func hasLongWord(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' || s[i] == '\n' {
			run = 0
		} else if run++; run > maxWord {
			return true
		}
	}
	return false
}

// maxWord is the longest run of non-blank bytes a message quotes whole.
const maxWord = 200

// Elide shortens every run of non-blank bytes of s longer than maxWord to
// its first bytes, "…" and its length: a directive name of a megabyte,
// quoted by a message, its fix and its consequence, would otherwise make
// megabytes of output. Reporter.Report applies it to findings, the printers
// to load errors.
func Elide(s string) string {
	if !hasLongWord(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexAny(s, " \t\n")
		if i < 0 {
			i = len(s)
		}
		word := s[:i]
		if len(word) > maxWord {
			cut := maxWord / 2
			for cut > 0 && !utf8.RuneStart(word[cut]) {
				cut--
			}
			closing := "" // a quote or bracket that closes the word stays
			if strings.IndexByte(`"')]}`, word[len(word)-1]) >= 0 {
				closing = word[len(word)-1:]
			}
			fmt.Fprintf(&b, "%s…(%d bytes)%s", word[:cut], len(word), closing)
		} else {
			b.WriteString(word)
		}
		if i < len(s) {
			b.WriteByte(s[i])
			i++
		}
		s = s[i:]
	}
	return b.String()
}
