package triage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/errorlog"
)

// Report is one run of `nginx502-lint logs`: the logs read, the groups,
// and what is known of the configuration.
type Report struct {
	Version string `json:"-"`
	// Logs are the files read, with their line counts.
	Logs []LogFile `json:"logs"`
	// Groups are the upstream errors by cause and upstream.
	Groups []*Group `json:"groups"`
	// ConfigFiles is the number of configuration files read (0: none).
	ConfigFiles int `json:"config_files"`
	// Notes say what could not be done ("configuration not read: …").
	Notes []string `json:"notes"`
}

// LogFile is one log read.
type LogFile struct {
	Name    string `json:"name"`
	Lines   int    `json:"lines"`
	Entries int    `json:"upstream_errors"`
}

// StatusText is the status line's text.
func StatusText(status int) string {
	switch status {
	case 502:
		return "502 Bad Gateway"
	case 504:
		return "504 Gateway Timeout"
	}
	return fmt.Sprint(status)
}

// WriteText writes the report for people, in the linter's text style:
// where (the configuration line, else the log line), what, then the
// places, the meaning, the linter's findings with their fixes.
//
//	etc/nginx/sites-enabled/shop:11:9: error: 3 × 502 Bad Gateway: connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream [fastcgi-pass-unmatched]
//	  log: /var/log/nginx/error.log:1-3, 2026/11/26 02:50:55 to 02:50:55; server shop.example.com: GET /index.php HTTP/1.1 × 3
//	  etc/nginx/sites-enabled/shop:11:9: note: fastcgi_pass unix:/run/php/php8.1-fpm.sock; (server shop.example.com, location ~ \.php$) × 3
//	  = the socket file does not exist: …
//	  linter: etc/nginx/sites-enabled/shop:11:9: error: no PHP-FPM pool listens on … [fastcgi-pass-unmatched]
//	    fix: point fastcgi_pass at unix:/run/php/php8.2-fpm.sock, …
//	        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
//	  check the host: nginx502-lint --live (live-socket-missing, live-fpm-not-running)
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	for _, g := range r.Groups {
		where := lint.Pos{File: g.First.File, Line: int32(g.First.Line)}
		if len(g.Places) > 0 {
			where = g.Places[0].Pos
		}
		rule := ""
		if g.Rule != "" {
			rule = " [" + g.Rule + "]"
		}
		fmt.Fprintf(bw, "%s: error: %d × %s: %s%s\n", where, g.Count, StatusText(g.Status), g.Message, rule)
		fmt.Fprintf(bw, "  log: %s, %s; %s\n", logSpan(g), timeSpan(g), requests(g))
		for _, p := range g.Places {
			guess := ""
			if p.Guess {
				guess = " (the log's server name matches no server with this address)"
			}
			fmt.Fprintf(bw, "  %s: note: %s × %d%s\n", p.Pos, p, p.Count, guess)
		}
		if len(g.Places) == 0 && r.ConfigFiles > 0 {
			fmt.Fprintf(bw, "  no %s in the configuration reaches %s\n", passName(g), g.Target.Address())
		}
		fmt.Fprintf(bw, "  = %s\n", g.Explanation)
		for _, f := range g.Findings {
			fmt.Fprintf(bw, "  linter: %s: %s: %s [%s]\n", f.Span.Start, f.Severity, oneLine(f.Message), f.Rule)
			for _, rel := range f.Related {
				fmt.Fprintf(bw, "    %s: note: %s\n", rel.Pos, oneLine(rel.Message))
			}
			if f.Fix != nil {
				fmt.Fprintf(bw, "    fix: %s\n", oneLine(f.Fix.Text))
				for _, line := range strings.Split(strings.TrimRight(f.Fix.Replacement, "\n"), "\n") {
					if line != "" {
						fmt.Fprintf(bw, "        %s\n", line)
					}
				}
			}
		}
		if len(g.Findings) == 0 && len(g.Rules) > 0 && r.ConfigFiles > 0 {
			fmt.Fprintf(bw, "  linter: no finding of %s here: the cause is at run time (see the backend's log)\n", strings.Join(g.Rules, ", "))
		}
		if len(g.LiveRules) > 0 {
			fmt.Fprintf(bw, "  check the host: nginx502-lint --live (%s)\n", strings.Join(g.LiveRules, ", "))
		}
		bw.WriteByte('\n')
	}
	lines, files := 0, make([]string, 0, len(r.Logs))
	for _, l := range r.Logs {
		lines += l.Lines
		files = append(files, l.Name)
	}
	fmt.Fprintf(bw, "%s, from %s of %s\n", Summary(r.Groups), plural(lines, "line"), strings.Join(files, ", "))
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "note: %s\n", oneLine(n))
	}
	return bw.Flush()
}

func passName(g *Group) string {
	if m := moduleOf(g.Target.Scheme); m != "" {
		return m + "_pass"
	}
	return "*_pass"
}

