package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

// TestBadInput feeds broken configurations: each must exit 2 with the
// file and line on stdout (text format), leave the files as they were, and
// never crash.
func TestBadInput(t *testing.T) {
	const elf = "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"
	cases := []struct {
		name  string
		tree  func(t *testing.T) string // the --root
		args  []string                  // after --root ROOT
		stdin string
		code  int
		want  []string // in stdout: the file, the line, what is wrong
	}{
		// nginx -t refuses these two ("no \"events\" section in configuration"),
		// but they are readable: nothing to report a position for. See
		// TestEmptyNginxConf.
		{name: "empty nginx.conf", tree: disk("empty"), args: []string{"/etc/nginx"}, code: 1, want: []string{"etc/nginx/nginx.conf:1:1: error: nginx.conf has no events block", "[events-missing]"}},
		{name: "only comments", tree: disk("comments-only"), args: []string{"/etc/nginx"}, code: 1, want: []string{"etc/nginx/nginx.conf:1:1: error: nginx.conf has no events block", "[events-missing]"}},

		{name: "unbalanced {", tree: disk("unbalanced-brace"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:11:1: error:", `expecting "}"`, `the block "http" opened at line 3 is never closed`, "[load-error]", "1 error in 1 file"}},
		{name: "stray }", tree: disk("stray-brace"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:7:1: error:", `unexpected "}"`}},
		{name: "unterminated quote", tree: disk("unterminated-quote"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:8:1: error:", "the quoted string opened at line 3 is never closed"}},
		{name: "include of itself", tree: disk("include-self"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:3:1: error:", "include cycle"}},
		{name: "include cycle across three files", tree: disk("include-cycle"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/b.conf:3:1: error:", `include "nginx.conf": include cycle`, "etc/nginx/nginx.conf → ", "etc/nginx/a.conf → ", "etc/nginx/b.conf → ", "/nginx.conf (nginx would include it again", "1 error in 3 files"}},
		{name: "include of a directory", tree: disk("include-directory"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:3:2: error:", `include "conf.d"`, "is a directory", `write "conf.d/*.conf"`}},
		{name: "missing non-glob include", tree: disk("include-missing"), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:4:2: error:", "sites-enabled/missing.conf", "no such file"}},
		{name: "php-fpm file with a # comment", tree: disk("fpm-hash-comment"), args: []string{"/etc/php"}, code: 2,
			want: []string{"etc/php/8.2/fpm/pool.d/www.conf:4:1: error:", "'#' does not start a comment", "use ';'"}},
		// a size is a property of the whole file: no line to name
		{name: "file over --max-file-size", tree: disk("unbalanced-brace"), args: []string{"--max-file-size", "50", "/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf: error:", "over the 50-byte limit", "--max-file-size"}},
		{name: "nginx -T dump with a malformed marker", args: []string{"-"}, stdin: readFile(t, badData+"/dump-bad-marker/nginx-T.txt"), code: 2,
			want: []string{"<stdin>:3:1: error:", "malformed nginx -T marker", `expected "# configuration file PATH:"`}},

		{name: "NUL byte", tree: written(map[string]any{"etc/nginx/nginx.conf": "events {}\nuser www\x00data;\n"}), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:2:9: error:", "NUL byte"}},
		// nginx reads bytes: a Latin-1 comment is no error for it, nor for
		// the linter, which notes it and checks the file all the same.
		{name: "invalid UTF-8", tree: written(map[string]any{"etc/nginx/nginx.conf": "events {}\n# caf\xe9 au lait\nhttp {\n\tfastcgi_buffers 1 4k;\n}\n"}), args: []string{"/etc/nginx"}, code: 1,
			want: []string{"etc/nginx/nginx.conf:2:6: note:", "not UTF-8", "[file-not-utf8]", "nginx.conf:4:2: error:", "at least 2"}},
		{name: "binary file included", tree: written(map[string]any{
			"etc/nginx/nginx.conf":    "events {}\nhttp {\n\tinclude /etc/nginx/conf.d/*;\n}\n",
			"etc/nginx/conf.d/a.conf": "server { listen 80; }\n",
			"etc/nginx/conf.d/nginx":  elf,
		}), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/conf.d/nginx:1:8: error:", "binary file"}},
		{name: "symlink loop in an include glob", tree: written(map[string]any{
			"etc/nginx/nginx.conf":                "events {}\nhttp {\n\tinclude /etc/nginx/sites-enabled/*;\n}\n",
			"etc/nginx/sites-enabled/loop.conf":   link("loop2.conf"),
			"etc/nginx/sites-enabled/loop2.conf":  link("loop.conf"),
			"etc/nginx/sites-available/site.conf": "server { listen 80; }\n",
		}), args: []string{"/etc/nginx"}, code: 2,
			want: []string{"etc/nginx/nginx.conf:3:2: error:", "sites-enabled/loop.conf", "too many levels of symbolic links"}},
		// the main file itself: no line to name
		{name: "nginx.conf a symlink to itself", tree: written(map[string]any{
			"etc/nginx/nginx.conf": link("nginx.conf"),
		}), args: []string{"/etc/nginx/nginx.conf"}, code: 2,
			want: []string{"etc/nginx/nginx.conf: error:", "too many levels of symbolic links"}},
		{name: "several errors, every one shown", tree: written(map[string]any{
			"etc/nginx/nginx.conf":         "events {}\nhttp {\n\tinclude /etc/nginx/conf.d/*.conf;\n}\n",
			"etc/nginx/conf.d/a.conf":      "server {\n",
			"etc/nginx/conf.d/b.conf":      "server { listen 80; }\n}\n",
			"etc/php/8.2/fpm/php-fpm.conf": "[global]\npid = /run/php.pid\n# hash\n",
		}), args: []string{"/etc/nginx", "/etc/php"}, code: 2,
			want: []string{"etc/nginx/conf.d/a.conf:2:1: error:", "etc/nginx/conf.d/b.conf:2:1: error:", "etc/php/8.2/fpm/php-fpm.conf:3:1: error:", "3 errors"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var args []string
			var before map[string]string
			var root string
			if c.tree != nil {
				root = c.tree(t)
				before = hashTree(t, root)
				args = append(args, "--root", root)
			}
			args = append(args, c.args...)
			r := runCLI(t, c.stdin, append([]string{"--no-config"}, args...)...)
			wantCode(t, r, c.code)
			wantContains(t, "stdout", r.stdout, c.want...)
			if c.code == 2 && r.stderr != "" {
				t.Errorf("a load error printed on stderr: %q", r.stderr)
			}
			if root != "" {
				wantUnchanged(t, root, before)
			}
		})
	}
}

// disk is a tree of testdata/badinput.
func disk(name string) func(*testing.T) string {
	return func(*testing.T) string { return filepath.Join(badData, name) }
}

// written is a tree written for the test.
func written(files map[string]any) func(*testing.T) string {
	return func(t *testing.T) string { return linttest.WriteTree(t, files) }
}

func TestBadInputUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		// root reads a file whatever its mode: CI runs the tests as root.
		t.Skip("running as root: chmod 000 does not make a file unreadable")
	}
	root := linttest.WriteTree(t, map[string]any{
		"etc/nginx/nginx.conf":          "events {}\nhttp {\n\tinclude /etc/nginx/conf.d/*.conf;\n}\n",
		"etc/nginx/conf.d/private.conf": "server { listen 80; }\n",
	})
	secret := filepath.Join(root, "etc/nginx/conf.d/private.conf")
	if err := os.Chmod(secret, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(secret, 0o644) })
	r := lintTree(t, "--root", root, "/etc/nginx")
	wantCode(t, r, 2)
	wantContains(t, "stdout", r.stdout, "etc/nginx/nginx.conf:3:2: error:", "conf.d/private.conf", "permission denied")
}

// TestBadInputJSON checks that load errors reach the machine formats too,
// with their position.
func TestBadInputJSON(t *testing.T) {
	r := lintTree(t, "--format", "json", "--root", badData+"/include-cycle", "/etc/nginx")
	wantCode(t, r, 2)
	var out struct {
		Findings []json.RawMessage `json:"findings"`
		Errors   []struct {
			Message  string `json:"message"`
			Location struct {
				File string `json:"file"`
				Line int    `json:"line"`
				Col  int    `json:"column"`
			} `json:"location"`
		} `json:"errors"`
		Summary struct {
			LoadErrors int `json:"load_errors"`
			Files      int `json:"files"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if len(out.Errors) != 1 || len(out.Findings) != 0 || out.Summary.LoadErrors != 1 {
		t.Fatalf("want one load error and no finding:\n%s", r.stdout)
	}
	e := out.Errors[0]
	if !strings.HasSuffix(e.Location.File, "etc/nginx/b.conf") || e.Location.Line != 3 || e.Location.Col != 1 || !strings.Contains(e.Message, "include cycle") {
		t.Errorf("error = %+v, want the include cycle at etc/nginx/b.conf:3:1", e)
	}
	if out.Summary.Files != 3 {
		t.Errorf("summary.files = %d, want the 3 files read", out.Summary.Files)
	}
}

// TestEmptyNginxConf: nginx refuses an empty nginx.conf (nginx -t: [emerg]
// no "events" section in configuration), and so does the linter, in every
// format, as a finding rather than a load error.
func TestEmptyNginxConf(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif", "gcc", "github"} {
		r := lintTree(t, "--format", format, "--root", badData+"/empty", "/etc/nginx")
		wantCode(t, r, 1)
		wantNotContains(t, format+" output", r.stdout, "[load-error]", "title=load-error")
		wantContains(t, format+" output", r.stdout, "events-missing")
	}
}

// TestPoolWithoutListen: a pool without listen is no load error: the file
// reads fine, and php-fpm -t refusing it ("[pool www] no listen address
// have been defined!") is a rule's finding. The model shows the pool
// without a listen address.
func TestPoolWithoutListen(t *testing.T) {
	root := badData + "/pool-without-listen"
	before := hashTree(t, root)
	r := lintTree(t, "--root", root, "/etc/php")
	if r.code == 2 {
		t.Fatalf("a pool without listen is a load error:\n%s", r)
	}
	wantNotContains(t, "stdout", r.stdout, "load-error")
	m := runCLI(t, "", "model", "--root", root, "/etc/php")
	wantCode(t, m, 0)
	wantContains(t, "model", m.stdout, "etc/php/8.2/fpm/pool.d/www.conf:1:1", "listen: (none)")
	wantUnchanged(t, root, before)
}

// TestNginxDump reads `nginx -T` output on standard input: positions name
// the files nginx read, not the dump.
func TestNginxDump(t *testing.T) {
	dump := readFile(t, "../../testdata/nginx/dump/nginx-T.txt")
	r := runCLI(t, dump, "--no-config", "-")
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "/tmp/nginx502-dump/conf.d/a.conf:7:3: note:", "[buffer-size-default]", "in 6 files")
	wantNotContains(t, "stdout", r.stdout, "<stdin>")

	r = runCLI(t, readFile(t, exampleTree+"/etc/nginx/nginx.conf"), "--no-config", "-")
	wantCode(t, r, 2)
	wantContains(t, "stdout", r.stdout, `<stdin>:1:1: error: expected a "# configuration file PATH:" line`, "is this the output of nginx -T?")

	r = runCLI(t, "", "--no-config", "-")
	wantCode(t, r, 2)
	wantContains(t, "stdout", r.stdout, "<stdin>:1:1: error:")
}
