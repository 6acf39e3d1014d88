package triage

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/parsers/errorlog"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

var update = flag.Bool("update", false, "rewrite testdata/logs/real-error.text")

const (
	logsDir  = "../../testdata/logs"
	realLog  = logsDir + "/real-error.log"
	e2eLog   = logsDir + "/e2e-error.log"
	treeRoot = logsDir + "/tree"
	golden   = logsDir + "/real-error.text"
)

func readLog(t *testing.T, path string) ([]errorlog.Entry, errorlog.Stats) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []errorlog.Entry
	st, err := errorlog.Read(f, filepath.Base(path), func(e errorlog.Entry) { entries = append(entries, e) })
	if err != nil {
		t.Fatal(err)
	}
	return entries, st
}

// loadTree loads testdata/logs/tree as `--root tree /etc/nginx /etc/php`
// and runs every rule on it.
func loadTree(t *testing.T) (*lint.Model, []lint.Finding) {
	t.Helper()
	m, err := parsers.Load(parsers.Options{Root: treeRoot, Paths: []string{"/etc/nginx", "/etc/php"}})
	if err != nil {
		t.Fatalf("load %s: %v", treeRoot, err)
	}
	return m, lint.Run(m, rules.All())
}

// rel shortens a position in the tree to "sites-enabled/shop:11".
func rel(p lint.Pos) string {
	f := strings.TrimPrefix(p.File, treeRoot+"/etc/nginx/")
	f = strings.TrimPrefix(f, treeRoot+"/etc/php/8.2/fpm/")
	return f + ":" + itoa(int(p.Line))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestRealLog explains testdata/logs/real-error.log, collected from real
// nginx and php-fpm8.2 running testdata/logs/tree, with that tree.
func TestRealLog(t *testing.T) {
	entries, st := readLog(t, realLog)
	m, findings := loadTree(t)
	groups := Build(entries, m, findings)

	type want struct {
		cause    errorlog.Cause
		status   int
		count    int
		upstream string
		server   string
		place    string // the configuration line, "" for none
		location string
		rule     string
		findings string // the rules whose findings are shown, space-separated
	}
	wants := []want{
		{errorlog.CauseAgain, 502, 4, "fastcgi://unix:/run/php/reports.sock", "reports.example.com", "sites-enabled/reports:10", `~ \.php$`, "unix-backlog-small", "unix-backlog-small"},
		{errorlog.CauseNoSuchFile, 502, 3, "fastcgi://unix:/run/php/php8.1-fpm.sock", "shop.example.com", "sites-enabled/shop:11", `~ \.php$`, "fastcgi-pass-unmatched", "fastcgi-pass-unmatched"},
		{errorlog.CauseTooBigHeader, 502, 2, "fastcgi://unix:/run/php/php8.2-fpm.sock", "blog.example.com", "sites-enabled/blog:20", `~ \.php$`, "buffer-too-small", "buffer-too-small"},
		{errorlog.CausePermission, 502, 2, "fastcgi://unix:/run/php/admin.sock", "admin.example.com", "sites-enabled/admin:10", `~ \.php$`, "socket-permission-denied", "socket-permission-denied"},
		{errorlog.CauseNoLiveUpstreams, 502, 2, "fastcgi://php_cluster", "cluster.example.com", "sites-enabled/app:20", `~ \.php$`, "upstream-all-down", "upstream-all-down"},
		{errorlog.CauseTimeout, 504, 1, "fastcgi://unix:/run/php/php8.2-fpm.sock", "blog.example.com", "sites-enabled/blog:13", "= /slow.php", "timeout-chain-inverted", "timeout-chain-inverted timeout-too-low"},
		{errorlog.CauseReset, 502, 1, "fastcgi://unix:/run/php/php8.2-fpm.sock", "blog.example.com", "sites-enabled/blog:20", `~ \.php$`, "timeout-chain-inverted", ""},
		{errorlog.CauseRefused, 502, 1, "fastcgi://127.0.0.1:26190", "api.example.com", "sites-enabled/api:11", `~ \.php$`, "fastcgi-pass-unmatched", "fastcgi-pass-unmatched"},
		{errorlog.CauseRefused, 502, 1, "fastcgi://unix:/run/php/legacy.sock", "legacy.example.com", "sites-enabled/api:23", `~ \.php$`, "fastcgi-pass-unmatched", "fastcgi-pass-unmatched"},
		{errorlog.CausePrematureClose, 502, 1, "http://127.0.0.1:26191", "app.example.com", "sites-enabled/app:7", "/", "", ""},
		{errorlog.CauseReset, 502, 1, "fastcgi://127.0.0.1:26193", "partner.example.com", "sites-enabled/app:33", `~ \.php$`, "fpm-allowed-clients", "fpm-allowed-clients"},
	}
	if len(groups) != len(wants) {
		for _, g := range groups {
			t.Logf("group %s %s × %d", g.Cause, g.Upstream, g.Count)
		}
		t.Fatalf("got %d groups, want %d", len(groups), len(wants))
	}
	total := 0
	for i, w := range wants {
		g := groups[i]
		total += g.Count
		if g.Cause != w.cause || g.Status != w.status || g.Count != w.count || g.Upstream != w.upstream {
			t.Errorf("group %d: %s %d × %d %s, want %s %d × %d %s", i, g.Cause, g.Status, g.Count, g.Upstream, w.cause, w.status, w.count, w.upstream)
			continue
		}
		if len(g.Servers) != 1 || g.Servers[0].Value != w.server || g.Servers[0].Count != w.count {
			t.Errorf("group %d (%s): servers %+v, want %s × %d", i, g.Cause, g.Servers, w.server, w.count)
		}
		if len(g.Places) != 1 || rel(g.Places[0].Pos) != w.place || g.Places[0].Location != w.location || g.Places[0].Server != w.server || g.Places[0].Count != w.count || g.Places[0].Guess {
			t.Errorf("group %d (%s): places %+v, want %s in location %s", i, g.Cause, g.Places, w.place, w.location)
		}
		if g.Rule != w.rule {
			t.Errorf("group %d (%s): rule %q, want %q", i, g.Cause, g.Rule, w.rule)
		}
		var got []string
		for _, f := range g.Findings {
			got = append(got, f.Rule)
		}
		if strings.Join(got, " ") != w.findings {
			t.Errorf("group %d (%s): findings of %q, want %q", i, g.Cause, got, w.findings)
		}
		if g.First.File != "real-error.log" || g.First.Line == 0 || g.First.TimeText == "" || g.Last.Time.Before(g.First.Time) {
			t.Errorf("group %d (%s): first %+v last %+v", i, g.Cause, g.First, g.Last)
		}
	}
	if total != st.Entries || st.Entries != st.Lines {
		t.Errorf("%d entries grouped, %d read from %d lines", total, st.Entries, st.Lines)
	}
	if got := Summary(groups); got != "19 upstream errors (18 × 502, 1 × 504) in 11 groups" {
		t.Errorf("summary %q", got)
	}

	// The text for people, compared with testdata/logs/real-error.text.
	report := &Report{Version: "test", Logs: []LogFile{{Name: "real-error.log", Lines: st.Lines, Entries: st.Entries}}, Groups: groups, ConfigFiles: len(m.Sources)}
	var text bytes.Buffer
	if err := WriteText(&text, report); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(text.String(), treeRoot+"/", "tree/")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantText, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./lint/triage -update writes it)", err)
	}
	if got != string(wantText) {
		t.Errorf("text output differs from %s (go test ./lint/triage -update rewrites it; review the diff):\n%s", golden, got)
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, report); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Version int
		Groups  []struct {
			Cause    string
			Status   int
			Count    int
			Rule     string
			Places   []struct{ Pos lint.Pos }
			Findings []lint.Finding
		}
		Summary struct {
			UpstreamErrors int `json:"upstream_errors"`
			Status504      int `json:"status_504"`
		}
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatalf("json: %v\n%s", err, js.String())
	}
	if decoded.Version != JSONVersion || len(decoded.Groups) != len(wants) || decoded.Summary.UpstreamErrors != 19 || decoded.Summary.Status504 != 1 {
		t.Errorf("json: %+v", decoded)
	}
	if g := decoded.Groups[1]; g.Cause != string(errorlog.CauseNoSuchFile) || g.Rule != "fastcgi-pass-unmatched" || rel(g.Places[0].Pos) != "sites-enabled/shop:11" || len(g.Findings) != 1 || g.Findings[0].Fix == nil {
		t.Errorf("json group 1: %+v", g)
	}
}

