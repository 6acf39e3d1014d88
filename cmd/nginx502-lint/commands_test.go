package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint/printers"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

func TestRulesCommand(t *testing.T) {
	r := runCLI(t, "", "rules")
	wantCode(t, r, 0)
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "RULE") {
		t.Errorf("no header: %q", lines[0])
	}
	for _, rule := range rules.All() {
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(rule.ID) + `\s+` + rule.Severity.String() + `\s+` + regexp.QuoteMeta(rule.Title) + `$`)
		if !row.MatchString(r.stdout) {
			t.Errorf("rules lacks %s (%s): %s", rule.ID, rule.Severity, rule.Title)
		}
	}
	wantContains(t, "stdout", r.stdout, "nginx502-lint explain RULE")
}

func TestExplainCommand(t *testing.T) {
	for _, rule := range printers.Catalogue(rules.All()) {
		t.Run(rule.ID, func(t *testing.T) {
			r := runCLI(t, "", "explain", rule.ID)
			wantCode(t, r, 0)
			wantContains(t, "explain", r.stdout, rule.ID+" ("+rule.Severity.String()+"): "+rule.Title, "Bad:", "Good:")
		})
	}

	r := runCLI(t, "", "explain", "fastcgi-pass-unmatched")
	doc := rules.ByID("fastcgi-pass-unmatched")
	firstDocLine, _, _ := strings.Cut(doc.Doc, "\n")
	wantContains(t, "explain", r.stdout, firstDocLine, "fastcgi_pass unix:/run/php/php8.1-fpm.sock;", "Fix:")

	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown rule", []string{"explain", "nope"}, []string{`no rule "nope"`, "--help"}},
		{"near miss: did you mean", []string{"explain", "fastcgi-pass-unmached"}, []string{`no rule "fastcgi-pass-unmached"`, "did you mean fastcgi-pass-unmatched?"}},
		{"near miss by one letter", []string{"explain", "timeout-too-lo"}, []string{"did you mean timeout-too-low?"}},
		{"no rule given", []string{"explain"}, []string{"explain takes one RULE"}},
		{"two rules given", []string{"explain", "timeout-too-low", "buffer-too-small"}, []string{"explain takes one RULE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			wantCode(t, r, 2)
			wantContains(t, "stderr", r.stderr, c.want...)
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		r := runCLI(t, "", flag)
		wantCode(t, r, 0)
		if got, want := r.stdout, "nginx502-lint version "+version()+"\n"; got != want {
			t.Errorf("%s: %q, want %q", flag, got, want)
		}
	}
}

// TestHelp checks that --help names every flag of the app and of each
// command.
func TestHelp(t *testing.T) {
	app := newApp(nil, nil, nil)
	check := func(t *testing.T, args []string, flags []cli.Flag) {
		t.Helper()
		r := runCLI(t, "", args...)
		wantCode(t, r, 0)
		for _, f := range flags {
			for _, name := range f.Names() {
				dash := "--"
				if len(name) == 1 {
					dash = "-"
				}
				if !regexp.MustCompile(`(^|[\s,])` + regexp.QuoteMeta(dash+name) + `\b`).MatchString(r.stdout) {
					t.Errorf("%q does not mention %s%s", args, dash, name)
				}
			}
		}
	}
	check(t, []string{"--help"}, app.Flags)
	r := runCLI(t, "", "--help")
	for _, c := range app.Commands {
		wantContains(t, "--help", r.stdout, c.Name)
	}
	wantContains(t, "--help", r.stdout, "Exit status: 0", "1 findings", "2 unreadable configuration or\n   wrong usage")
	for _, c := range app.Commands {
		if len(c.Flags) > 0 {
			check(t, []string{c.Name, "--help"}, c.Flags)
		}
		for _, sub := range c.Subcommands {
			check(t, []string{c.Name, sub.Name, "--help"}, sub.Flags)
		}
	}
	if r := runCLI(t, "", "-h"); r.code != 0 || r.stdout != runCLI(t, "", "--help").stdout {
		t.Errorf("-h is not --help")
	}
}

func TestModelCommand(t *testing.T) {
	inRepoRoot(t)
	t.Run("text", func(t *testing.T) {
		r := runCLI(t, "", "model", "--root", "testdata/example", "/etc/nginx", "/etc/php")
		wantCode(t, r, 0)
		wantContains(t, "model", r.stdout,
			"loaded 16 files (nginx: 3 servers, 4 backend hops, 1 upstream; php-fpm 8.2: 3 pools)",
			"workers run as www-data:www-data (testdata/example/etc/nginx/nginx.conf:1:1)",
			"fastcgi_pass testdata/example/etc/nginx/sites-enabled/default:15:3 -> unix socket /run/php/php8.1-fpm.sock",
			"proxy_pass testdata/example/etc/nginx/sites-enabled/shop.conf:12:3 -> upstream api_backend",
			"pool [shop] testdata/example/etc/php/8.2/fpm/pool.d/shop.conf:2:1",
			"nginx    testdata/example/etc/nginx/sites-enabled/shop.conf -> testdata/example/etc/nginx/sites-available/shop.conf",
		)
	})
	t.Run("json", func(t *testing.T) {
		r := runCLI(t, "", "model", "--format", "json", "--root", "testdata/example", "/etc/nginx", "/etc/php")
		wantCode(t, r, 0)
		type pos struct {
			File      string `json:"file"`
			Line, Col int
		}
		var m struct {
			Sources []struct {
				Path, Kind string
			} `json:"sources"`
			Nginx struct {
				File string `json:"file"`
				User struct {
					Name, Group string
				} `json:"user"`
				Hops []struct {
					Pos    pos    `json:"pos"`
					Module string `json:"module"`
					In     string `json:"in"`
					Target struct {
						Kind     string `json:"kind"`
						Path     string `json:"path"`
						Host     string `json:"host"`
						Port     int    `json:"port"`
						Upstream *struct {
							Name    string `json:"name"`
							Servers []struct {
								Target struct {
									Kind string `json:"kind"`
									Host string `json:"host"`
									Port int    `json:"port"`
								} `json:"target"`
							} `json:"servers"`
						} `json:"upstream"`
					} `json:"target"`
					IncludeChain []pos `json:"include_chain"`
					Effective    map[string]struct {
						Values []string `json:"values"`
						At     []pos    `json:"at"`
						Level  string   `json:"level"`
					} `json:"effective"`
				} `json:"hops"`
			} `json:"nginx"`
			FPM []struct {
				Version string `json:"version"`
				Pools   []struct {
					Name string `json:"name"`
				} `json:"pools"`
			} `json:"fpm"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		if m.Nginx.User.Name != "www-data" || len(m.FPM) != 1 || m.FPM[0].Version != "8.2" || len(m.FPM[0].Pools) != 3 || len(m.Sources) != 16 {
			t.Errorf("model: user %+v, fpm %+v, %d sources", m.Nginx.User, m.FPM, len(m.Sources))
		}
		if len(m.Nginx.Hops) != 4 {
			t.Fatalf("%d hops, want 4", len(m.Nginx.Hops))
		}
		byPos := map[string]int{}
		for i, h := range m.Nginx.Hops {
			byPos[h.Pos.File+":"+strconv.Itoa(h.Pos.Line)] = i
			if h.Target.Kind == "" || h.In == "" || len(h.IncludeChain) == 0 {
				t.Errorf("hop %+v is not resolved", h)
			}
		}
		def := m.Nginx.Hops[byPos["testdata/example/etc/nginx/sites-enabled/default:15"]]
		if def.Module != "fastcgi" || def.Target.Kind != "unix" || def.Target.Path != "/run/php/php8.1-fpm.sock" || def.In != `http > server _ > location ~ \.php$` {
			t.Errorf("default's hop = %+v", def)
		}
		if rt := def.Effective["fastcgi_read_timeout"]; len(rt.Values) != 1 || rt.Values[0] != "30s" || rt.Level != "http" || rt.At[0].Line != 20 {
			t.Errorf("default's fastcgi_read_timeout = %+v, want 30s from http at nginx.conf:20", rt)
		}
		blog := m.Nginx.Hops[byPos["testdata/example/etc/nginx/sites-enabled/blog.conf:9"]]
		if blog.Target.Kind != "tcp" || blog.Target.Host != "127.0.0.1" || blog.Target.Port != 9001 {
			t.Errorf("blog's hop = %+v", blog.Target)
		}
		api := m.Nginx.Hops[byPos["testdata/example/etc/nginx/sites-enabled/shop.conf:12"]]
		if api.Module != "proxy" || api.Target.Kind != "upstream" || api.Target.Upstream == nil || api.Target.Upstream.Name != "api_backend" ||
			len(api.Target.Upstream.Servers) != 1 || api.Target.Upstream.Servers[0].Target.Port != 8080 {
			t.Errorf("shop's proxy_pass = %+v", api.Target)
		}
		shop := m.Nginx.Hops[byPos["testdata/example/etc/nginx/sites-enabled/shop.conf:18"]]
		if bs := shop.Effective["fastcgi_buffer_size"]; len(bs.Values) != 1 || bs.Values[0] != "32k" || !strings.HasPrefix(bs.Level, "http > server shop.example.com > location") {
			t.Errorf("shop's fastcgi_buffer_size = %+v", bs)
		}
	})
	t.Run("errors", func(t *testing.T) {
		r := runCLI(t, "", "model", "--format", "xml", "--root", "testdata/example", "/etc")
		wantCode(t, r, 2)
		wantContains(t, "stderr", r.stderr, `unknown --format "xml" for model`)
		r = runCLI(t, "", "model", "--root", "testdata/badinput/stray-brace", "/etc/nginx")
		wantCode(t, r, 2)
		wantContains(t, "stdout", r.stdout, "testdata/badinput/stray-brace/etc/nginx/nginx.conf:7:1: error:")
		r = runCLI(t, "", "model")
		wantCode(t, r, 2)
		wantContains(t, "stderr", r.stderr, "no PATH given")
	})
}
