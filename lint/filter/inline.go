package filter

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// Marker starts an inline ignore comment.
const Marker = lint.Mention + ":"

// Inline applies inline ignore comments:
//
//	# nginx502-lint: ignore RULE[,RULE…] -- reason        (nginx)
//	# nginx502-lint: ignore-file RULE[,RULE…] -- reason   (nginx)
//	; nginx502-lint: ignore RULE[,RULE…] -- reason        (php-fpm, php.ini)
//
// "ignore" on a line of its own applies to the next statement: the first of
// Statements that starts after the comment in the same file; a block covers
// every finding that starts between its first line and its closing brace.
// "ignore" after a statement on the same line (a trailing comment) applies
// to the last statement that starts on that line before it. "ignore-file"
// applies to the whole file. Only a finding's primary position counts.
//
// The reason after " -- " is required. A comment without one, without rule
// ids, naming an unknown rule or of an unknown form suppresses nothing and
// is reported as invalid-ignore. A valid ignore of a rule that ran but
// matched nothing is reported as unused-ignore (once per rule id).
//
// For --no-inline-ignores, leave Inline out of the chain.
type Inline struct {
	// Sources are the files read, with their comments.
	Sources []*lint.Source
	// Statements are the spans of every statement in every file: each nginx
	// directive (a block from its name to its closing '}'), each php-fpm or
	// php.ini key line, each [section] header (to its last key, if the
	// caller wants an ignore before a header to cover the section).
	Statements []lint.Span
	// Known are the rule ids that exist; nil accepts any id.
	Known map[string]bool
	// Ran are the rule ids that ran; an ignore of a rule that did not run
	// (disabled) is not reported as unused. nil means every rule ran.
	Ran map[string]bool
}

// Ignore is a parsed inline ignore comment.
type Ignore struct {
	Comment lint.Comment
	// File is true for ignore-file.
	File   bool
	Rules  []string
	Reason string
}

var dashDashRE = regexp.MustCompile(`(^|\s)--(\s|$)`)

// ParseIgnore reads a comment's text (without its '#' or ';'). ok is false
// when the comment is not an ignore comment at all. problems lists what is
// wrong with an ignore comment, in the words of an invalid-ignore message.
func ParseIgnore(text string) (ig Ignore, ok bool, problems []string) {
	t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(text), "#;"))
	rest, found := strings.CutPrefix(t, Marker)
	if !found {
		// "nginx502-lint ignore …" without the colon is a typo, not prose.
		if r, f := strings.CutPrefix(t, strings.TrimSuffix(Marker, ":")); f && strings.HasPrefix(strings.TrimSpace(r), "ignore") && (r == "" || r[0] == ' ' || r[0] == '\t') {
			return ig, true, []string{fmt.Sprintf("missing %q: write \"nginx502-lint: ignore RULE -- reason\"", ":")}
		}
		return ig, false, nil
	}
	rest = strings.TrimSpace(rest)
	form, args := rest, ""
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		form, args = rest[:i], rest[i:]
	}
	switch form {
	case "ignore":
	case "ignore-file":
		ig.File = true
	default:
		return ig, true, []string{fmt.Sprintf("unknown ignore form %q (want \"ignore\" or \"ignore-file\")", form)}
	}
	ids := args
	if loc := dashDashRE.FindStringIndex(args); loc != nil {
		ids = args[:loc[0]]
		ig.Reason = strings.TrimSpace(args[loc[1]:])
	}
	ig.Rules = strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(ig.Rules) == 0 {
		problems = append(problems, fmt.Sprintf("%s names no rule: write \"nginx502-lint: %s RULE[,RULE] -- reason\"", form, form))
	}
	if ig.Reason == "" {
		what := form
		if len(ig.Rules) > 0 {
			what = fmt.Sprintf("%s of %s", form, quoteList(ig.Rules))
		}
		problems = append(problems, fmt.Sprintf("%s gives no reason: add \" -- \" and why the finding is accepted", what))
	}
	return ig, true, problems
}

// use is an ignore comment and what it matched.
type use struct {
	ig   Ignore
	next *lint.Span // target statement of a line ignore; nil if none
	used map[string]bool
}