// logSpan is "error.log:3" or "error.log:3-17" (or two files).
func logSpan(g *Group) string {
	a, b := g.First, g.Last
	if lo, hi := minLine(g); a.File == b.File && lo != hi {
		return fmt.Sprintf("%s:%d-%d", a.File, lo, hi)
	}
	if a.File == b.File && a.Line == b.Line {
		return fmt.Sprintf("%s:%d", a.File, a.Line)
	}
	return fmt.Sprintf("%s:%d, %s:%d", a.File, a.Line, b.File, b.Line)
}

func minLine(g *Group) (int, int) {
	lo, hi := g.First.Line, g.Last.Line
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}

// timeSpan is "2026/11/26 02:50:55" or "2026/11/26 02:50:55 to 02:51:01"
// (the date repeated when it differs).
func timeSpan(g *Group) string {
	a, b := g.First.TimeText, g.Last.TimeText
	if a == b {
		return a
	}
	if a[:10] == b[:10] {
		return a + " to " + b[11:]
	}
	return a + " to " + b
}

// requests is "server shop.example.com: GET /index.php HTTP/1.1 × 3".
func requests(g *Group) string {
	servers := make([]string, 0, len(g.Servers))
	for _, s := range g.Servers {
		name := s.Value
		if name == "" {
			name = `""`
		}
		servers = append(servers, name)
	}
	var reqs []string
	for i, rq := range g.Requests {
		if i == 3 {
			reqs = append(reqs, fmt.Sprintf("and %d more", len(g.Requests)-3))
			break
		}
		reqs = append(reqs, fmt.Sprintf("%s × %d", rq.Value, rq.Count))
	}
	word := "server "
	if len(servers) > 1 {
		word = "servers "
	}
	return word + strings.Join(servers, ", ") + ": " + strings.Join(reqs, "; ")
}

func oneLine(s string) string {
	return lineBreaks.Replace(s)
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// JSONVersion is the version of the logs command's JSON output.
const JSONVersion = 1

type jsonReport struct {
	Version     int         `json:"version"`
	Tool        jsonTool    `json:"tool"`
	Logs        []LogFile   `json:"logs"`
	ConfigFiles int         `json:"config_files"`
	Groups      []jsonGroup `json:"groups"`
	Notes       []string    `json:"notes"`
	Summary     jsonSummary `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonSummary struct {
	UpstreamErrors int `json:"upstream_errors"`
	Groups         int `json:"groups"`
	Status502      int `json:"status_502"`
	Status504      int `json:"status_504"`
}

type jsonGroup struct {
	Cause       errorlog.Cause    `json:"cause"`
	Status      int               `json:"status"`
	StatusText  string            `json:"status_text"`
	Count       int               `json:"count"`
	Upstream    string            `json:"upstream"`
	Target      errorlog.Upstream `json:"target"`
	Message     string            `json:"message"`
	First       jsonEntry         `json:"first"`
	Last        jsonEntry         `json:"last"`
	Servers     []Count           `json:"servers"`
	Requests    []Count           `json:"requests"`
	Explanation string            `json:"explanation"`
	Rule        string            `json:"rule,omitempty"`
	Rules       []string          `json:"rules"`
	LiveRules   []string          `json:"live_rules"`
	Places      []*Place          `json:"places"`
	Findings    []lint.Finding    `json:"findings"`
}

type jsonEntry struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Time string `json:"time"`
}

// WriteJSON writes the report as one JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{
		Version: JSONVersion, Tool: jsonTool{Name: "nginx502-lint", Version: r.Version},
		Logs: append([]LogFile{}, r.Logs...), ConfigFiles: r.ConfigFiles,
		Groups: []jsonGroup{}, Notes: append([]string{}, r.Notes...),
	}
	for _, g := range r.Groups {
		jg := jsonGroup{
			Cause: g.Cause, Status: g.Status, StatusText: StatusText(g.Status), Count: g.Count,
			Upstream: g.Upstream, Target: g.Target, Message: g.Message,
			First:   jsonEntry{g.First.File, g.First.Line, g.First.TimeText},
			Last:    jsonEntry{g.Last.File, g.Last.Line, g.Last.TimeText},
			Servers: g.Servers, Requests: g.Requests, Explanation: g.Explanation, Rule: g.Rule,
			Rules: nonNil(g.Rules), LiveRules: nonNil(g.LiveRules),
			Places: g.Places, Findings: g.Findings,
		}
		if jg.Places == nil {
			jg.Places = []*Place{}
		}
		if jg.Findings == nil {
			jg.Findings = []lint.Finding{}
		}
		out.Groups = append(out.Groups, jg)
		out.Summary.UpstreamErrors += g.Count
		out.Summary.Groups++
		switch g.Status {
		case 502:
			out.Summary.Status502 += g.Count
		case 504:
			out.Summary.Status504 += g.Count
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
