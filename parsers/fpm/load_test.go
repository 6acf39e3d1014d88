package fpm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

func overlay(files map[string]string) *source.FS {
	fsys := &source.FS{Overlay: map[string][]byte{}}
	for p, c := range files {
		fsys.Overlay[p] = []byte(c)
	}
	return fsys
}

func noEnv(string) (string, bool) { return "", false }

func mustLoad(t *testing.T, files map[string]string, conf string, opts Options) *lint.FPM {
	t.Helper()
	if opts.Env == nil {
		opts.Env = noEnv
	}
	f, _, err := Load(overlay(files), conf, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return f
}

func loadErrors(t *testing.T, files map[string]string, conf string, opts Options) lint.LoadErrors {
	t.Helper()
	if opts.Env == nil {
		opts.Env = noEnv
	}
	_, _, err := Load(overlay(files), conf, opts)
	var errs lint.LoadErrors
	if !errors.As(err, &errs) {
		t.Fatalf("want load errors, got %v", err)
	}
	return errs
}

func pool(t *testing.T, f *lint.FPM, name string) *lint.Pool {
	t.Helper()
	for _, p := range f.Pools {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pool %q in %d pools", name, len(f.Pools))
	return nil
}

func TestLoadPool(t *testing.T) {
	files := map[string]string{"/c/www.conf": `; pool (nginx502-lint keeps this comment)
[www]
User = www-data
listen = /run/php/$pool.sock
listen.mode = 0660
pm = dynamic
pm.max_children = 5
pm.max_children = 9
catch_workers_output = yes
clear_env = no
slowlog = /var/log/$pool.slow
php_value[memory_limit] = 64M
php_value[memory_limit] = 128M
php_admin_value[upload_max_filesize] = 2M
php_value[upload_max_filesize] = 8M
php_flag[display_errors] = off
php_admin_flag[log_errors] = "on"
php_admin_value[error_log] = /var/log/$pool.err
env[PATH] = /usr/bin
env[PATH] = /bin
env[HOSTNAME] = $HOSTNAME
env[FROM] = ${FROM}
`}
	env := func(n string) (string, bool) {
		if n == "FROM" {
			return "env-value", true
		}
		return "", false
	}
	f, sources, err := LoadPool(overlay(files), "/c/www.conf", Options{Env: env, Prefix: "/usr"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Standalone || f.File != "/c/www.conf" || f.Prefix != "/usr" {
		t.Errorf("fpm %+v", f)
	}
	if len(sources) != 1 || sources[0].Kind != lint.KindFPM || sources[0].Size != int64(len(files["/c/www.conf"])) || len(sources[0].Comments) != 1 {
		t.Errorf("sources %+v", sources)
	}
	p := pool(t, f, "www")
	if p.Pos != (lint.Pos{File: "/c/www.conf", Line: 2, Col: 1}) || p.FPM != f {
		t.Errorf("pool at %v", p.Pos)
	}
	checks := map[string]string{
		"user": "www-data", "listen": "/run/php/www.sock", "listen.mode": "0660", "pm.max_children": "9",
		"catch_workers_output": "1", "clear_env": "", "slowlog": "/var/log/www.slow",
	}
	for k, want := range checks {
		if v := p.Values[k]; v == nil || v.Value != want {
			t.Errorf("%s = %v, want %q", k, v, want)
		}
	}
	if v := p.Values["user"]; v.Key != "User" || v.Pos != (lint.Pos{File: "/c/www.conf", Line: 3, Col: 1}) {
		t.Errorf("user: key %q at %v", v.Key, v.Pos)
	}
	if v := p.Values["pm.max_children"]; v.Pos.Line != 8 {
		t.Errorf("pm.max_children: the last one wins, at line 8; got %v", v.Pos)
	}
	if p.Listen.Kind != lint.ListenUnix || p.Listen.Path != "/run/php/www.sock" || p.Listen.Value != p.Values["listen"] {
		t.Errorf("listen %+v", p.Listen)
	}
	php := map[string]string{
		"memory_limit":        "64M false", // first wins
		"upload_max_filesize": "2M true",   // admin beats non-admin
		"display_errors":      "0 false",   // a flag is stored as 0/1
		"log_errors":          "1 true",    // quoted "on" is a boolean for a flag
		"error_log":           "/var/log/www.err true",
	}
	for k, want := range php {
		v := p.PHPValues[k]
		if v == nil || fmt.Sprintf("%s %v", v.Value, v.Admin) != want || v.Name != k {
			t.Errorf("php %s = %+v, want %s", k, v, want)
		}
	}
	if v := p.PHPValues["memory_limit"]; v.Pos.Line != 12 {
		t.Errorf("memory_limit at %v, want line 12", v.Pos)
	}
	envs := map[string]string{"PATH": "/usr/bin", "HOSTNAME": "$HOSTNAME", "FROM": "env-value"}
	for k, want := range envs {
		if v := p.Env[k]; v == nil || v.Value != want || v.Key != "env["+k+"]" {
			t.Errorf("env %s = %+v, want %q", k, v, want)
		}
	}
}

func TestLoadGlobalAndPools(t *testing.T) {
	files := map[string]string{
		"/etc/php-fpm.conf":     "[global]\npid = /run/php-fpm.pid\nerror_log = /tmp/$pool.log\ninclude=/etc/php-fpm.d/*.conf\n",
		"/etc/php-fpm.d/b.conf": "[b]\nlisten = 9001\n",
		"/etc/php-fpm.d/a.conf": "[a]\nlisten = 9000\n[global]\nlog_level = debug\n",
	}
	f := mustLoad(t, files, "/etc/php-fpm.conf", Options{})
	if f.Standalone || f.File != "/etc/php-fpm.conf" || f.Prefix != "/usr" || f.Version != "" {
		t.Errorf("fpm %+v", f)
	}
	if len(f.Pools) != 2 || f.Pools[0].Name != "a" || f.Pools[1].Name != "b" {
		t.Fatalf("pools in glob order: %v", f.Pools)
	}
	if f.Global["log_level"] == nil || f.Global["pid"].Value != "/run/php-fpm.pid" {
		t.Errorf("global %v", f.Global)
	}
	// $pool is kept in [global]: php-fpm refuses it there, a rule says so.
	if v := f.Global["error_log"]; v.Value != "/tmp/$pool.log" || fpmconf.ValueError(true, v.Key, v.Value) == "" {
		t.Errorf("error_log %+v", v)
	}
}

func TestIncludeSemantics(t *testing.T) {
	t.Run("section carries over", func(t *testing.T) {
		f := mustLoad(t, map[string]string{
			"/e/php-fpm.conf":    "[global]\ninclude=/e/pool.d/*.conf\nemergency_restart_threshold = 10\n",
			"/e/pool.d/www.conf": "[www]\nlisten = 9000\n",
			"/e/pool.d/x.conf":   "pm.max_children = 5\n",
		}, "/e/php-fpm.conf", Options{})
		p := pool(t, f, "www")
		// Keys at the top of x.conf and after the include line belong to
		// the pool still open, as in php-fpm.
		if p.Values["pm.max_children"] == nil || p.Values["emergency_restart_threshold"] == nil || f.Global["emergency_restart_threshold"] != nil {
			t.Errorf("www %v, global %v", p.Values, f.Global)
		}
	})
	t.Run("sections reopen case-insensitively", func(t *testing.T) {
		f := mustLoad(t, map[string]string{
			"/e/php-fpm.conf": "include=/e/*.pool\n",
			"/e/1.pool":       "[www]\nlisten = 127.0.0.1:9003\npm = dynamic\n",
			"/e/2.pool":       "[WWW]\nlisten = 127.0.0.1:9004\n[Global]\npid = x\n",
		}, "/e/php-fpm.conf", Options{})
		if len(f.Pools) != 1 || f.Pools[0].Name != "www" || f.Pools[0].Values["listen"].Value != "127.0.0.1:9004" || f.Pools[0].Values["pm"] == nil || f.Global["pid"] == nil {
			t.Errorf("pools %v, global %v", f.Pools, f.Global)
		}
		if f.Pools[0].Pos.File != "/e/1.pool" {
			t.Errorf("pool position %v", f.Pools[0].Pos)
		}
	})
	t.Run("include inside a pool", func(t *testing.T) {
		f := mustLoad(t, map[string]string{
			"/e/php-fpm.conf":   "[edge]\nlisten = 9000\ninclude = /e/inc/*.conf\npm.max_requests = 11\n",
			"/e/inc/extra.conf": "pm.max_requests = 10\nphp_value[from_inc] = yes\n",
		}, "/e/php-fpm.conf", Options{})
		p := pool(t, f, "edge")
		if p.Values["pm.max_requests"].Value != "11" || p.PHPValues["from_inc"].Value != "1" {
			t.Errorf("edge %v %v", p.Values, p.PHPValues)
		}
	})
	t.Run("relative patterns against the prefix", func(t *testing.T) {
		f := mustLoad(t, map[string]string{
			"/conf/php-fpm.conf":            "[global]\ninclude=etc/php-fpm.d/*.conf\n",
			"/opt/fpm/etc/php-fpm.d/a.conf": "[a]\nlisten = a.sock\n",
			"/conf/etc/php-fpm.d/b.conf":    "[b]\nlisten = 9001\n",
		}, "/conf/php-fpm.conf", Options{Prefix: "/opt/fpm"})
		if len(f.Pools) != 1 || f.Pools[0].Name != "a" {
			t.Fatalf("pools %v: the pattern is relative to the prefix, not to the file", f.Pools)
		}
		if f.Pools[0].Listen.Path != "/opt/fpm/a.sock" {
			t.Errorf("listen %+v", f.Pools[0].Listen)
		}
	})
	t.Run("five files deep", func(t *testing.T) {
		files := map[string]string{"/d/0.conf": "include=/d/1.conf\n"}
		for i := 1; i <= 4; i++ {
			files[fmt.Sprintf("/d/%d.conf", i)] = fmt.Sprintf("include=/d/%d.conf\n", i+1)
		}
		files["/d/5.conf"] = "[p]\nlisten = 9000\n"
		errs := loadErrors(t, files, "/d/0.conf", Options{})
		if len(errs) != 1 || errs[0].Pos != (lint.Pos{File: "/d/4.conf", Line: 1, Col: 1}) || !strings.Contains(errs[0].Msg, "failed to include more than 5 files recursively") {
			t.Errorf("errors %v", errs)
		}
		delete(files, "/d/0.conf")
		f := mustLoad(t, files, "/d/1.conf", Options{})
		if len(f.Pools) != 1 {
			t.Errorf("a chain of 5 files loads: %v", f.Pools)
		}
	})
	t.Run("missing files", func(t *testing.T) {
		// A pattern matching nothing, or a missing file, only makes php-fpm
		// warn; a missing directory before a wildcard makes it fail.
		f := mustLoad(t, map[string]string{
			"/m/php-fpm.conf": "include=/m/none/x.conf\ninclude=/m/*.nomatch\ninclude=/m/missing.conf\n[p]\nlisten=1\n",
		}, "/m/php-fpm.conf", Options{})
		if len(f.Pools) != 1 {
			t.Errorf("pools %v", f.Pools)
		}
		errs := loadErrors(t, map[string]string{
			"/m/php-fpm.conf": "[global]\n\ninclude=/m/pool.d/*.conf\n",
		}, "/m/php-fpm.conf", Options{})
		if len(errs) != 1 || errs[0].Pos != (lint.Pos{File: "/m/php-fpm.conf", Line: 3, Col: 1}) || !strings.Contains(errs[0].Msg, "Unable to globalize") || !strings.Contains(errs[0].Msg, "/m/pool.d") {
			t.Errorf("errors %v", errs)
		}
	})
	t.Run("a file included twice", func(t *testing.T) {
		f, sources, err := Load(overlay(map[string]string{
			"/t/php-fpm.conf": "include=/t/p.conf\n[p]\nlisten = 9001\ninclude=/t/p.conf\n",
			"/t/p.conf":       "; pool nginx502-lint\n[p]\nlisten = 9000\n",
		}), "/t/php-fpm.conf", Options{Env: noEnv})
		if err != nil || len(sources) != 2 || len(sources[1].Comments) != 1 || f.Pools[0].Listen.Port != 9000 {
			t.Errorf("sources %v, listen %+v, %v", sources, f.Pools[0].Listen, err)
		}
	})
	t.Run("two includes on a line", func(t *testing.T) {
		errs := loadErrors(t, map[string]string{"/t/a.conf": "include=/t/x\rinclude=/t/y\n"}, "/t/a.conf", Options{})
		if len(errs) != 1 || !strings.Contains(errs[0].Msg, "two includes at the same time") {
			t.Errorf("errors %v", errs)
		}
	})
	t.Run("directories and dot files are skipped", func(t *testing.T) {
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, "pool.d", "sub.conf"), 0o755)
		os.WriteFile(filepath.Join(dir, "pool.d", ".hidden.conf"), []byte("[hidden]\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "pool.d", "www.conf"), []byte("[www]\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "php-fpm.conf"), []byte("include=pool.d/*.conf\n"), 0o644)
		f, sources, err := Load(&source.FS{}, filepath.Join(dir, "php-fpm.conf"), Options{Prefix: dir, Env: noEnv})
		if err != nil || len(f.Pools) != 1 || f.Pools[0].Name != "www" || len(sources) != 2 {
			t.Errorf("pools %v, %d sources, %v", f.Pools, len(sources), err)
		}
	})
}

func TestListen(t *testing.T) {
	tests := []struct {
		value, base string
		want        lint.Listen
	}{
		{"/run/php/php8.2-fpm.sock", "/usr", lint.Listen{Kind: lint.ListenUnix, Path: "/run/php/php8.2-fpm.sock"}},
		{"php-edge.sock", "/tmp/o", lint.Listen{Kind: lint.ListenUnix, Path: "/tmp/o/php-edge.sock"}},
		{"run/../x.sock", "/usr/local", lint.Listen{Kind: lint.ListenUnix, Path: "/usr/local/x.sock"}},
		{"x.sock", "", lint.Listen{Kind: lint.ListenUnix, Path: "/x.sock"}},
		{"127.0.0.1:9000", "", lint.Listen{Kind: lint.ListenTCP, Host: "127.0.0.1", Port: 9000}},
		{"[::1]:9000", "", lint.Listen{Kind: lint.ListenTCP, Host: "::1", Port: 9000}},
		{"localhost:9000", "", lint.Listen{Kind: lint.ListenTCP, Host: "localhost", Port: 9000}},
		{"9000", "", lint.Listen{Kind: lint.ListenTCP, Port: 9000}},
		{"0.0.0.0:9000", "", lint.Listen{Kind: lint.ListenTCP, Port: 9000}},
		{"[::]:9000", "", lint.Listen{Kind: lint.ListenTCP, Port: 9000}},
		{"*:9000", "", lint.Listen{Kind: lint.ListenTCP, Port: 9000}},
		{"127.0.0.1:99999", "", lint.Listen{Kind: lint.ListenTCP, Host: "127.0.0.1", Port: 99999}},
		{"/run/a:b.sock", "", lint.Listen{Kind: lint.ListenTCP, Host: "/run/a", Port: 0}}, // a ':' makes it TCP
		{"", "/usr", lint.Listen{}},
	}
	for _, tt := range tests {
		if got := ParseListen(tt.value, tt.base); got != tt.want {
			t.Errorf("ParseListen(%q, %q) = %+v, want %+v", tt.value, tt.base, got, tt.want)
		}
	}
	// The pool's prefix, itself relative to php-fpm's.
	f := mustLoad(t, map[string]string{"/p.conf": "[a]\nlisten = a.sock\nprefix = /srv/$pool\n[b]\nprefix = var\nlisten = b.sock\n[c]\nlisten=9\n"}, "/p.conf", Options{Prefix: "/usr"})
	if a, b := pool(t, f, "a"), pool(t, f, "b"); a.Listen.Path != "/srv/a/a.sock" || b.Listen.Path != "/usr/var/b.sock" {
		t.Errorf("a %+v, b %+v", a.Listen, b.Listen)
	}
	if c := pool(t, f, "c"); !c.Listen.AllInterfaces() || c.Listen.Value == nil || c.Listen.Value.Pos.Line != 8 {
		t.Errorf("c %+v", c.Listen)
	}
	if p := pool(t, f, "b"); PoolPath(p, "/usr", "log/slow.log") != "/usr/var/log/slow.log" || PoolPath(p, "/usr", "/abs") != "/abs" {
		t.Errorf("PoolPath")
	}
	f = mustLoad(t, map[string]string{"/p.conf": "[nolisten]\nuser = x\n"}, "/p.conf", Options{})
	if l := f.Pools[0].Listen; l.Value != nil || l.Kind != "" {
		t.Errorf("a pool without listen: %+v", l)
	}
}

func TestEnvAndVersion(t *testing.T) {
	files := map[string]string{"/etc/php/8.3/fpm/pool.d/www.conf": "[${POOL}]\nlisten = ${L:-9000}\nphp_value[v] = PHP_VERSION\n"}
	env := func(n string) (string, bool) {
		if n == "POOL" {
			return "fromenv", true
		}
		return "", false
	}
	f, _, err := LoadPool(overlay(files), "/etc/php/8.3/fpm/pool.d/www.conf", Options{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	p := pool(t, f, "fromenv")
	// 8.3 has ${NAME:-default}; the path says 8.3, which does not give
	// PHP_VERSION.
	if f.Version != "8.3" || p.Values["listen"].Value != "9000" || p.PHPValues["v"].Value != "PHP_VERSION" {
		t.Errorf("version %q, listen %q, php %q", f.Version, p.Values["listen"].Value, p.PHPValues["v"].Value)
	}
	f, _, _ = LoadPool(overlay(files), "/etc/php/8.3/fpm/pool.d/www.conf", Options{Env: env, Version: "8.2.36"})
	if p := f.Pools[0]; f.Version != "8.2" || p.Values["listen"].Value != "" || p.PHPValues["v"].Value != "8.2.36" {
		t.Errorf("8.2: version %q, listen %q, php %q", f.Version, p.Values["listen"].Value, p.PHPValues["v"].Value)
	}
}

func TestVersionFromPath(t *testing.T) {
	tests := map[string]string{
		"/etc/php/8.2/fpm/php-fpm.conf":              "8.2",
		"/etc/php/7.4/fpm/pool.d/www.conf":           "7.4",
		"/opt/homebrew/etc/php/8.3/php-fpm.conf":     "8.3",
		"/etc/opt/remi/php81/php-fpm.conf":           "8.1",
		"/etc/opt/rh/rh-php73/php-fpm.d/www.conf":    "7.3",
		"/etc/php82/php-fpm.conf":                    "8.2",
		"/etc/php74/php-fpm.d/www.conf":              "7.4",
		"/usr/local/etc/php-fpm7.4.conf":             "7.4",
		"/etc/php8.2-fpm/pool.d/www.conf":            "8.2",
		"/etc/php-fpm.conf":                          "",
		"/usr/local/etc/php-fpm.conf":                "",
		"/srv/app/8.2/php-fpm.conf":                  "",
		"testdata/fpm/debian/etc/php/8.2/fpm/x.conf": "8.2",
	}
	for path, want := range tests {
		if got := VersionFromPath(path); got != want {
			t.Errorf("VersionFromPath(%q) = %q, want %q", path, got, want)
		}
	}
	prefixes := map[string]string{
		"/etc/php/8.2/fpm/php-fpm.conf":     "/usr",
		"/usr/local/etc/php-fpm.conf":       "/usr/local",
		"/etc/opt/remi/php81/php-fpm.conf":  "/opt/remi/php81/root/usr",
		"/etc/opt/rh/rh-php73/php-fpm.conf": "/opt/rh/rh-php73/root/usr",
	}
	for path, want := range prefixes {
		if got := GuessPrefix(path); got != want {
			t.Errorf("GuessPrefix(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line, col  int
		msg        []string
	}{
		{"hash comment", "[p]\n# a comment\n", 2, 1, []string{"'#' does not start a comment", "value is NULL for a ZEND_INI_PARSER_ENTRY", "use ';'"}},
		{"hash key", "[p]\n#pm.max_children = 50\n", 2, 1, []string{"'#' does not start a comment", "unknown entry '#pm.max_children'"}},
		{"equals", "[p]\nphp_value[session.save_path] = a=b\n", 2, 33, []string{"unquoted '='", `"a=b"`}},
		{"unterminated", "[p]\naccess.format = \"%R\n%u\"\n", 2, 17, []string{"unterminated quoted string", "one line at a time"}},
		{"unterminated single", "[p]\nx = 'abc\n", 2, 5, []string{"unterminated single-quoted string"}},
		{"no value", "[p]\nclear_env\n", 2, 1, []string{`"clear_env" has no value`, "value is NULL"}},
		{"continuation", "[p]\nx = a,\\\n  b\n", 3, 3, []string{"backslash at the end of the previous line"}},
		{"empty quotes", "[p]\nx = ''\n", 2, 6, []string{"stray quote", `write "" for an empty string`}},
		{"quoted key", "[p]\n\"pm\" = static\n", 2, 1, []string{"quoted key"}},
		{"indented section", "  [www]\n", 1, 3, []string{"indented section header"}},
		{"empty array key", "[p]\nphp_value[] = 3\n", 2, 1, []string{"You must provide a key for field 'php_value'"}},
		{"array case", "[p]\nPHP_VALUE[x] = 3\n", 2, 1, []string{"unknown directive 'PHP_VALUE'", "write php_value"}},
		{"array in global", "[global]\nenv[X] = y\n", 2, 1, []string{"Array are not allowed in the global section"}},
		{"boolean word", "[p]\nx = yes please\n", 2, 9, []string{`"please" after "yes"`}},
		{"operator", "[p]\nx = a|b c(d)\n", 2, 10, []string{"'(' is an operator"}},
	}
	for _, tt := range tests {
		errs := loadErrors(t, map[string]string{"/e.conf": tt.text}, "/e.conf", Options{})
		if tt.name == "unterminated" {
			// The next line, "%u\"", is reported too: php-fpm reads it
			// alone (after stopping at the first error).
			errs = errs[:1]
		}
		if len(errs) != 1 {
			t.Errorf("%s: %d errors %v", tt.name, len(errs), errs)
			continue
		}
		e := errs[0]
		if e.Pos != (lint.Pos{File: "/e.conf", Line: int32(tt.line), Col: int32(tt.col)}) {
			t.Errorf("%s: at %v, want %d:%d (%s)", tt.name, e.Pos, tt.line, tt.col, e.Msg)
		}
		for _, m := range tt.msg {
			if !strings.Contains(e.Msg, m) {
				t.Errorf("%s: %q lacks %q", tt.name, e.Msg, m)
			}
		}
	}
	// Every bad line is reported, and what could be read is kept.
	f, _, err := Load(overlay(map[string]string{"/e.conf": "[p]\nlisten = 9000\n#a\nx = \"\ny\n"}), "/e.conf", Options{Env: noEnv})
	var errs lint.LoadErrors
	if !errors.As(err, &errs) || len(errs) != 3 || f == nil || f.Pools[0].Listen.Port != 9000 {
		t.Errorf("errors %v, model %v", err, f)
	}
	// Binary and unreadable files come from the source reader.
	_, _, err = Load(overlay(map[string]string{"/b.conf": "include=/bin.conf\n", "/bin.conf": "[p]\x00"}), "/b.conf", Options{Env: noEnv})
	if err == nil || !strings.Contains(err.Error(), "NUL byte") || !strings.Contains(err.Error(), "included from /b.conf:1:1") {
		t.Errorf("binary include: %v", err)
	}
	_, _, err = Load(&source.FS{}, "/nonexistent/php-fpm.conf", Options{})
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

func TestKeepsWhatRulesJudge(t *testing.T) {
	// php-fpm refuses these while reading, but they are values: the loader
	// keeps them and ValueError says what php-fpm would.
	f := mustLoad(t, map[string]string{"/v.conf": `[global]
pm.max_children = 5
[p]
pm.max_childs = 5
catch_workers_output = maybe
request_terminate_timeout = 30x
pm.max_requests = 5k
env[EMPTY] =
Include = /x
`}, "/v.conf", Options{})
	p := pool(t, f, "p")
	want := map[string]string{
		"pm.max_childs":             "unknown entry 'pm.max_childs'",
		"catch_workers_output":      "unable to parse value for entry 'catch_workers_output': invalid boolean value",
		"request_terminate_timeout": "unable to parse value for entry 'request_terminate_timeout': unknown suffix used in time value",
		"pm.max_requests":           "unable to parse value for entry 'pm.max_requests': is not a valid number (greater or equal than zero)",
		"include":                   "unknown entry 'Include'",
	}
	for k, msg := range want {
		v := p.Values[k]
		if v == nil {
			t.Errorf("%s not kept", k)
			continue
		}
		if got := fpmconf.ValueError(false, v.Key, v.Value); got != msg {
			t.Errorf("%s: %q, want %q", k, got, msg)
		}
	}
	if v := f.Global["pm.max_children"]; v == nil || fpmconf.ValueError(true, v.Key, v.Value) != "unknown entry 'pm.max_children'" {
		t.Errorf("global %v", f.Global)
	}
	if v := p.Env["EMPTY"]; v == nil || fpmconf.ArrayValueError("env", "EMPTY", v.Value) != "empty value" {
		t.Errorf("env %v", p.Env)
	}
}

func TestComments(t *testing.T) {
	_, sources, err := LoadPool(overlay(map[string]string{"/c.conf": "; nginx502-lint: ignore x\n[p] ; pool nginx502-lint\nlisten = 9000 ;nginx502-lint port\nx = \"a;b nginx502-lint\" ; prose\n"}), "/c.conf", Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := []lint.Comment{
		{Pos: lint.Pos{File: "/c.conf", Line: 1, Col: 1}, Text: " nginx502-lint: ignore x"},
		{Pos: lint.Pos{File: "/c.conf", Line: 2, Col: 5}, Text: " pool nginx502-lint"},
		{Pos: lint.Pos{File: "/c.conf", Line: 3, Col: 15}, Text: "nginx502-lint port"},
	}
	if fmt.Sprint(sources[0].Comments) != fmt.Sprint(want) {
		t.Errorf("comments %v, want %v", sources[0].Comments, want)
	}
}

// ---- layouts under testdata/fpm ----

func testdataRoot(t *testing.T, name string) *source.FS {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "fpm", name))
	if err != nil {
		t.Fatal(err)
	}
	return &source.FS{Root: root}
}

func TestLayouts(t *testing.T) {
	t.Setenv("TMPDIR", "/var/tmp")
	t.Run("debian", func(t *testing.T) {
		fsys := testdataRoot(t, "debian")
		conf := fsys.Path("/etc/php/8.2/fpm/php-fpm.conf")
		f, sources, err := Load(fsys, conf, Options{Env: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		if f.Version != "8.2" || f.Prefix != "/usr" || len(f.Pools) != 2 || f.Pools[0].Name != "api" || f.Pools[1].Name != "www" || len(sources) != 3 {
			t.Fatalf("fpm %+v, %d sources", f, len(sources))
		}
		api := f.Pools[0]
		if api.Values["request_terminate_timeout"].Value != "60s" || api.Listen.Host != "127.0.0.1" || api.Listen.Port != 9001 {
			t.Errorf("api %v %+v", api.Values, api.Listen)
		}
		files := PHPIniFiles(fsys, conf)
		var rel []string
		for _, p := range files {
			rel = append(rel, fsys.Unroot(p))
		}
		if strings.Join(rel, " ") != "/etc/php/8.2/fpm/php.ini /etc/php/8.2/fpm/conf.d/10-opcache.ini /etc/php/8.2/fpm/conf.d/20-local.ini" {
			t.Fatalf("php.ini files %v", rel)
		}
		ini, isources, err := LoadPHPIni(fsys, files)
		if err != nil {
			t.Fatal(err)
		}
		checks := map[string]string{
			"max_execution_time": "60 /etc/php/8.2/fpm/conf.d/20-local.ini:3", // later files override
			"memory_limit":       "256M /etc/php/8.2/fpm/conf.d/20-local.ini:2",
			"error_reporting":    "22527 /etc/php/8.2/fpm/php.ini:4",
			"display_errors":     " /etc/php/8.2/fpm/php.ini:5",
			"upload_tmp_dir":     "/var/tmp/uploads /etc/php/8.2/fpm/php.ini:7",
			"zend_extension":     "opcache.so /etc/php/8.2/fpm/conf.d/10-opcache.ini:3",
		}
		for k, want := range checks {
			v := ini.Values[k]
			if v == nil || fmt.Sprintf("%s %s:%d", v.Value, fsys.Unroot(v.Pos.File), v.Pos.Line) != want {
				t.Errorf("%s = %+v, want %s", k, v, want)
			}
		}
		if _, ok := ini.Values["cgi.fix_pathinfo"]; ok {
			t.Error("cgi.fix_pathinfo is commented out")
		}
		// The conf.d file is Debian's absolute link into mods-available,
		// resolved inside the root.
		if len(isources) != 3 || isources[1].Kind != lint.KindPHPIni || fsys.Unroot(isources[1].RealPath) != "/etc/php/8.2/mods-available/opcache.ini" {
			t.Errorf("sources %+v", isources[1])
		}
		f.PHPIni = ini
		if v := f.Pools[1].PHPSetting("max_execution_time"); v.Value != "60" {
			t.Errorf("PHPSetting %v", v)
		}
	})
	t.Run("rhel", func(t *testing.T) {
		fsys := testdataRoot(t, "rhel")
		conf := fsys.Path("/etc/php-fpm.conf")
		f, _, err := Load(fsys, conf, Options{Env: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		p := pool(t, f, "www")
		if f.Version != "" || f.Global["daemonize"].Value != "1" || p.Listen.Path != "/run/php-fpm/www.sock" || p.Values["listen.acl_users"].Value != "apache,nginx" || p.PHPValues["log_errors"].Value != "1" {
			t.Errorf("fpm %+v, www %v", f, p.Values)
		}
		var rel []string
		for _, p := range PHPIniFiles(fsys, conf) {
			rel = append(rel, fsys.Unroot(p))
		}
		if strings.Join(rel, " ") != "/etc/php.ini /etc/php.d/10-opcache.ini /etc/php.d/20-pdo.ini" {
			t.Errorf("php.ini files %v", rel)
		}
	})
	t.Run("docker", func(t *testing.T) {
		fsys := testdataRoot(t, "docker")
		conf := fsys.Path("/usr/local/etc/php-fpm.conf")
		f, _, err := Load(fsys, conf, Options{Env: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		p := pool(t, f, "www")
		// Relative include against the /usr/local prefix; zz-docker.conf
		// comes last and its listen wins.
		if f.Prefix != "/usr/local" || !p.Listen.AllInterfaces() || p.Listen.Port != 9000 || fsys.Unroot(p.Listen.Value.Pos.File) != "/usr/local/etc/php-fpm.d/zz-docker.conf" ||
			f.Global["error_log"].Value != "/proc/self/fd/2" || f.Global["daemonize"].Value != "" || p.Values["clear_env"].Value != "" {
			t.Errorf("fpm %+v, www %v %+v", f, p.Values, p.Listen)
		}
		var rel []string
		for _, p := range PHPIniFiles(fsys, conf) {
			rel = append(rel, fsys.Unroot(p))
		}
		// The image ships php.ini-production only: no php.ini.
		if strings.Join(rel, " ") != "/usr/local/etc/php/conf.d/docker-php-ext-sodium.ini" {
			t.Errorf("php.ini files %v", rel)
		}
	})
}

func TestPHPIni(t *testing.T) {
	fsys := overlay(map[string]string{
		"/i/php.ini": "[PHP]\nmemory_limit = 128M\nerror_log = \"${memory_limit}/x\"\nbare_key\n[PATH=/var/www/a]\nmax_execution_time = 5\n[opcache]\nopcache.enable = 1\n",
		"/i/b.ini":   "max_execution_time = 30\nsession.save_path = \"a\nb\"\nx = a=b\ny = 2\n",
	})
	ini, sources, err := loadPHPIni(fsys, []string{"/i/php.ini", "/i/b.ini"}, noEnv)
	var errs lint.LoadErrors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Pos != (lint.Pos{File: "/i/b.ini", Line: 4, Col: 6}) || !strings.Contains(errs[0].Msg, "PHP ignores the rest of the file") {
		t.Fatalf("errors %v", err)
	}
	if len(sources) != 2 || strings.Join(ini.Files, " ") != "/i/php.ini /i/b.ini" {
		t.Errorf("files %v", ini.Files)
	}
	want := map[string]string{
		"memory_limit": "128M", "error_log": "128M/x", "max_execution_time": "30", "session.save_path": "a\nb",
		"x": "a", // read before the '=' fails, as PHP does
	}
	for k, v := range want {
		if ini.Values[k] == nil || ini.Values[k].Value != v {
			t.Errorf("%s = %v, want %q", k, ini.Values[k], v)
		}
	}
	// [PATH=] applies per request (to the end of its file); a bare key is
	// ignored; values after a syntax error are not read.
	for _, k := range []string{"opcache.enable", "bare_key", "y"} {
		if v, ok := ini.Values[k]; ok {
			t.Errorf("%s = %v, want absent", k, v)
		}
	}
	if v := ini.Values["max_execution_time"]; v.Pos != (lint.Pos{File: "/i/b.ini", Line: 1, Col: 1}) {
		t.Errorf("position %v", v.Pos)
	}
}

// TestDebianSysroot loads the shared Debian host as apt leaves it, through
// --root (its include= is absolute).
func TestDebianSysroot(t *testing.T) {
	shared := sharedDir(t)
	fsys := &source.FS{Root: filepath.Join(shared, "corpus", "debian-bookworm-sysroot")}
	conf := fsys.Path("/etc/php/8.2/fpm/php-fpm.conf")
	f, sources, err := Load(fsys, conf, Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 2 || f.Version != "8.2" || len(f.Pools) != 1 {
		t.Fatalf("fpm %+v", f)
	}
	p := f.Pools[0]
	www := fsys.Path("/etc/php/8.2/fpm/pool.d/www.conf")
	if p.Name != "www" || p.Listen.Kind != lint.ListenUnix || p.Listen.Path != "/run/php/php8.2-fpm.sock" ||
		p.Values["listen.owner"].Value != "www-data" || p.Values["listen.group"].Value != "www-data" ||
		p.Listen.Value.Pos != (lint.Pos{File: www, Line: 41, Col: 1}) {
		t.Errorf("www %+v %v", p.Listen, p.Listen.Value.Pos)
	}
	if _, ok := p.Values["listen.mode"]; ok {
		t.Error("listen.mode is commented out in Debian's www.conf")
	}
	ini, _, err := LoadPHPIni(fsys, PHPIniFiles(fsys, conf))
	if err != nil {
		t.Fatal(err)
	}
	f.PHPIni = ini
	met := p.PHPSetting("max_execution_time")
	if met.Value != "30" || met.Default || met.Pos.File != fsys.Path("/etc/php/8.2/fpm/php.ini") || met.Pos.Line == 0 {
		t.Errorf("max_execution_time %+v", met)
	}
	if v := p.PHPSetting("cgi.fix_pathinfo"); v.Value != "1" || !v.Default {
		t.Errorf("cgi.fix_pathinfo %+v: commented out, PHP's default applies", v)
	}
}

func BenchmarkLoad1000Pools(b *testing.B) {
	files := map[string]string{"/bench/php-fpm.conf": "[global]\npid = /run/php-fpm.pid\ninclude=/bench/pool.d/*.conf\n"}
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "fpm", "debian", "etc", "php", "8.2", "fpm", "pool.d", "www.conf"))
	if err != nil {
		b.Fatal(err)
	}
	pool := strings.Replace(string(data), "[www]", "[pool%04d]", 1)
	pool = strings.Replace(pool, "/run/php/php8.2-fpm.sock", "/run/php/$pool.sock", 1)
	pool += "; a comment line\nphp_admin_value[memory_limit] = 128M\nphp_value[error_reporting] = E_ALL & ~E_NOTICE\nenv[PATH] = /usr/bin:/bin\n"
	for i := 0; i < 1000; i++ {
		files[fmt.Sprintf("/bench/pool.d/pool%04d.conf", i)] = fmt.Sprintf(pool, i)
	}
	fsys := overlay(files)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, _, err := Load(fsys, "/bench/php-fpm.conf", Options{Env: noEnv})
		if err != nil || len(f.Pools) != 1000 {
			b.Fatal(err)
		}
	}
}
