package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeConfig writes a .nginx502-lint.yml with content in a new directory
// and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".nginx502-lint.yml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigFile(t *testing.T) {
	warnings := warningsTree(t)
	cases := []struct {
		name   string
		config string
		tree   string
		args   []string // after the tree's paths
		code   int
		rules  []string // gcc findings
		stdout []string
	}{
		{"no settings", "", shopTree, nil, 1, []string{"fastcgi-pass-unmatched"}, nil},
		{"rules.disable", "rules:\n  disable: [fastcgi-pass-unmatched]\n", shopTree, nil, 0, nil, nil},
		{"severity off", "rules:\n  fastcgi-pass-unmatched:\n    severity: off\n", shopTree, nil, 0, nil, nil},
		{"severity lowered to warning: still fails at fail_on warning", "rules:\n  fastcgi-pass-unmatched:\n    severity: warning\n", shopTree, nil, 1,
			[]string{"fastcgi-pass-unmatched"}, []string{"sites-enabled/shop.conf:13:3: warning: no PHP-FPM pool listens"}},
		{"severity lowered to note", "rules:\n  fastcgi-pass-unmatched:\n    severity: note\n", shopTree, nil, 0,
			[]string{"fastcgi-pass-unmatched"}, []string{"sites-enabled/shop.conf:13:3: note: no PHP-FPM pool listens"}},
		{"severity raised to error", "rules:\n  timeout-too-low:\n    severity: error\n", warnings, []string{"--fail-on", "error"}, 1,
			[]string{"timeout-chain-inverted", "timeout-chain-inverted", "timeout-too-low"}, []string{"etc/nginx/nginx.conf:17:2: error: fastcgi_read_timeout 3s: a backend"}},
		{"fail_on error", "fail_on: error\n", warnings, nil, 0, []string{"timeout-chain-inverted", "timeout-chain-inverted", "timeout-too-low"}, nil},
		{"--fail-on beats fail_on", "fail_on: error\n", warnings, []string{"--fail-on", "warning"}, 1, []string{"timeout-chain-inverted", "timeout-chain-inverted", "timeout-too-low"}, nil},
		{"min_severity error", "min_severity: error\n", warnings, nil, 0, nil, nil},
		{"option min_buffer_size raises the floor", "rules:\n  buffer-too-small:\n    options:\n      min_buffer_size: 32k\n", cleanTree, nil, 1,
			[]string{"buffer-too-small"}, []string{"etc/nginx/nginx.conf:15:2: warning:", "16k"}},
		{"option min_buffer_size at the value set", "rules:\n  buffer-too-small:\n    options:\n      min_buffer_size: 16k\n", cleanTree, nil, 0, nil, nil},
		{"option min_timeout lowers the floor", "rules:\n  timeout-too-low:\n    options:\n      min_timeout: 2s\n", warnings, nil, 1,
			[]string{"timeout-chain-inverted", "timeout-chain-inverted"}, nil},
		{"nginx_user", "nginx_user: nobody nogroup\n", cleanTree, nil, 1,
			[]string{"socket-permission-denied", "socket-permission-denied"}, []string{"nginx workers run as nobody:nogroup"}},
		{"exclude by file name", "exclude: [shop.conf]\n", shopTree, nil, 0, nil, nil},
		{"exclude something else", "exclude: [\"snippets/\"]\n", shopTree, nil, 1, []string{"fastcgi-pass-unmatched"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := writeConfig(t, c.config)
			args := append([]string{"--config", cfg, "--format", "gcc", "--root", c.tree, "/etc/nginx", "/etc/php"}, c.args...)
			r := runCLI(t, "", args...)
			wantCode(t, r, c.code)
			if got := rulesOf(r.stdout); !reflect.DeepEqual(got, c.rules) && (len(got) > 0 || len(c.rules) > 0) {
				t.Errorf("findings %q, want %q:\n%s", got, c.rules, r.stdout)
			}
			wantContains(t, "stdout", r.stdout, c.stdout...)
		})
	}
}

