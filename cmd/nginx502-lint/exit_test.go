package main

import (
	"strings"
	"testing"
)

// warningsTree is the clean tree with a 3s fastcgi_read_timeout: warnings
// only (timeout-too-low, timeout-chain-inverted), no error.
func warningsTree(t *testing.T) string {
	t.Helper()
	conf := readFile(t, cleanTree+"/etc/nginx/nginx.conf")
	return copyTree(t, cleanTree, map[string]any{
		"etc/nginx/nginx.conf": edit(t, conf, "fastcgi_read_timeout 60s;", "fastcgi_read_timeout 3s;"),
	})
}

// notesTree is the clean tree without fastcgi_buffer_size and
// fastcgi_buffers: one note (buffer-size-default).
func notesTree(t *testing.T) string {
	t.Helper()
	conf := readFile(t, cleanTree+"/etc/nginx/nginx.conf")
	conf = edit(t, conf, "\tfastcgi_buffer_size 16k;\n", "")
	conf = edit(t, conf, "\tfastcgi_buffers 16 16k;\n", "")
	return copyTree(t, cleanTree, map[string]any{"etc/nginx/nginx.conf": conf})
}

func TestExitCodes(t *testing.T) {
	warnings := warningsTree(t)
	notes := notesTree(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string // in stdout
		stderr []string // in stderr
		not    []string // in neither
	}{
		{"clean tree", []string{"--root", cleanTree, "/etc/nginx", "/etc/php"}, 0, []string{"no problems found in 12 files"}, nil, []string{"skipped"}},
		{"clean tree given as /etc", []string{"--root", cleanTree, "/etc"}, 0, []string{"no problems found"}, nil, nil},
		{"an error finding", []string{"--root", shopTree, "/etc/nginx", "/etc/php"}, 1, []string{"sites-enabled/shop.conf:13:3: error:", "[fastcgi-pass-unmatched]", "1 error in 12 files"}, nil, nil},
		{"warnings fail by default", []string{"--root", warnings, "/etc/nginx", "/etc/php"}, 1, []string{"warning:", "[timeout-too-low]", "3 warnings"}, nil, nil},
		{"--fail-on error with only warnings", []string{"--fail-on", "error", "--root", warnings, "/etc/nginx", "/etc/php"}, 0, []string{"[timeout-too-low]", "3 warnings"}, nil, nil},
		{"--fail-on error with an error", []string{"--fail-on", "error", "--root", shopTree, "/etc/nginx", "/etc/php"}, 1, nil, nil, nil},
		{"notes do not fail by default", []string{"--root", notes, "/etc/nginx", "/etc/php"}, 0, []string{"note:", "[buffer-size-default]", "1 note"}, nil, nil},
		{"--fail-on note with a note", []string{"--fail-on", "note", "--root", notes, "/etc/nginx", "/etc/php"}, 1, []string{"[buffer-size-default]"}, nil, nil},
		{"--min-severity warning hides notes", []string{"--min-severity", "warning", "--fail-on", "note", "--root", notes, "/etc/nginx", "/etc/php"}, 0, []string{"no problems found"}, nil, []string{"buffer-size-default"}},
		{"--min-severity error hides warnings, which then do not count", []string{"--min-severity", "error", "--root", warnings, "/etc/nginx", "/etc/php"}, 0, []string{"no problems found"}, nil, []string{"timeout-too-low", "warning"}},
		{"--min-severity error keeps errors", []string{"--min-severity", "error", "--root", shopTree, "/etc/nginx", "/etc/php"}, 1, []string{"[fastcgi-pass-unmatched]"}, nil, nil},
		{"flags after the paths", []string{"--root", warnings, "/etc/nginx", "/etc/php", "--fail-on", "error"}, 0, nil, nil, nil},
		{"--disable the only rule that fires", []string{"--root", shopTree, "--disable", "fastcgi-pass-unmatched", "/etc/nginx", "/etc/php"}, 0, []string{"no problems found"}, nil, nil},
		{"--disable comma-separated", []string{"--root", warnings, "--disable", "timeout-too-low,timeout-chain-inverted", "/etc"}, 0, nil, nil, nil},
		{"load error", []string{"--root", badData + "/stray-brace", "/etc/nginx"}, 2, []string{"nginx.conf:7:1: error:", "[load-error]"}, nil, nil},
		{"a path that does not exist", []string{"--root", cleanTree, "/etc/nope"}, 2, []string{"etc/nope", "no such file or directory"}, nil, nil},
		{"a directory without configuration", []string{"--root", cleanTree, "/etc/nginx/conf.d"}, 2, []string{"no nginx.conf or php-fpm.conf found"}, nil, nil},

		// usage errors: exit 2, a message on stderr, nothing on stdout
		{"unknown flag", []string{"--bogus", "/etc"}, 2, nil, []string{"bogus", "--help"}, nil},
		{"unknown --format", []string{"--format", "xml", "--root", cleanTree, "/etc"}, 2, nil, []string{`unknown --format "xml"`, "gcc, github, json, sarif, text"}, nil},
		{"--fail-on bogus", []string{"--fail-on", "bogus", "--root", cleanTree, "/etc"}, 2, nil, []string{"--fail-on", `"bogus"`}, nil},
		{"--min-severity bogus", []string{"--min-severity", "fatal", "--root", cleanTree, "/etc"}, 2, nil, []string{"--min-severity", `"fatal"`}, nil},
		{"no PATH", []string{"--root", cleanTree}, 2, nil, []string{"no PATH given"}, nil},
		{"nothing at all", nil, 2, nil, []string{"no PATH given"}, nil},
		{"--nginx with --fpm", []string{"--nginx", "--fpm", "--root", cleanTree, "/etc/nginx/nginx.conf"}, 2, nil, []string{"--nginx and --fpm exclude each other"}, nil},
		{"--disable of an unknown rule", []string{"--disable", "fastcgi-pass-unmached", "--root", cleanTree, "/etc"}, 2, nil, []string{"fastcgi-pass-unmached", "no such rule"}, nil},
		{"bad -o", []string{"-o", "sarif", "--root", cleanTree, "/etc"}, 2, nil, []string{"FORMAT=FILE"}, nil},
		{"-o of an unknown format", []string{"-o", "xml=out.xml", "--root", cleanTree, "/etc"}, 2, nil, []string{`unknown format "xml"`}, nil},
		{"unknown --color", []string{"--color", "sometimes", "--root", cleanTree, "/etc"}, 2, nil, []string{`unknown --color "sometimes"`}, nil},
		{"--stdin-filename with -", []string{"--stdin-filename", "/etc/nginx/nginx.conf", "-"}, 2, nil, []string{"--stdin-filename and - both read standard input"}, nil},
		{"missing --baseline file", []string{"--baseline", "/nonexistent/b.json", "--root", cleanTree, "/etc"}, 2, nil, []string{"--baseline", "no such file"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := lintTree(t, c.args...)
			wantCode(t, r, c.code)
			wantContains(t, "stdout", r.stdout, c.stdout...)
			wantContains(t, "stderr", r.stderr, c.stderr...)
			wantNotContains(t, "stdout", r.stdout, c.not...)
			wantNotContains(t, "stderr", r.stderr, c.not...)
			if c.code == 2 && c.stderr != nil && strings.TrimSpace(r.stdout) != "" {
				t.Errorf("a usage error printed on stdout:\n%s", r.stdout)
			}
		})
	}
}

