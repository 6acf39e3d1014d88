package printers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/printers"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// FuzzPrinters writes a report built from fuzzed strings (messages, paths
// with odd characters, positions) in every format and checks that each
// output is still its format: JSON and SARIF parse as JSON and hold every
// finding with its text; SARIF URIs are URIs; gcc writes one line per
// finding, error and related place, which parse back; GitHub writes one
// workflow command per finding, error and skipped check, whose properties
// and message are escaped (and unescape to what was given).
//
//	go test ./lint/printers -run '^$' -fuzz '^FuzzPrinters$' -fuzztime 5m
func FuzzPrinters(f *testing.F) {
	f.Add("fastcgi_pass targets unix:/run/php/x.sock", "etc/nginx/sites-enabled/app.conf", uint32(12), uint32(9), uint32(12), uint32(51),
		"etc/php/8.2/fpm/pool.d/www.conf", "pool \"www\" listens here", "every request gets 502", "point it at the pool", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;", "skipped: no pool", "", uint8(0))
	f.Add("a\nb\r\nc%0A::error::x", "dir with space/a:b,c%.conf", uint32(1), uint32(1), uint32(0), uint32(0),
		"", "", "", "", "", "", "/srv/repo", uint8(1))
	f.Add("a[0](1) and [x](y) `code`", "/abs/path/ünïcödé.conf", uint32(0), uint32(5), uint32(3), uint32(2),
		"rel\nfile", "m\rn", "c\n", "t\n", "r\nr2\n", "s\r\n", "..", uint8(2))
	f.Add("\x1b[31mred\x1b[0m\t\x00\xff", "x\ny.conf", uint32(1<<32-1), uint32(1<<32-1), uint32(1<<32-1), uint32(1<<32-1),
		"%SRCROOT%", "%25", "", "", "", "", "deploy", uint8(3))
	f.Add("m", "C:\\Windows\\x.conf", uint32(2), uint32(0), uint32(2), uint32(0), "file:///etc/x", "", "", "", "", "", "", uint8(255))
	// Two rules: the SARIF help of the whole catalogue would only slow the
	// fuzzing down.
	catalogue := []*lint.Rule{rules.ByID("fastcgi-pass-unmatched"), rules.ByID("timeout-too-low")}
	ruleIDs := []string{"fastcgi-pass-unmatched", printers.LoadErrorID, "invalid-ignore", "no-such-rule"}
	// Positions are never negative; they fit in 32 bits.
	f.Fuzz(func(t *testing.T, msg, file string, line32, col32, endLine32, endCol32 uint32, relFile, relMsg, consequence, fixText, replacement, skipped, root string, sev uint8) {
		rule := ruleIDs[int(sev>>4)%len(ruleIDs)]
		line, col, endLine, endCol := int(line32), int(col32), int(endLine32), int(endCol32)
		r := &printers.Report{
			Version: "1.2.3",
			Rules:   catalogue,
			Findings: []lint.Finding{
				{
					Rule: rule, Severity: lint.Severity(sev % 4), Message: msg,
					Span:        lint.Span{Start: lint.Pos{File: file, Line: int32(line), Col: int32(col)}, End: lint.Pos{File: file, Line: int32(endLine), Col: int32(endCol)}},
					Related:     []lint.Related{{Pos: lint.Pos{File: relFile, Line: int32(endLine), Col: int32(endCol)}, Message: relMsg}},
					Consequence: consequence,
					Fix: &lint.Fix{Text: fixText, Replacement: replacement,
						Span: lint.Span{Start: lint.Pos{File: file, Line: int32(line), Col: int32(col)}, End: lint.Pos{File: file, Line: int32(endLine), Col: int32(endCol)}}},
				},
				{Rule: "timeout-too-low", Severity: lint.Warning, Message: relMsg}, // no position, as a rule's internal error
			},
			Errors:  lint.LoadErrors{{Pos: lint.Pos{File: relFile, Line: int32(line), Col: int32(col)}, Msg: msg}, {Msg: consequence}},
			Files:   line,
			Skipped: []string{skipped},
		}
		o := printers.Options{Root: root}
		out := map[string][]byte{}
		for _, name := range printers.Names() {
			p, _ := printers.ByName(name)
			var buf bytes.Buffer
			if err := p.Print(&buf, r, o); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			out[name] = buf.Bytes()
		}
		checkJSON(t, r, out["json"])
		checkSARIF(t, r, out["sarif"])
		checkGCC(t, r, out["gcc"])
		checkGitHub(t, r, out["github"])
		checkText(t, r, out["text"])
	})
}

// same reports whether JSON carried got for want: encoding/json writes
// U+FFFD for each byte that is not UTF-8.
func same(got, want string) bool {
	var b strings.Builder
	for i := 0; i < len(want); {
		r, n := utf8.DecodeRuneInString(want[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(want[i : i+n])
		}
		i += n
	}
	return got == b.String()
}

func checkJSON(t *testing.T, r *printers.Report, out []byte) {
	t.Helper()
	var j struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Message  string `json:"message"`
			Location struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"findings"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
		Skipped []string `json:"skipped"`
	}
	if err := json.Unmarshal(out, &j); err != nil {
		t.Fatalf("json: not JSON: %v\n%s", err, out)
	}
	if len(j.Findings) != len(r.Findings) || len(j.Errors) != len(r.Errors) || len(j.Skipped) != len(r.Skipped) {
		t.Fatalf("json: %d findings, %d errors, %d skipped; want %d, %d, %d", len(j.Findings), len(j.Errors), len(j.Skipped), len(r.Findings), len(r.Errors), len(r.Skipped))
	}
	f := r.Findings[0]
	if jf := j.Findings[0]; !same(jf.Message, f.Message) || !same(jf.Location.File, f.Span.Start.File) || jf.Location.Line != int(f.Span.Start.Line) || jf.Rule != f.Rule {
		t.Fatalf("json: finding %+v, want %+v", jf, f)
	}
	if !same(j.Errors[0].Message, r.Errors[0].Msg) {
		t.Fatalf("json: error message %q, want %q", j.Errors[0].Message, r.Errors[0].Msg)
	}
}

// uriRE is an RFC 3986 URI reference: unreserved, reserved and
// percent-encoded characters only.
var uriRE = regexp.MustCompile(`^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$`)

func checkSARIF(t *testing.T, r *printers.Report, out []byte) {
	t.Helper()
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region *struct {
				StartLine   int `json:"startLine"`
				StartColumn int `json:"startColumn"`
				EndLine     int `json:"endLine"`
				EndColumn   int `json:"endColumn"`
			} `json:"region"`
		} `json:"physicalLocation"`
	}
	var s struct {
		Runs []struct {
			Results []struct {
				RuleID    string                `json:"ruleId"`
				Message   struct{ Text string } `json:"message"`
				Locations []location            `json:"locations"`
				Related   []location            `json:"relatedLocations"`
				Fixes     []struct {
					ArtifactChanges []struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"artifactChanges"`
				} `json:"fixes"`
			} `json:"results"`
			Invocations []struct {
				Notifications []struct{ Message struct{ Text string } } `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("sarif: not JSON: %v\n%s", err, out)
	}
	if len(s.Runs) != 1 || len(s.Runs[0].Invocations) != 1 {
		t.Fatalf("sarif: want one run with one invocation:\n%s", out)
	}
	run := s.Runs[0]
	withFile := 0
	for _, e := range r.Errors {
		if e.Pos.File != "" {
			withFile++
		}
	}
	for _, f := range r.Findings {
		if f.Span.Start.File != "" {
			withFile++
		}
	}
	if len(run.Results) != withFile || len(run.Results)+len(run.Invocations[0].Notifications) != len(r.Findings)+len(r.Errors) {
		t.Fatalf("sarif: %d results and %d notifications for %d findings and errors (%d with a file)", len(run.Results), len(run.Invocations[0].Notifications), len(r.Findings)+len(r.Errors), withFile)
	}
	checkLoc := func(l location) {
		t.Helper()
		uri := l.PhysicalLocation.ArtifactLocation.URI
		if _, err := url.Parse(uri); err != nil || !uriRE.MatchString(uri) || uri == "" {
			t.Fatalf("sarif: %q is not a URI (%v)", uri, err)
		}
		if g := l.PhysicalLocation.Region; g != nil {
			if g.StartLine < 1 || g.StartColumn < 0 || g.EndLine != 0 && g.EndLine < g.StartLine || g.EndColumn < 0 ||
				g.EndLine == g.StartLine && g.EndColumn != 0 && g.EndColumn <= g.StartColumn {
				t.Fatalf("sarif: invalid region %+v", *g)
			}
		}
	}
	for _, res := range run.Results {
		if len(res.Locations) != 1 {
			t.Fatalf("sarif: result with %d locations", len(res.Locations))
		}
		checkLoc(res.Locations[0])
		for _, l := range res.Related {
			checkLoc(l)
		}
		for _, fx := range res.Fixes {
			for _, c := range fx.ArtifactChanges {
				if u := c.ArtifactLocation.URI; !uriRE.MatchString(u) || u == "" {
					t.Fatalf("sarif: fix URI %q is not a URI", u)
				}
			}
		}
		if res.RuleID == "" {
			t.Fatalf("sarif: result without a rule: %+v", res)
		}
	}
}

// gccRE is a line of the gcc format.
var gccRE = regexp.MustCompile(`^(.*): (error|warning|note): (.*?)(?: \[([a-z0-9-]+)\])?$`)

func checkGCC(t *testing.T, r *printers.Report, out []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := len(r.Errors)
	for _, f := range r.Findings {
		want += 1 + len(f.Related)
	}
	if len(out) == 0 || out[len(out)-1] != '\n' || len(lines) != want {
		t.Fatalf("gcc: %d lines, want %d (one per error, finding and related place):\n%s", len(lines), want, out)
	}
	// The first line is the load error with a file: it parses back.
	m := gccRE.FindStringSubmatch(lines[0])
	if m == nil || m[4] != printers.LoadErrorID {
		t.Fatalf("gcc: %q does not parse as file:line:col: error: message [load-error]", lines[0])
	}
	e := r.Errors[0]
	if e.Pos.File != "" && !strings.HasPrefix(m[1], gccFile(e.Pos.File)) {
		t.Fatalf("gcc: %q does not start with the file %q", lines[0], e.Pos.File)
	}
	if e.Pos.File != "" && e.Pos.Line > 0 {
		wantPos := fmt.Sprintf("%s:%d", gccFile(e.Pos.File), e.Pos.Line)
		if e.Pos.Col > 0 {
			wantPos += ":" + strconv.Itoa(int(e.Pos.Col))
		}
		if m[1] != wantPos {
			t.Fatalf("gcc: position %q, want %q", m[1], wantPos)
		}
	}
	for _, l := range lines {
		if !gccRE.MatchString(l) {
			t.Fatalf("gcc: %q is not a gcc diagnostic line", l)
		}
	}
}

// gccFile is a path as the line formats write it: control characters but
// tab escaped, so that a file name cannot break or forge a line.
func gccFile(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 && c != '\t' || c == 0x7f {
			q := strconv.QuoteRune(rune(c))
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeGitHub undoes actions/toolkit's escapeData and escapeProperty.
var unescapeGitHub = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")

func checkGitHub(t *testing.T, r *printers.Report, out []byte) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if want := len(r.Findings) + len(r.Errors) + len(r.Skipped); len(lines) != want {
		t.Fatalf("github: %d lines, want %d (one per finding, error and skipped check):\n%s", len(lines), want, out)
	}
	for i, l := range lines {
		level, rest, ok := strings.Cut(strings.TrimPrefix(l, "::"), " ")
		if !strings.HasPrefix(l, "::") || !ok || level != "error" && level != "warning" && level != "notice" {
			t.Fatalf("github: %q is not a workflow command", l)
		}
		props, data, ok := strings.Cut(rest, "::")
		if !ok || strings.ContainsAny(data, "\r\n") {
			t.Fatalf("github: %q has no message, or an unescaped line break", l)
		}
		seen := map[string]bool{}
		for _, p := range strings.Split(props, ",") {
			k, v, ok := strings.Cut(p, "=")
			if !ok || seen[k] || !map[string]bool{"file": true, "line": true, "col": true, "endLine": true, "endColumn": true, "title": true}[k] {
				t.Fatalf("github: bad property %q in %q", p, l)
			}
			seen[k] = true
			if k != "file" && k != "title" {
				if n, err := strconv.Atoi(v); err != nil || n < 1 {
					t.Fatalf("github: %s=%q is not a positive number in %q", k, v, l)
				}
			}
		}
		var wantMsg string
		switch {
		case i < len(r.Errors):
			wantMsg = lint.Elide(r.Errors[i].Msg) // as every finding's words, shortened past 200 bytes
		case i < len(r.Errors)+len(r.Findings):
			continue // findings: their message is followed by more lines
		default:
			wantMsg = r.Skipped[0]
		}
		if got := unescapeGitHub.Replace(data); got != wantMsg {
			t.Fatalf("github: message %q unescapes to %q, want %q", data, got, wantMsg)
		}
	}
	if i := 2; !strings.HasPrefix(unescapeGitHub.Replace(strings.SplitN(lines[i], "::", 3)[2]), r.Findings[0].Message) && utf8.ValidString(r.Findings[0].Message) {
		t.Fatalf("github: %q does not carry the finding's message %q", lines[i], r.Findings[0].Message)
	}
}

func checkText(t *testing.T, r *printers.Report, out []byte) {
	t.Helper()
	// A line per error and finding, per related place, consequence, fix
	// and line of the replacement, a blank line after each, then the
	// summary and a line per skipped check.
	want := 1 + len(r.Skipped)
	for _, f := range append(loadFindings(r.Errors), r.Findings...) {
		want += 2 + len(f.Related)
		if f.Consequence != "" {
			want++
		}
		if f.Fix != nil && (f.Fix.Text != "" || f.Fix.Replacement != "") {
			want++
			for _, l := range strings.Split(strings.TrimRight(f.Fix.Replacement, "\n"), "\n") {
				if l != "" {
					want++
				}
			}
		}
	}
	if got := strings.Count(string(out), "\n"); got != want || !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatalf("text: %d lines, want %d:\n%s", got, want, out)
	}
}

func loadFindings(es lint.LoadErrors) []lint.Finding {
	var fs []lint.Finding
	for _, e := range es {
		fs = append(fs, lint.Finding{Span: lint.Span{Start: e.Pos}, Message: e.Msg})
	}
	return fs
}

// TestLineFormatsEscapeControls pins what FuzzPrinters' seeds found: a file
// name with a line break broke the gcc and text formats' one line per
// finding (and could forge another line), and an escape sequence in a
// message reached the terminal.
func TestLineFormatsEscapeControls(t *testing.T) {
	r := &printers.Report{
		Findings: []lint.Finding{{
			Rule: "r", Severity: lint.Error, Message: "value \x1b[2J\r\nend",
			Span:    lint.Span{Start: lint.Pos{File: "a\nb.conf", Line: 1, Col: 2}},
			Related: []lint.Related{{Pos: lint.Pos{File: "c\r.conf", Line: 3}, Message: "here\x00"}},
			Fix:     &lint.Fix{Text: "fix", Replacement: "x \x1b[0m;"},
		}},
	}
	for name, want := range map[string]string{
		"gcc":  "a\\nb.conf:1:2: error: value \\x1b[2J end [r]\nc\\r.conf:3: note: here\\x00\n",
		"text": "a\\nb.conf:1:2: error: value \\x1b[2J end [r]\n  c\\r.conf:3: note: here\\x00\n  fix: fix\n      x \\x1b[0m;\n\n1 error in 0 files\n",
	} {
		p, _ := printers.ByName(name)
		var buf bytes.Buffer
		if err := p.Print(&buf, r, printers.Options{}); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Errorf("%s:\ngot  %q\nwant %q", name, buf.String(), want)
		}
	}
}
