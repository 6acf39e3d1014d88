package printers

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
)

// SARIF is SARIF 2.1.0 for GitHub code scanning and SARIF viewers: one run,
// the whole rule catalogue, one result per finding.
//
// GitHub ignores relatedLocations, so a result's message also carries the
// related places (as links to them), the consequence and the fix. Load errors
// with a file are results of the rule load-error; a finding or load error
// without a file becomes a tool execution notification. partialFingerprints["nginx502Lint/v1"] is
// filter.Fingerprints: independent of line numbers.
type SARIF struct{}

const (
	sarifSchema      = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion     = "2.1.0"
	sarifSrcRoot     = "%SRCROOT%"
	sarifFingerprint = "nginx502Lint/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	ColumnKind  string            `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifHelp       `json:"help"`
	HelpURI              string          `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	ProblemSeverity  string   `json:"problem.severity"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful            bool                `json:"executionSuccessful"`
	ToolExecutionNotifications     []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	ToolConfigurationNotifications []sarifNotification `json:"toolConfigurationNotifications,omitempty"`
}

type sarifNotification struct {
	Level          string        `json:"level"`
	Message        sarifText     `json:"message"`
	AssociatedRule *sarifRuleRef `json:"associatedRule,omitempty"`
}

type sarifRuleRef struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Fixes               []sarifFix        `json:"fixes,omitempty"`
}

type sarifLocation struct {
	ID               *int                  `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifText            `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int32 `json:"startLine"`
	StartColumn int32 `json:"startColumn,omitempty"`
	EndLine     int32 `json:"endLine,omitempty"`
	EndColumn   int32 `json:"endColumn,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Replacements     []sarifReplacement    `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

func (SARIF) Print(w io.Writer, r *Report, o Options) error {
	rules := Catalogue(r.Rules)
	index := ruleIndex(rules)
	version, semantic := sarifVersions(r.Version)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: ToolName, Version: version, SemanticVersion: semantic,
			InformationURI: InformationURI, Rules: make([]sarifRule, 0, len(rules)),
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: len(r.Errors) == 0}},
		Results:     []sarifResult{},
		ColumnKind:  "unicodeCodePoints",
	}
	for _, rule := range rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(rule))
	}
	inv := &run.Invocations[0]
	for _, s := range r.Skipped {
		inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications,
			sarifNotification{Level: "note", Message: sarifText{sentence("skipped: " + s)}})
	}

	// A result needs a file: load errors without one, and a rule's internal
	// error, become notifications of the run.
	var all []lint.Finding
	for _, f := range r.all() {
		if f.Span.Start.File != "" {
			all = append(all, f)
			continue
		}
		n := sarifNotification{Level: sarifLevel(f.Severity), Message: sarifText{sentence(f.Message)}}
		if k, ok := index[f.Rule]; ok {
			n.AssociatedRule = &sarifRuleRef{ID: f.Rule, Index: k}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	fps := filter.Fingerprints(all)
	for i, f := range all {
		res := sarifResult{
			RuleID:              f.Rule,
			Level:               sarifLevel(f.Severity),
			Locations:           []sarifLocation{{PhysicalLocation: o.sarifPhysical(f.Span)}},
			PartialFingerprints: map[string]string{sarifFingerprint: fps[i]},
		}
		if k, ok := index[f.Rule]; ok {
			res.RuleIndex = &k
		}
		for j, rel := range f.Related {
			id := j + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               &id,
				PhysicalLocation: o.sarifPhysical(lint.Span{Start: rel.Pos, End: rel.Pos}),
				Message:          &sarifText{sentence(rel.Message)},
			})
		}
		res.Message.Text = o.sarifMessage(f)
		if fx := f.Fix; fx != nil && fx.Replacement != "" && fx.Span.Start.IsValid() {
			uri, rel := o.artifactURI(fx.Span.Start.File)
			res.Fixes = []sarifFix{{
				Description: sarifText{sentence(firstNonEmpty(fx.Text, "replace with "+fx.Replacement))},
				ArtifactChanges: []sarifArtifactChange{{
					ArtifactLocation: artifactLocation(uri, rel),
					Replacements: []sarifReplacement{{
						DeletedRegion:   *region(fx.Span),
						InsertedContent: sarifText{fx.Replacement},
					}},
				}},
			}}
		}
		run.Results = append(run.Results, res)
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

func sarifRuleOf(r *lint.Rule) sarifRule {
	props := sarifRuleProps{
		Tags:            append([]string{}, r.Tags...),
		Precision:       precision(r),
		ProblemSeverity: problemSeverity(r.Severity),
	}
	if r.SecuritySeverity > 0 {
		props.SecuritySeverity = fmt.Sprintf("%.1f", r.SecuritySeverity)
		if !slices.Contains(props.Tags, "security") {
			props.Tags = append(props.Tags, "security")
		}
	}
	return sarifRule{
		ID:                   r.ID,
		Name:                 pascalCase(r.ID),
		ShortDescription:     sarifText{sentence(r.Title)},
		FullDescription:      sarifText{sentence(firstNonEmpty(r.Doc, r.Title))},
		Help:                 sarifHelp{Text: HelpText(r), Markdown: HelpMarkdown(r)},
		HelpURI:              fmt.Sprintf(RuleDocURI, r.ID),
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(r.Severity)},
		Properties:           props,
	}
}

