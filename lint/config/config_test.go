package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// known are the rules the tests' files may name.
var known = []*lint.Rule{
	{ID: "fastcgi-pass-unmatched"},
	{ID: "fpm-listen-all-interfaces"},
	{ID: "fastcgi-read-timeout-short"},
	{ID: "fastcgi-buffers-small", Options: []lint.RuleOption{
		{Name: "min_buffer_size", Default: "4k", Form: "a size, such as 8k", Valid: func(v string) bool { _, ok := lint.ParseSize(v); return ok }},
		{Name: "min_timeout", Default: "5s"},
		{Name: "max_count", Default: "3"},
	}},
}

func TestLoadFull(t *testing.T) {
	path := "../../testdata/config/full.yml"
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(known); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if got, want := c.Disabled(), map[string]bool{"fastcgi-read-timeout-short": true, "fpm-listen-all-interfaces": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("Disabled() = %v, want %v", got, want)
	}
	if got, want := c.Severities(), map[string]lint.Severity{"fastcgi-pass-unmatched": lint.Warning}; !reflect.DeepEqual(got, want) {
		t.Errorf("Severities() = %v, want %v", got, want)
	}
	if got, want := c.Options("fastcgi-buffers-small"), map[string]string{"min_buffer_size": "8k", "min_timeout": "5s", "max_count": "3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Options() = %v, want %v", got, want)
	}
	if o := c.Rules["fastcgi-buffers-small"].Options["min_timeout"]; o.Pos != (lint.Pos{File: path, Line: 11, Col: 20}) {
		t.Errorf("option position = %v", o.Pos)
	}
	if got, want := c.Exclude, []string{"snippets/legacy-*.conf", "**/*.dpkg-dist"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Exclude = %v, want %v", got, want)
	}
	if c.RootDir() != filepath.Join("../../testdata/config", "deploy") || c.NginxUser != "www-data www-data" {
		t.Errorf("RootDir() = %q, NginxUser = %q", c.RootDir(), c.NginxUser)
	}
	if c.FailOn != lint.Error || c.MinSeverity != lint.Warning {
		t.Errorf("FailOn = %v, MinSeverity = %v", c.FailOn, c.MinSeverity)
	}
	if c.Disable[0].Pos != (lint.Pos{File: path, Line: 3, Col: 13}) {
		t.Errorf("disable position = %v", c.Disable[0].Pos)
	}
}