func TestConfigFileErrors(t *testing.T) {
	cases := []struct {
		name   string
		config string
		want   []string // in stderr, after the file's path
	}{
		{"unknown top-level key", "rules:\n  disable: []\nfail_onn: error\n", []string{":3:1: error: unknown key \"fail_onn\" in the configuration (did you mean \"fail_on\"?)"}},
		{"unknown rule key", "rules:\n  timeout-too-low:\n    option:\n      min_timeout: 2s\n", []string{":3:5: error: unknown key \"option\" in rules.timeout-too-low (did you mean \"options\"?)"}},
		{"unknown rule in disable", "rules:\n  disable: [fastcgi-pass-unmached]\n", []string{":2:13: error: unknown rule \"fastcgi-pass-unmached\" (did you mean \"fastcgi-pass-unmatched\"?)"}},
		{"unknown rule section", "rules:\n  no-such-rule:\n    severity: note\n", []string{":2:3: error: unknown rule \"no-such-rule\""}},
		{"bad severity", "fail_on: fatal\n", []string{":1:10: error: fail_on: unknown severity \"fatal\""}},
		{"tab indentation", "rules:\n\tdisable: []\n", []string{":2: error:", "tabs"}},
		{"every error at once", "fail_onn: error\nmin_severty: note\n", []string{":1:1: error: unknown key \"fail_onn\"", ":2:1: error: unknown key \"min_severty\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := writeConfig(t, c.config)
			before := hashTree(t, filepath.Dir(cfg))
			r := runCLI(t, "", "--config", cfg, "--root", cleanTree, "/etc")
			wantCode(t, r, 2)
			for _, w := range c.want {
				if strings.HasPrefix(w, ":") {
					w = cfg + w // file:line: error:
				}
				wantContains(t, "stderr", r.stderr, w)
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
			}
			wantUnchanged(t, filepath.Dir(cfg), before)
		})
	}

	r := runCLI(t, "", "--config", filepath.Join(t.TempDir(), "missing.yml"), "--root", cleanTree, "/etc")
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "missing.yml")
}

// TestConfigFound checks that .nginx502-lint.yml is found from the current
// directory upwards, that its root is relative to it, and that --no-config
// leaves it out.
func TestConfigFound(t *testing.T) {
	tree, err := filepath.Abs(shopTree)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(tree, filepath.Join(dir, "deploy")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".nginx502-lint.yml"), []byte("root: deploy\nrules:\n  disable: [fastcgi-pass-unmatched]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)

	r := runCLI(t, "", "/etc/nginx", "/etc/php")
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "no problems found in 12 files")

	r = runCLI(t, "", "--no-config", "--root", tree, "/etc/nginx", "/etc/php")
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, "[fastcgi-pass-unmatched]")
}

func TestConfigInit(t *testing.T) {
	clean, shop := mustAbs(t, cleanTree), mustAbs(t, shopTree)
	dir := t.TempDir()
	t.Chdir(dir)

	r := runCLI(t, "", "config", "init")
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "wrote .nginx502-lint.yml")
	written := readFile(t, filepath.Join(dir, ".nginx502-lint.yml"))

	// what it wrote loads cleanly and changes nothing
	r = runCLI(t, "", "--root", clean, "/etc/nginx", "/etc/php")
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "no problems found")
	r = runCLI(t, "", "--config", ".nginx502-lint.yml", "--format", "gcc", "--root", shop, "/etc")
	wantCode(t, r, 1)
	if got := rulesOf(r.stdout); !reflect.DeepEqual(got, []string{"fastcgi-pass-unmatched"}) {
		t.Errorf("with the default configuration: %q", got)
	}

	// a second init refuses to overwrite it
	r = runCLI(t, "", "config", "init")
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "exists already", "--force")
	if readFile(t, filepath.Join(dir, ".nginx502-lint.yml")) != written {
		t.Errorf("config init without --force changed the file")
	}

	if err := os.WriteFile(filepath.Join(dir, ".nginx502-lint.yml"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"config", "init", "--force"}, {"--no-config", "config", "init", "--force"}} {
		r = runCLI(t, "", args...)
		wantCode(t, r, 0)
		if readFile(t, filepath.Join(dir, ".nginx502-lint.yml")) != written {
			t.Errorf("%q did not rewrite the file", args)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