// precision is "high" for rules tagged "heuristic" (they guess at run-time
// facts), "very-high" for the others, which read what the files say.
func precision(r *lint.Rule) string {
	if slices.Contains(r.Tags, "heuristic") {
		return "high"
	}
	return "very-high"
}

func problemSeverity(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Note:
		return "recommendation"
	}
	return "warning"
}

func sarifLevel(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Note:
		return "note"
	}
	return "warning"
}

// HelpText is a rule's documentation as plain text: for SARIF and explain.
func HelpText(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString(sentence(firstNonEmpty(r.Doc, r.Title)))
	if r.Bad != "" {
		b.WriteString("\n\nBad:\n\n" + indent(r.Bad, "    "))
	}
	if r.Good != "" {
		b.WriteString("\n\nGood:\n\n" + indent(r.Good, "    "))
	}
	if r.Fix != "" {
		b.WriteString("\n\nFix: " + sentence(r.Fix))
	}
	if len(r.Options) > 0 {
		fmt.Fprintf(&b, "\n\nOptions (in .nginx502-lint.yml, under rules: %s: options:):\n", r.ID)
		for _, o := range r.Options {
			fmt.Fprintf(&b, "\n    %s: %s (default %s; %s)", o.Name, o.Doc, o.Default, o.Form)
		}
	}
	return b.String()
}

// HelpMarkdown is a rule's documentation as Markdown: for SARIF and docs/rules.
func HelpMarkdown(r *lint.Rule) string {
	var b strings.Builder
	b.WriteString(sentence(firstNonEmpty(r.Doc, r.Title)))
	if r.Bad != "" {
		b.WriteString("\n\n**Bad**\n\n```" + lang(r.Bad) + "\n" + r.Bad + "\n```")
	}
	if r.Good != "" {
		b.WriteString("\n\n**Good**\n\n```" + lang(r.Good) + "\n" + r.Good + "\n```")
	}
	if r.Fix != "" {
		b.WriteString("\n\n**Fix:** " + sentence(r.Fix))
	}
	if len(r.Options) > 0 {
		fmt.Fprintf(&b, "\n\n**Options** (in `.nginx502-lint.yml`, under `rules: %s: options:`):\n", r.ID)
		for _, o := range r.Options {
			fmt.Fprintf(&b, "\n- `%s`: %s (default `%s`; %s)", o.Name, o.Doc, o.Default, o.Form)
		}
	}
	return b.String()
}

// lang guesses the fence language of an example: nginx when its lines end in
// ';', '{' or '}', ini (php-fpm, php.ini) otherwise.
func lang(example string) string {
	for _, line := range strings.Split(example, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		if strings.HasSuffix(line, ";") || strings.HasSuffix(line, "{") || strings.HasSuffix(line, "}") {
			return "nginx"
		}
	}
	return "ini"
}

