package printers

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// GitHub writes GitHub Actions workflow commands, which show as annotations
// on the pull request's diff:
//
//	::error file=etc/nginx/sites-available/app,line=12,col=5,endLine=12,endColumn=44,title=fastcgi-pass-unmatched: …::message
//
// Paths go through Options.RealPath and are made relative to Options.Root,
// as for SARIF. The message carries the related places, the consequence and
// the fix on further lines. Skipped cross-checks become ::notice lines.
type GitHub struct{}

func (GitHub) Print(w io.Writer, r *Report, o Options) error {
	bw := bufio.NewWriter(w)
	titles := map[string]string{}
	for _, rule := range Catalogue(r.Rules) {
		titles[rule.ID] = rule.Title
	}
	for _, f := range r.all() {
		var props []string
		if p := f.Span.Start; p.File != "" {
			path, _ := o.artifactPath(p.File)
			props = append(props, "file="+escapeProperty(path))
			if p.Line > 0 {
				e := end(f.Span)
				props = append(props, fmt.Sprintf("line=%d", p.Line))
				if p.Col > 0 {
					props = append(props, fmt.Sprintf("col=%d", p.Col))
				}
				props = append(props, fmt.Sprintf("endLine=%d", e.Line))
				if p.Col > 0 && e.Col > 0 && e != p {
					// one past the last byte, like a SARIF region
					props = append(props, fmt.Sprintf("endColumn=%d", e.Col+1))
				}
			}
		}
		title := f.Rule
		if t := titles[f.Rule]; t != "" {
			title += ": " + t
		}
		props = append(props, "title="+escapeProperty(title))

		lines := []string{f.Message}
		for _, rel := range f.Related {
			path, _ := o.artifactPath(rel.Pos.File)
			lines = append(lines, fmt.Sprintf("%s: note: %s", lint.Pos{File: path, Line: rel.Pos.Line, Col: rel.Pos.Col}, rel.Message))
		}
		if f.Consequence != "" {
			lines = append(lines, "= "+f.Consequence)
		}
		if fx := f.Fix; fx != nil {
			if fx.Text != "" {
				lines = append(lines, "fix: "+fx.Text)
			}
			if fx.Replacement != "" {
				lines = append(lines, "    "+fx.Replacement)
			}
		}
		fmt.Fprintf(bw, "::%s %s::%s\n", githubLevel(f.Severity), strings.Join(props, ","), escapeData(strings.Join(lines, "\n")))
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(bw, "::notice title=%s::%s\n", escapeProperty(ToolName+": skipped"), escapeData(s))
	}
	return bw.Flush()
}

func githubLevel(s lint.Severity) string {
	switch s {
	case lint.Error:
		return "error"
	case lint.Note:
		return "notice"
	}
	return "warning"
}

// escapeData escapes a workflow command's message (actions/toolkit
// command.ts escapeData).
func escapeData(s string) string {
	return dataEscaper.Replace(s)
}

var dataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")

// escapeProperty escapes a workflow command's property value (actions/toolkit
// command.ts escapeProperty).
func escapeProperty(s string) string {
	return propertyEscaper.Replace(s)
}

var propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