// TestE2ELog groups the lines the e2e suite collected: every entry is in
// one group, groups share a cause and an upstream, statuses follow causes.
func TestE2ELog(t *testing.T) {
	if _, err := os.Stat(e2eLog); err != nil {
		t.Skipf("no %s: %v", e2eLog, err)
	}
	entries, st := readLog(t, e2eLog)
	groups := Build(entries, nil, nil)
	total := 0
	for i, g := range groups {
		total += g.Count
		if i > 0 && groups[i-1].Count < g.Count {
			t.Errorf("groups not by count: %d before %d", groups[i-1].Count, g.Count)
		}
		if g.Status != g.Cause.Status() || (g.Status == 504) != (g.Cause == errorlog.CauseTimeout || g.Cause == errorlog.CauseConnectTimeout) {
			t.Errorf("%s: status %d", g.Cause, g.Status)
		}
		if g.Explanation == "" || len(g.Places) != 0 || len(g.Findings) != 0 {
			t.Errorf("%s: explanation %q, places %v, findings %v without configuration", g.Cause, g.Explanation, g.Places, g.Findings)
		}
		n := 0
		for _, e := range entries {
			if e.Cause == g.Cause && strings.HasSuffix(g.Upstream, e.Target().Address()) {
				n++
			}
		}
		if n != g.Count {
			t.Errorf("%s %s: count %d, but %d entries have that cause and upstream", g.Cause, g.Upstream, g.Count, n)
		}
	}
	if total != st.Entries {
		t.Errorf("%d entries in groups, %d read", total, st.Entries)
	}
}