// sarifMessage is the finding's message, then its related places as links
// to the relatedLocations, its consequence and its fix: GitHub shows only
// the message.
func (o Options) sarifMessage(f lint.Finding) string {
	var b strings.Builder
	b.WriteString(sentence(escapeLinks(oneLine(f.Message))))
	for i, rel := range f.Related {
		p, _ := o.artifactPath(rel.Pos.File)
		loc := lint.Pos{File: p, Line: rel.Pos.Line, Col: rel.Pos.Col}
		fmt.Fprintf(&b, "\nSee [%s](%d): %s", bracketRE.ReplaceAllString(loc.String(), `\$0`), i+1, sentence(escapeLinks(oneLine(rel.Message))))
	}
	if f.Consequence != "" {
		b.WriteString("\nConsequence: " + sentence(escapeLinks(oneLine(f.Consequence))))
	}
	if fx := f.Fix; fx != nil {
		switch {
		case fx.Text != "" && fx.Replacement != "":
			b.WriteString("\nFix: " + escapeLinks(oneLine(fx.Text)) + ": `" + escapeLinks(oneLine(fx.Replacement)) + "`.")
		case fx.Replacement != "":
			b.WriteString("\nFix: write `" + escapeLinks(oneLine(fx.Replacement)) + "`.")
		case fx.Text != "":
			b.WriteString("\nFix: " + sentence(escapeLinks(oneLine(fx.Text))))
		}
	}
	return b.String()
}

func (o Options) sarifPhysical(s lint.Span) sarifPhysicalLocation {
	uri, rel := o.artifactURI(s.Start.File)
	return sarifPhysicalLocation{ArtifactLocation: artifactLocation(uri, rel), Region: region(s)}
}

func artifactLocation(uri string, rel bool) sarifArtifactLocation {
	if rel {
		return sarifArtifactLocation{URI: uri, URIBaseID: sarifSrcRoot}
	}
	return sarifArtifactLocation{URI: uri}
}

// region converts a span (End is the last byte) to a SARIF region (endColumn
// is one past the last character). A span that is a single point (a related
// place, a load error) gets no end: SARIF then means the rest of the line.
// nil when the span has no line.
func region(s lint.Span) *sarifRegion {
	if s.Start.Line <= 0 {
		return nil
	}
	r := &sarifRegion{StartLine: s.Start.Line}
	if s.Start.Col <= 0 {
		return r
	}
	r.StartColumn = s.Start.Col
	e := end(s)
	if e.Col <= 0 || e == s.Start {
		return r
	}
	r.EndLine, r.EndColumn = e.Line, e.Col+1
	return r
}

var bracketRE = regexp.MustCompile(`[\[\]]`)

// escapeLinks escapes '[' and ']' when the text holds "](", so that text like
// "a[0](1)" is not taken for a link to a related location (SARIF §3.11.6).
// Other text keeps its brackets as written: php_value[memory_limit].
func escapeLinks(s string) string {
	if !strings.Contains(s, "](") {
		return s
	}
	return bracketRE.ReplaceAllString(s, `\$0`)
}

// sentence ends s with a period unless it ends with one already (SARIF
// messages are sentences; ours are not).
func sentence(s string) string {
	s = strings.TrimRight(s, " \n")
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func pascalCase(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

var (
	semverRE  = regexp.MustCompile(`^v?(\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?)$`)
	nonWordRE = regexp.MustCompile(`[^0-9A-Za-z-]+`)
)

// sarifVersions returns the driver's version and semanticVersion. SARIF
// viewers compare versions, so a version must start with a digit: "v1.2.3"
// loses its "v", and a build without a release number ("dev", "(devel)")
// is reported as the pre-release "0.0.0-dev". semantic is "" when the
// version is not a semantic version ("1.2").
func sarifVersions(v string) (version, semantic string) {
	v = strings.TrimPrefix(v, "v")
	if v == "" || v[0] < '0' || v[0] > '9' {
		tag := strings.Trim(nonWordRE.ReplaceAllString(v, "-"), "-")
		if tag == "" {
			tag = "unknown"
		}
		v = "0.0.0-" + tag
	}
	if m := semverRE.FindStringSubmatch(v); m != nil {
		semantic = m[1]
	}
	return v, semantic
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
