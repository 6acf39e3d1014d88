// Package printers writes a run's findings in the output formats: text, gcc,
// json, sarif and github. Each format is one small file with its own wire
// structs; all of them read the same [Report].
package printers

import (
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
)

// Tool facts the formats print.
const (
	ToolName       = "nginx502-lint"
	InformationURI = "https://github.com/nginx502-lint/nginx502-lint"
	// RuleDocURI is the documentation page of a rule; %s is its id.
	RuleDocURI = InformationURI + "/blob/main/docs/rules/%s.md"
)

// Report is what a run produced, as the printers need it.
type Report struct {
	// Version is the tool's version ("1.2.0", "dev").
	Version string
	// Rules is the rule catalogue. LoadError and the filter's rules are
	// added when missing (see Catalogue).
	Rules []*lint.Rule
	// Findings are the findings to show, sorted (after every filter).
	Findings []lint.Finding
	// Errors are the configurations that could not be read; every format
	// shows them as findings of the rule "load-error".
	Errors lint.LoadErrors
	// Files is the number of files checked.
	Files int
	// Elapsed is the run's duration; 0 leaves it out.
	Elapsed time.Duration
	// Skipped are cross-checks that could not run, one sentence each:
	// "no PHP-FPM configuration given: fastcgi_pass targets not checked against pools".
	Skipped []string
}

// Options tune how a report is written. Each format reads only what
// concerns it.
type Options struct {
	// Color turns on ANSI colours in the text format. The caller decides:
	// a terminal, and NO_COLOR unset.
	Color bool
	// Root is the directory SARIF artifact URIs are relative to (as
	// %SRCROOT%), and GitHub annotation paths too: --sarif-root, "" for
	// the current directory. Files outside it get absolute file:// URIs.
	Root string
	// RealPath maps a file as reached (sites-enabled/default) to the real
	// file (sites-available/default), so that code scanning shows the file
	// in the repository. nil keeps paths as they are. Used by sarif and
	// github.
	RealPath func(path string) string
}

// Printer writes a report in one format.
type Printer interface {
	Print(w io.Writer, r *Report, o Options) error
}

var registry = map[string]Printer{
	"text":   Text{},
	"gcc":    GCC{},
	"json":   JSON{},
	"sarif":  SARIF{},
	"github": GitHub{},
}

// ByName returns the printer of a format.
func ByName(name string) (Printer, bool) {
	p, ok := registry[name]
	return p, ok
}

// Names lists the formats, sorted.
func Names() []string { return lint.SortedKeys(registry) }

// LoadErrorID is the reserved rule id of configurations that could not be read.
const LoadErrorID = "load-error"

// LoadError is the rule under which load errors are shown.
var LoadError = &lint.Rule{
	ID:       LoadErrorID,
	Title:    "configuration could not be read",
	Severity: lint.Error,
	Tags:     []string{"meta"},
	Doc: "A file could not be read or parsed: a syntax error, a missing include, an unreadable file. " +
		"nginx -t or php-fpm -t would refuse it too, so the server would not start or reload, " +
		"and no other rule has checked what the file holds.",
	Bad:  "location ~ \\.php$ {\n    fastcgi_pass unix:/run/php/php8.2-fpm.sock\n}",
	Good: "location ~ \\.php$ {\n    fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n}",
	Fix:  "fix the file at the position given, then run the linter again",
}

// Catalogue returns rules followed by the reserved rules (load-error,
// invalid-ignore, unused-ignore) that rules lacks, without duplicate ids.
func Catalogue(rules []*lint.Rule) []*lint.Rule {
	out := make([]*lint.Rule, 0, len(rules)+3)
	seen := map[string]bool{}
	for _, r := range append(slices.Clip(rules), append([]*lint.Rule{LoadError}, filter.Rules...)...) {
		if r != nil && !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
	}
	return out
}

// loadFindings turns load errors into findings of the rule load-error.
func loadFindings(es lint.LoadErrors) []lint.Finding {
	fs := make([]lint.Finding, 0, len(es))
	for _, e := range es {
		if e == nil {
			continue
		}
		fs = append(fs, lint.Finding{
			Rule: LoadErrorID, Severity: lint.Error, Message: lint.Elide(e.Msg),
			Span: lint.Span{Start: e.Pos, End: e.Pos},
		})
	}
	return fs
}

// all returns the load errors, then the findings.
func (r *Report) all() []lint.Finding {
	return append(loadFindings(r.Errors), r.Findings...)
}

// counts returns the number of findings (load errors included) per severity.
func (r *Report) counts() (errs, warns, notes int) {
	for _, f := range r.all() {
		switch f.Severity {
		case lint.Error:
			errs++
		case lint.Note:
			notes++
		default:
			warns++
		}
	}
	return
}

func ruleIndex(rules []*lint.Rule) map[string]int {
	m := make(map[string]int, len(rules))
	for i, r := range rules {
		m[r.ID] = i
	}
	return m
}

// where is a position for the line-oriented formats: the tool's name when
// there is no file, as gcc writes "gcc: error: …". Control characters in
// the file's name are escaped: a name holding a line break must not break
// the line, or forge another one.
func where(p lint.Pos) string {
	if p.File == "" {
		return ToolName
	}
	p.File = escapeControls(p.File)
	return p.String()
}

// oneLine keeps a message on its line, and escapes the other control
// characters, so that a value quoted from a file cannot drive the terminal.
func oneLine(s string) string {
	return escapeControls(lineBreaks.Replace(s))
}

// lineBreaks turns each line break into a space.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// escapeControls writes the ASCII control characters but tab as Go escapes
// (\n, \x1b). Other bytes, invalid UTF-8 included, are kept.
func escapeControls(s string) string {
	isControl := func(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }
	i := 0
	for i < len(s) && !isControl(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if c := s[i]; isControl(c) {
			q := strconv.QuoteRune(rune(c))
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// end returns the span's end, or its start when the end is unset or before it.
func end(s lint.Span) lint.Pos {
	if s.End.Line == 0 || s.End.File != s.Start.File || s.End.Before(s.Start) {
		return s.Start
	}
	return s.End
}

// artifactPath maps a file for code scanning: through RealPath, then
// relative to Root. rel is false when the file lies outside Root; path is
// then absolute.
func (o Options) artifactPath(p string) (path string, rel bool) {
	if o.RealPath != nil {
		if r := o.RealPath(p); r != "" {
			p = r
		}
	}
	root := o.Root
	if root == "" {
		root = "."
	}
	if filepath.IsAbs(root) != filepath.IsAbs(p) {
		var err error
		if root, err = filepath.Abs(root); err != nil {
			return filepath.ToSlash(p), false
		}
		if p, err = filepath.Abs(p); err != nil {
			return filepath.ToSlash(p), false
		}
	}
	r, err := filepath.Rel(root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		return filepath.ToSlash(p), false
	}
	return filepath.ToSlash(r), true
}

// artifactURI is artifactPath as a URI: relative (to %SRCROOT%) or file://.
func (o Options) artifactURI(p string) (uri string, rel bool) {
	path, rel := o.artifactPath(p)
	if rel {
		return (&url.URL{Path: path}).String(), true
	}
	return (&url.URL{Scheme: "file", Path: path}).String(), false
}

// sevName is a severity's name, with "warning" for an unset one.
func sevName(s lint.Severity) string {
	switch s {
	case lint.Error, lint.Warning, lint.Note:
		return s.String()
	}
	return "warning"
}