func TestServerNameFallback(t *testing.T) {
	m, findings := loadTree(t)
	line := `2026/11/26 02:50:55 [crit] 1#1: *2 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: other.example.com, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "other.example.com"`
	e, ok := errorlog.ParseLine(line)
	if !ok {
		t.Fatal("not parsed")
	}
	g := Build([]errorlog.Entry{e}, m, findings)[0]
	if len(g.Places) != 1 || !g.Places[0].Guess || rel(g.Places[0].Pos) != "sites-enabled/shop:11" {
		t.Errorf("places %+v: want shop:11 as a guess", g.Places)
	}
	// A second name of the server matches too.
	e.Server = "www.shop.example.com"
	g = Build([]errorlog.Entry{e}, m, findings)[0]
	if len(g.Places) != 1 || g.Places[0].Guess {
		t.Errorf("places %+v: want shop:11, matched", g.Places)
	}
	// An upstream nothing in the configuration reaches.
	e.Upstream = "fastcgi://unix:/run/php/none.sock:"
	if g := Build([]errorlog.Entry{e}, m, findings)[0]; len(g.Places) != 0 || len(g.Findings) != 0 {
		t.Errorf("unknown upstream: places %+v findings %+v", g.Places, g.Findings)
	}
}

func TestTCPPermissionIsSELinux(t *testing.T) {
	e, ok := errorlog.ParseLine(`2026/01/02 03:04:05 [crit] 1#1: *9 connect() to 10.0.0.5:3000 failed (13: Permission denied) while connecting to upstream, client: 10.1.1.1, server: app, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:3000/", host: "app"`)
	if !ok {
		t.Fatal("not parsed")
	}
	g := Build([]errorlog.Entry{e}, nil, nil)[0]
	if !strings.Contains(g.Explanation, "SELinux") || len(g.Rules) != 0 || len(g.LiveRules) != 1 || g.LiveRules[0] != "live-selinux-blocks" {
		t.Errorf("TCP (13): %q rules %v live %v", g.Explanation, g.Rules, g.LiveRules)
	}
}

func TestFindLocation(t *testing.T) {
	conf := `server {
    location = /exact { }
    location / { }
    location /static/ {
        location ~ \.map$ { }
    }
    location ^~ /assets/ { }
    location ~ \.php$ { }
    location ~* \.(png|jpg)$ { }
    location /api/ { }
    location @fallback { }
}`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte("events {}\nhttp {\n"+conf+"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := parsers.Load(parsers.Options{Paths: []string{filepath.Join(dir, "nginx.conf")}})
	if err != nil {
		t.Fatal(err)
	}
	var server lint.Directive
	m.Nginx.Root.Walk(func(d lint.Directive) bool {
		if d.Name() == "server" {
			server = d
		}
		return true
	})
	tests := map[string]string{
		"/exact":          "= /exact",
		"/exact/x":        "/",
		"/index.php":      `~ \.php$`,
		"/api/x.php":      `~ \.php$`,
		"/api/x":          "/api/",
		"/assets/a.php":   "^~ /assets/",
		"/static/app.map": `~ \.map$`,
		"/static/a.php":   `~ \.php$`,
		"/static/a.css":   "/static/",
		"/IMG.PNG":        `~* \.(png|jpg)$`,
		"/":               "/",
	}
	for uri, want := range tests {
		loc := findLocation(server, uri)
		got := ""
		if !loc.IsZero() {
			got = strings.Join(loc.ArgValues(), " ")
		}
		if got != want {
			t.Errorf("%s: location %q, want %q", uri, got, want)
		}
	}
}