// TestSubcommandFlags checks that flags reach a subcommand wherever they are
// written: before the command, between it and its subcommand's arguments,
// after the paths.
func TestSubcommandFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"after the command", []string{"model", "--root", cleanTree, "/etc/php"}},
		{"after the paths", []string{"model", "/etc/php", "--root", cleanTree}},
		// --root before the command used to be read by the app and hidden by
		// model's own --root: the host's /etc/php was read instead.
		{"before the command", []string{"--root", cleanTree, "model", "/etc/php"}},
		{"= form before the command", []string{"--root=" + cleanTree, "model", "/etc/php"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			wantCode(t, r, 0)
			wantContains(t, "model", r.stdout, "etc/php/8.2/fpm/pool.d/www.conf:1:1", "pool [shop]", "2 pools")
		})
	}

	// a global flag the command does not take stays the app's
	r := runCLI(t, "", "--color", "never", "rules")
	wantCode(t, r, 0)
	wantContains(t, "rules", r.stdout, "fastcgi-pass-unmatched")

	// a command's usage error is one line on stderr, as the app's is: no help
	// on stdout, where a --format json reader waits for JSON
	t.Chdir(t.TempDir()) // should config init write anyway
	for _, args := range [][]string{
		{"model", "--format", "json", "--bogus", "/etc"},
		{"baseline", "create", "--bogus", "/etc"},
		{"config", "init", "--bogus"},
		{"--bogus", "/etc"},
	} {
		r := runCLI(t, "", args...)
		wantCode(t, r, 2)
		if r.stdout != "" {
			t.Errorf("%q printed on stdout:\n%s", args, r.stdout)
		}
		wantContains(t, "stderr", r.stderr, "flag provided but not defined: -bogus", "Run 'nginx502-lint --help' for usage.")
	}
}

func TestInterspersed(t *testing.T) {
	app := newApp(nil, nil, nil)
	cases := []struct{ in, want string }{
		{"x /etc --format json", "x --format json /etc"},
		{"x --root d /etc -f gcc /php", "x --root d -f gcc /etc /php"},
		{"x /etc --nginx", "x --nginx /etc"},
		{"x - /etc/php --format=json", "x --format=json - /etc/php"},
		{"x /etc -- --weird-name", "x /etc -- --weird-name"},
		{"x model /etc --format json", "x model --format json /etc"},
		{"x --root d model /etc", "x model --root d /etc"},
		{"x --color never --root d model /etc", "x --color never model --root d /etc"},
		{"x --root d baseline create --file b.json /etc", "x baseline create --root d --file b.json /etc"},
		{"x baseline create /etc --file b.json --no-config", "x baseline create --file b.json --no-config /etc"},
		{"x config init --force", "x config init --force"},
		{"x explain --color never fastcgi-pass-unmatched", "x explain --color never fastcgi-pass-unmatched"},
		{"x", "x"},
	}
	for _, c := range cases {
		got := strings.Join(interspersed(strings.Fields(c.in), app.Flags, app.Commands), " ")
		if got != c.want {
			t.Errorf("interspersed(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