// TestLoadBad checks that every problem of a file is reported at once, in
// order, each at its place.
func TestLoadBad(t *testing.T) {
	path := "../../testdata/config/bad.yml"
	_, err := Load(path)
	want := []string{
		path + `:4:15: rules.fastcgi-pass-unmatched.severity: unknown severity "fatal" (want error, warning, note or off)`,
		path + `:5:5: unknown key "option" in rules.fastcgi-pass-unmatched (did you mean "options"?)`,
		path + `:6:11: exclude: bad pattern "[abc": syntax error in pattern`,
		path + `:8:1: unknown key "min_severty" in the configuration (did you mean "min_severity"?)`,
	}
	var errs lint.LoadErrors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want lint.LoadErrors", err)
	}
	if got := strings.Split(errs.Error(), "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"unknown top key", "rules: {}\nfoo: 1\n", `c.yml:2:1: unknown key "foo" in the configuration (want rules, exclude, root, nginx_user, fail_on, min_severity)`},
		{"unknown rule key", "rules:\n  r:\n    severity: note\n    level: x\n", `c.yml:4:5: unknown key "level" in rules.r (want severity, options)`},
		{"duplicate key", "root: a\nroot: b\n", `c.yml:2:1: duplicate key "root" (first at line 1)`},
		{"disable not a list", "rules:\n  disable: r\n", `c.yml:2:12: rules.disable must be a list, not a value`},
		{"rule not a mapping", "rules:\n  r: off\n", `c.yml:2:6: rules.r must be a mapping with severity or options, not a value`},
		{"option not scalar", "rules:\n  r:\n    options:\n      x: [1]\n", `c.yml:4:10: rules.r.options.x must be a string, not a list`},
		{"bad fail_on", "fail_on: off\n", `c.yml:1:10: fail_on: unknown severity "off" (want error, warning or note)`},
		{"top not mapping", "- a\n", `c.yml:1:1: the configuration must be a mapping, not a list`},
		{"syntax", "root: a\n  c: d\n", `c.yml:2: mapping values are not allowed in this context`},
		{"tab", "rules:\n\tdisable: []\n", `c.yml:2: found character that cannot start any token (YAML indents with spaces, not tabs)`},
		{"two documents", "root: a\n---\nroot: b\n", `c.yml:2:1: the file holds more than one YAML document`},
		{"bad user", "nginx_user: a b c\n", `c.yml:1:13: nginx_user must be "user" or "user group", not "a b c"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("c.yml", []byte(c.in))
			if err == nil {
				t.Fatalf("no error, want %s", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("got  %s\nwant %s", err, c.want)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# only a comment\n", "rules:\nexclude:\n"} {
		c, err := Parse("c.yml", []byte(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(c.Disabled()) != 0 || len(c.Severities()) != 0 || c.FailOn != 0 || len(c.Exclude) != 0 {
			t.Errorf("%q: config is not empty: %+v", in, c)
		}
	}
}

func TestValidate(t *testing.T) {
	c, err := Parse("c.yml", []byte("rules:\n  disable: [fastcgi-pass-unmatched, nope]\n  fpm-listen-all-interface:\n    severity: off\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate(known)
	want := "c.yml:2:37: unknown rule \"nope\"\n" +
		"c.yml:3:3: unknown rule \"fpm-listen-all-interface\" (did you mean \"fpm-listen-all-interfaces\"?)"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestValidateOptions(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"rules:\n  fastcgi-buffers-small:\n    options: {min_buffer_siz: 8k}\n",
			`c.yml:3:31: rule fastcgi-buffers-small takes no option "min_buffer_siz" (did you mean "min_buffer_size"?)`},
		{"rules:\n  fastcgi-buffers-small:\n    options: {color: red}\n",
			`c.yml:3:22: rule fastcgi-buffers-small takes no option "color" (it takes max_count, min_buffer_size, min_timeout)`},
		{"rules:\n  fastcgi-buffers-small:\n    options: {min_buffer_size: 8 kB}\n",
			`c.yml:3:32: rules.fastcgi-buffers-small.options.min_buffer_size: "8 kB" is not a size, such as 8k`},
		{"rules:\n  fastcgi-pass-unmatched:\n    options: {strict: yes}\n",
			`c.yml:3:23: rule fastcgi-pass-unmatched takes no options ("strict" is set)`},
		{"rules:\n  fastcgi-buffers-small:\n    options: {min_buffer_size: 16k, max_count: 2}\n", ""},
	} {
		cfg, err := Parse("c.yml", []byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := cfg.Validate(known); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%q:\ngot  %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestDefault(t *testing.T) {
	c, err := Parse("default.yml", []byte(Default()))
	if err != nil {
		t.Fatalf("Default() does not load: %v", err)
	}
	if err := c.Validate(known); err != nil {
		t.Errorf("Default() does not validate: %v", err)
	}
	if c.FailOn != DefaultFailOn || c.MinSeverity != DefaultMinSeverity || len(c.Disabled()) != 0 || len(c.Exclude) != 0 {
		t.Errorf("Default() is not the defaults: %+v", c)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	// No file anywhere under root: Find may still meet one above the
	// temporary directory, but never one inside it.
	if got, err := Find(deep); err != nil || strings.HasPrefix(got, root) {
		t.Errorf("Find without a file = %q, %v", got, err)
	}
	want := filepath.Join(root, "a", FileName)
	if err := os.WriteFile(want, []byte(Default()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{deep, filepath.Join(root, "a")} {
		if got, err := Find(dir); err != nil || got != want {
			t.Errorf("Find(%s) = %q, %v; want %q", dir, got, err, want)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "a", "b", FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(deep); err == nil {
		t.Error("Find accepted a directory named " + FileName)
	}
}
