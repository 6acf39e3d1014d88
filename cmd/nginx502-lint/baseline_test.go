package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestBaseline(t *testing.T) {
	root := copyTree(t, shopTree, nil)
	site := filepath.Join(root, "etc/nginx/sites-available/shop.conf")
	def := filepath.Join(root, "etc/nginx/sites-available/default")
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	paths := []string{"/etc/nginx", "/etc/php"}
	write := func(p, content string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// flags before the command, between it and the paths, after them
	r := lintTree(t, append([]string{"--root", root, "baseline", "create", "--file", baseline}, paths...)...)
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "wrote 1 findings to "+baseline, "--baseline "+baseline)
	var bf struct {
		Version  int `json:"version"`
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
			Rule        string `json:"rule"`
			File        string `json:"file"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(readFile(t, baseline)), &bf); err != nil {
		t.Fatalf("baseline is not JSON: %v", err)
	}
	if bf.Version != 1 || len(bf.Findings) != 1 || bf.Findings[0].Rule != "fastcgi-pass-unmatched" {
		t.Fatalf("baseline = %+v", bf)
	}

	steps := []struct {
		name   string
		change func()
		code   int
		rules  []string
		at     string
	}{
		{"the same configuration", func() {}, 0, nil, ""},
		{"lines added above the finding", func() {
			write(site, "# shop.example.com\n\n\n"+readFile(t, site))
		}, 0, nil, ""},
		{"a new finding in another file", func() {
			write(def, edit(t, readFile(t, def), "php8.2-fpm.sock", "php7.4-fpm.sock"))
		}, 1, []string{"fastcgi-pass-unmatched"}, "sites-enabled/default:9:3: error: no PHP-FPM pool listens on unix:/run/php/php7.4-fpm.sock"},
		{"the old finding changed: a new one", func() {
			write(def, edit(t, readFile(t, def), "php7.4-fpm.sock", "php8.2-fpm.sock"))
			write(site, edit(t, readFile(t, site), "php8.1-fpm-shop.sock", "php7.4-fpm-shop.sock"))
		}, 1, []string{"fastcgi-pass-unmatched"}, "sites-enabled/shop.conf:16:3: error: no PHP-FPM pool listens on unix:/run/php/php7.4-fpm-shop.sock"},
		{"the old finding fixed", func() {
			write(site, edit(t, readFile(t, site), "php7.4-fpm-shop.sock", "php8.2-fpm-shop.sock"))
		}, 0, nil, ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			r := lintTree(t, append([]string{"--format", "gcc", "--baseline", baseline, "--root", root}, paths...)...)
			wantCode(t, r, s.code)
			if got := rulesOf(r.stdout); !reflect.DeepEqual(got, s.rules) && (len(got) > 0 || len(s.rules) > 0) {
				t.Errorf("findings %q, want %q:\n%s", got, s.rules, r.stdout)
			}
			if s.at != "" {
				wantContains(t, "stdout", r.stdout, s.at)
			}
		})
	}
}

func TestBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "b.json")

	r := lintTree(t, "baseline", "create", "--file", file, "--root", badData+"/stray-brace", "/etc/nginx")
	wantCode(t, r, 2)
	wantContains(t, "stdout", r.stdout, "nginx.conf:7:1: error:")
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a baseline was written for a configuration that does not load")
	}

	r = lintTree(t, "baseline", "create", "--baseline", file, "--root", shopTree, "/etc")
	wantCode(t, r, 2)
	wantContains(t, "stderr", r.stderr, "takes no --baseline")

	for name, content := range map[string]string{
		"not JSON":      "nope",
		"wrong version": `{"version": 99, "tool": "nginx502-lint", "findings": []}`,
		"unknown field": `{"version": 1, "tool": "nginx502-lint", "findings": [], "extra": 1}`,
	} {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		r := lintTree(t, "--baseline", p, "--root", shopTree, "/etc")
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2", name, r.code)
		}
		wantContains(t, name+": stderr", r.stderr, "--baseline", p)
	}
}