func (in *Inline) Process(fs []lint.Finding) []lint.Finding {
	var ignores []*use
	var extra []lint.Finding

	seen := map[lint.Pos]bool{}
	for _, src := range in.Sources {
		if src == nil || src.Kind == lint.KindSystem {
			continue
		}
		for _, c := range src.Comments {
			if !strings.Contains(c.Text, lint.Mention) {
				continue // the loaders keep no other; sources built otherwise may
			}
			if c.Pos.File == "" {
				c.Pos.File = src.Path
			}
			if seen[c.Pos] {
				continue
			}
			seen[c.Pos] = true
			ig, ok, problems := ParseIgnore(c.Text)
			if !ok {
				continue
			}
			ig.Comment = c
			for _, id := range ig.Rules {
				if in.Known != nil && !in.Known[id] {
					msg := fmt.Sprintf("ignore names unknown rule %q", id)
					if s := Closest(id, in.Known); s != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", s)
					}
					problems = append(problems, msg)
				}
			}
			if len(problems) > 0 {
				for _, p := range problems {
					extra = append(extra, commentFinding(InvalidIgnore, c, p,
						"the comment suppresses nothing until it is fixed",
						"write \"nginx502-lint: ignore RULE[,RULE] -- reason\" with known rule ids"))
				}
				continue
			}
			ignores = append(ignores, &use{ig: ig, used: map[string]bool{}})
		}
	}
	if len(ignores) == 0 && len(extra) == 0 {
		return fs
	}
	files := map[string]bool{}
	for _, u := range ignores {
		if !u.ig.File {
			files[normFile(u.ig.Comment.Pos.File)] = true
		}
	}
	stmts := statementsIn(in.Statements, files)
	for _, u := range ignores {
		if !u.ig.File {
			u.next = target(stmts[normFile(u.ig.Comment.Pos.File)], u.ig.Comment.Pos)
		}
	}

	out := fs[:0:0]
	for _, f := range fs {
		suppressed := false
		for _, u := range ignores {
			if !slices.Contains(u.ig.Rules, f.Rule) || normFile(f.Span.Start.File) != normFile(u.ig.Comment.Pos.File) {
				continue
			}
			if !u.ig.File {
				if u.next == nil {
					continue
				}
				end := u.next.End.Line
				if end < u.next.Start.Line {
					end = u.next.Start.Line
				}
				if l := f.Span.Start.Line; l < u.next.Start.Line || l > end {
					continue
				}
			}
			u.used[f.Rule] = true
			suppressed = true
		}
		if !suppressed {
			out = append(out, f)
		}
	}

	for _, u := range ignores {
		for _, id := range u.ig.Rules {
			if u.used[id] || (in.Ran != nil && !in.Ran[id]) {
				continue
			}
			var msg string
			switch {
			case u.ig.File:
				msg = fmt.Sprintf("ignore-file of %q matches no finding in this file", id)
			case u.next == nil:
				msg = fmt.Sprintf("ignore of %q has no directive after it to apply to", id)
			default:
				msg = fmt.Sprintf("ignore of %q matches no finding on the next directive", id)
			}
			fix := fmt.Sprintf("remove %q from the comment, or the comment", id)
			if len(u.ig.Rules) == 1 {
				fix = "remove the comment"
			}
			extra = append(extra, commentFinding(UnusedIgnore, u.ig.Comment, msg,
				"a stale ignore would hide the next real problem here", fix))
		}
	}
	if len(extra) == 0 {
		return out
	}
	out = append(out, extra...)
	lint.SortFindings(out)
	return out
}

// statementsIn groups by file, sorted, the statements of the given files
// only: a large tree has hundreds of thousands of statements and usually a
// handful of ignore comments.
func statementsIn(all []lint.Span, files map[string]bool) map[string][]lint.Span {
	stmts := map[string][]lint.Span{}
	if len(files) == 0 {
		return stmts
	}
	norm := map[string]string{}
	for _, s := range all {
		n, ok := norm[s.Start.File]
		if !ok {
			n = normFile(s.Start.File)
			norm[s.Start.File] = n
		}
		if files[n] {
			stmts[n] = append(stmts[n], s)
		}
	}
	for _, ss := range stmts {
		slices.SortStableFunc(ss, func(a, b lint.Span) int {
			switch {
			case a.Start.Before(b.Start):
				return -1
			case b.Start.Before(a.Start):
				return 1
			}
			return 0
		})
	}
	return stmts
}

// target returns the statement an ignore at pos applies to.
func target(ss []lint.Span, pos lint.Pos) *lint.Span {
	var trailing *lint.Span
	for i := range ss {
		s := &ss[i]
		if s.Start.Line == pos.Line && s.Start.Col < pos.Col {
			trailing = s // the last one on the line wins
		}
	}
	if trailing != nil {
		return trailing
	}
	for i := range ss {
		if s := &ss[i]; s.Start.Line > pos.Line {
			return s
		}
	}
	return nil
}

func commentFinding(rule *lint.Rule, c lint.Comment, msg, consequence, fix string) lint.Finding {
	end := c.Pos
	if end.Col > 0 {
		end.Col += int32(len(c.Text))
	}
	return lint.Finding{
		Rule:        rule.ID,
		Severity:    rule.Severity,
		Message:     msg,
		Span:        lint.Span{Start: c.Pos, End: end},
		Consequence: consequence,
		Fix:         &lint.Fix{Text: fix},
	}
}

func quoteList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}

// Closest returns the known id nearest to id by edit distance, or "" when
// none is close (for "did you mean").
func Closest(id string, known map[string]bool) string {
	best, bestD := "", len(id)/3+1
	for _, k := range lint.SortedKeys(known) {
		if d := lint.EditDistanceWithin(id, k, bestD-1); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}
