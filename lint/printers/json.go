package printers

import (
	"encoding/json"
	"io"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/filter"
)

// JSONVersion is the version of the JSON output's schema
// (docs/json-schema.md). It changes only when a field changes meaning or
// goes away; new fields may appear within a version.
const JSONVersion = 1

// JSON is the machine-readable format documented in docs/json-schema.md.
type JSON struct{}

type jsonReport struct {
	Version  int           `json:"version"`
	Tool     jsonTool      `json:"tool"`
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
	Skipped  []string      `json:"skipped"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonTool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"information_uri"`
}

type jsonFinding struct {
	Rule        string        `json:"rule"`
	Severity    string        `json:"severity"`
	Message     string        `json:"message"`
	Location    jsonLocation  `json:"location"`
	Related     []jsonRelated `json:"related"`
	Consequence string        `json:"consequence,omitempty"`
	Fix         *jsonFix      `json:"fix,omitempty"`
	Fingerprint string        `json:"fingerprint"`
}

type jsonLocation struct {
	File      string `json:"file"`
	Line      int32  `json:"line"`
	Column    int32  `json:"column"`
	EndLine   int32  `json:"end_line"`
	EndColumn int32  `json:"end_column"`
}

type jsonPos struct {
	File   string `json:"file"`
	Line   int32  `json:"line"`
	Column int32  `json:"column"`
}

type jsonRelated struct {
	Location jsonPos `json:"location"`
	Message  string  `json:"message"`
}

type jsonFix struct {
	Text        string        `json:"text"`
	Replacement string        `json:"replacement,omitempty"`
	Location    *jsonLocation `json:"location,omitempty"`
}

type jsonError struct {
	Location *jsonPos `json:"location,omitempty"`
	Message  string   `json:"message"`
}

type jsonSummary struct {
	Errors     int   `json:"errors"`
	Warnings   int   `json:"warnings"`
	Notes      int   `json:"notes"`
	LoadErrors int   `json:"load_errors"`
	Files      int   `json:"files"`
	ElapsedMS  int64 `json:"elapsed_ms"`
}

func location(s lint.Span) jsonLocation {
	e := end(s)
	return jsonLocation{File: s.Start.File, Line: s.Start.Line, Column: s.Start.Col, EndLine: e.Line, EndColumn: e.Col}
}

func (JSON) Print(w io.Writer, r *Report, _ Options) error {
	out := jsonReport{
		Version:  JSONVersion,
		Tool:     jsonTool{Name: ToolName, Version: r.Version, InformationURI: InformationURI},
		Findings: []jsonFinding{},
		Errors:   []jsonError{},
		Skipped:  append([]string{}, r.Skipped...),
		Summary:  jsonSummary{Files: r.Files, ElapsedMS: r.Elapsed.Milliseconds(), LoadErrors: len(r.Errors)},
	}
	fps := filter.Fingerprints(r.Findings)
	for i, f := range r.Findings {
		jf := jsonFinding{
			Rule: f.Rule, Severity: sevName(f.Severity), Message: f.Message,
			Location: location(f.Span), Related: []jsonRelated{},
			Consequence: f.Consequence, Fingerprint: fps[i],
		}
		for _, rel := range f.Related {
			jf.Related = append(jf.Related, jsonRelated{
				Location: jsonPos{File: rel.Pos.File, Line: rel.Pos.Line, Column: rel.Pos.Col},
				Message:  rel.Message,
			})
		}
		if f.Fix != nil {
			jf.Fix = &jsonFix{Text: f.Fix.Text, Replacement: f.Fix.Replacement}
			if f.Fix.Span.Start.IsValid() {
				loc := location(f.Fix.Span)
				jf.Fix.Location = &loc
			}
		}
		switch f.Severity {
		case lint.Error:
			out.Summary.Errors++
		case lint.Note:
			out.Summary.Notes++
		default:
			out.Summary.Warnings++
		}
		out.Findings = append(out.Findings, jf)
	}
	for _, e := range r.Errors {
		if e == nil {
			continue
		}
		je := jsonError{Message: e.Msg}
		if e.Pos.File != "" {
			je.Location = &jsonPos{File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Col}
		}
		out.Errors = append(out.Errors, je)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
