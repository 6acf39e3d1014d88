package nginx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// flat lists the tree's directives one a line: the context, the name and
// arguments, the position and the include chain.
func flat(root lint.Directive, trim string) string {
	var b strings.Builder
	root.Walk(func(d lint.Directive) bool {
		fmt.Fprintf(&b, "%s%s %s @%s", strings.Repeat("  ", len(d.Context())), d.Name(),
			strings.Join(d.ArgValues(), " "), strings.TrimPrefix(d.Pos().String(), trim))
		for _, inc := range d.IncludeChain() {
			fmt.Fprintf(&b, " <%s", strings.TrimPrefix(inc.Pos().String(), trim))
		}
		b.WriteByte('\n')
		return true
	})
	return b.String()
}

func TestLoadIncludes(t *testing.T) {
	fsys := &source.FS{Root: "../../testdata/nginx/include"}
	n, sources, err := Load(fsys, fsys.Path("/etc/nginx/nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	const d = "../../testdata/nginx/include/etc/nginx/"
	want := `user www-data @nginx.conf:1:1
events  @nginx.conf:2:1
http  @nginx.conf:3:1
  include conf.d/*.conf @nginx.conf:4:5
  server_tokens off @conf.d/a.conf:2:1 <nginx.conf:4:5
  client_max_body_size 2m @conf.d/b.conf:1:1 <nginx.conf:4:5
  include /etc/nginx/abs/*.conf @nginx.conf:5:5
  keepalive_timeout 30s @abs/x.conf:1:1 <nginx.conf:5:5
  include optional/*.conf @nginx.conf:6:5
  server  @nginx.conf:7:5
    listen 80 @nginx.conf:8:9
    location ~ \.php$ @nginx.conf:9:9
      include snippets/fastcgi.conf @nginx.conf:10:13
      fastcgi_index index.php @snippets/fastcgi.conf:1:1 <nginx.conf:10:13
      include fastcgi_params @snippets/fastcgi.conf:2:1 <nginx.conf:10:13
      fastcgi_param QUERY_STRING $query_string @fastcgi_params:1:1 <snippets/fastcgi.conf:2:1 <nginx.conf:10:13
      fastcgi_param REQUEST_METHOD $request_method @fastcgi_params:2:1 <snippets/fastcgi.conf:2:1 <nginx.conf:10:13
      fastcgi_pass unix:/run/php/php8.2-fpm.sock @nginx.conf:11:13
    location /two @nginx.conf:13:9
      include snippets/fastcgi.conf @nginx.conf:14:13
      fastcgi_index index.php @snippets/fastcgi.conf:1:1 <nginx.conf:14:13
      include fastcgi_params @snippets/fastcgi.conf:2:1 <nginx.conf:14:13
      fastcgi_param QUERY_STRING $query_string @fastcgi_params:1:1 <snippets/fastcgi.conf:2:1 <nginx.conf:14:13
      fastcgi_param REQUEST_METHOD $request_method @fastcgi_params:2:1 <snippets/fastcgi.conf:2:1 <nginx.conf:14:13
`
	if got := flat(n.Root, d); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}

	// Every file once, the snippet too, the hidden file never.
	var paths []string
	for _, s := range sources {
		paths = append(paths, strings.TrimPrefix(s.Path, d))
		if s.Kind != lint.KindNginx || s.RealPath != s.Path {
			t.Errorf("source %+v", s)
		}
	}
	if got, want := strings.Join(paths, " "), "nginx.conf conf.d/a.conf conf.d/b.conf abs/x.conf snippets/fastcgi.conf fastcgi_params"; got != want {
		t.Errorf("sources = %s, want %s", got, want)
	}
	if c := sources[1].Comments; len(c) != 1 || c[0].Text != " first by name: nginx502-lint keeps this comment" || c[0].Pos.Line != 1 {
		t.Errorf("comments of a.conf = %v", c)
	}
	if sources[0].Size != int64(len(mustRead(t, d+"nginx.conf"))) {
		t.Errorf("size = %d", sources[0].Size)
	}

	// Two places include the snippet: each of its directives is one
	// directive per place, each in its location with the include of its
	// place, and one statement of the file.
	server := n.Root.Child("http").Child("server")
	locs := server.Children("location")
	incA, incB := locs[0].Children("include")[1], locs[1].Children("include")[1]
	if incA == incB || incA.Parent() != locs[0] || incB.Parent() != locs[1] ||
		incA.Include() != locs[0].Children("include")[0] || incB.Include() != locs[1].Children("include")[0] {
		t.Errorf("the snippet's include directives are not one per place")
	}
	a, b := locs[0].Child("fastcgi_index"), locs[1].Child("fastcgi_index")
	if a == b || a.Statement() != b.Statement() || a.Parent() != locs[0] || b.Parent() != locs[1] ||
		a.Include() != locs[0].Children("include")[0] || b.Include() != locs[1].Children("include")[0] {
		t.Errorf("the snippet's fastcgi_index is not one statement at two places, each with its parent and include")
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadErrors(t *testing.T) {
	var deep = map[string]string{"nginx.conf": "include f0.conf;\n"}
	for i := 0; i < maxIncludeDepth+5; i++ {
		deep[fmt.Sprintf("f%d.conf", i)] = fmt.Sprintf("include f%d.conf;\n", i+1)
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name:  "missing plain include",
		files: map[string]string{"nginx.conf": "http {\n    include sites/x.conf;\n}\n"},
		want:  []string{`D/nginx.conf:2:5: include "sites/x.conf": D/sites/x.conf: no such file (nginx -t fails with "open() failed": fix the path or create the file)`},
	}, {
		name:  "glob matching nothing is fine",
		files: map[string]string{"nginx.conf": "include sites/*.conf;\ninclude none[0-9];\n"},
	}, {
		name:  "directory",
		files: map[string]string{"nginx.conf": "include conf.d;\n", "conf.d/a.conf": "a;"},
		want:  []string{`D/nginx.conf:1:1: include "conf.d": D/conf.d: is a directory, not a configuration file (to include the files in it, write "conf.d/*.conf")`},
	}, {
		name:  "glob matching a directory",
		files: map[string]string{"nginx.conf": "include conf.d/*;\n", "conf.d/a.conf": "a;", "conf.d/sub/b.conf": "b;"},
		want:  []string{`D/nginx.conf:1:1: include "conf.d/*": D/conf.d/sub: is a directory, not a configuration file (to include the files in it, write "conf.d/*/*.conf")`},
	}, {
		name:  "self include",
		files: map[string]string{"nginx.conf": "events {}\ninclude nginx.conf;\n"},
		want:  []string{`D/nginx.conf:2:1: include "nginx.conf": include cycle D/nginx.conf → D/nginx.conf (nginx would include it again and again until it fails)`},
	}, {
		name: "cycle across three files",
		files: map[string]string{
			"nginx.conf": "http {\n  include a.conf;\n}\n",
			"a.conf":     "include b.conf;\n",
			"b.conf":     "include c.conf;\n",
			"c.conf":     "x 1;\ninclude a.conf;\n",
		},
		want: []string{`D/c.conf:2:1: include "a.conf": include cycle D/a.conf → D/b.conf → D/c.conf → D/a.conf (nginx would include it again and again until it fails)`},
	}, {
		name:  "too deep",
		files: deep,
		want:  []string{`D/f63.conf:1:1: include "f64.conf": includes nested more than 64 deep`},
	}, {
		name:  "include arguments",
		files: map[string]string{"nginx.conf": "include a b;\ninclude;\ninclude a { }\n"},
		want: []string{
			`D/nginx.conf:1:1: invalid number of arguments in "include" directive (it takes one file name or glob pattern)`,
			`D/nginx.conf:2:1: invalid number of arguments in "include" directive (it takes one file name or glob pattern)`,
			`D/nginx.conf:3:1: directive "include" is not terminated by ";" (it takes a file name, not a block)`,
		},
	}, {
		name: "errors in several files are all reported",
		files: map[string]string{
			"nginx.conf":  "include a.conf;\ninclude missing.conf;\ninclude b.conf;\ninclude a.conf;\n",
			"a.conf":      "x \"y\"z;\n",
			"b.conf":      "}\n",
			"unread.conf": "{",
		},
		want: []string{
			`D/a.conf:1:6: unexpected "z" right after a closing quote (put a space before it, or move it inside the quotes)`,
			`D/nginx.conf:2:1: include "missing.conf": D/missing.conf: no such file (nginx -t fails with "open() failed": fix the path or create the file)`,
			`D/b.conf:1:1: unexpected "}" (no block is open here: remove it, or look above for a "}" too many)`,
		},
	}, {
		name:  "binary file",
		files: map[string]string{"nginx.conf": "http {\n include x.conf;\n}\n", "x.conf": "a;\nb\x00;"},
		want:  []string{`D/x.conf:2:2: NUL byte: this is a binary file, not a configuration file`},
	}, {
		// nginx parses an included file on its own: its braces must balance
		name:  "included file closes the including block",
		files: map[string]string{"nginx.conf": "http {\n include x.conf;\n", "x.conf": "a;\n}\n"},
		want: []string{
			`D/x.conf:2:1: unexpected "}" (no block is open here: remove it, or look above for a "}" too many)`,
			`D/nginx.conf:3:1: unexpected end of file, expecting "}" (the block "http" opened at line 1 is never closed)`,
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := linttest.WriteTree(t, tc.files)
			n, _, err := Load(&source.FS{}, filepath.Join(dir, "nginx.conf"))
			if n == nil || n.Root.IsZero() {
				t.Fatal("no model returned")
			}
			var got []string
			if err != nil {
				var les lint.LoadErrors
				if !errors.As(err, &les) {
					t.Fatalf("error is %T, want lint.LoadErrors", err)
				}
				for _, e := range les {
					if !e.Pos.IsValid() {
						t.Errorf("error without a position: %v", e)
					}
					got = append(got, strings.ReplaceAll(e.Error(), dir, "D"))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestLoadMainFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, main := range []string{filepath.Join(dir, "none.conf"), dir} {
		n, sources, err := Load(&source.FS{}, main)
		if err == nil || n == nil || len(sources) != 0 {
			t.Errorf("Load(%s) = %v, %v, %v", main, n, sources, err)
		}
	}
}

func TestLoadSymlinks(t *testing.T) {
	root := linttest.WriteTree(t, map[string]string{
		"etc/nginx/nginx.conf":               "http {\n    include sites-enabled/*;\n}\n",
		"etc/nginx/sites-available/rel":      "server { listen 81; }\n",
		"etc/nginx/sites-available/abs":      "server { listen 82; }\n",
		"etc/nginx/sites-available/unlinked": "server { listen 83; }\n",
	})
	enabled := filepath.Join(root, "etc/nginx/sites-enabled")
	if err := os.Mkdir(enabled, 0o755); err != nil {
		t.Fatal(err)
	}
	// Debian's postinst makes an absolute link; users often relative ones.
	if err := os.Symlink("/etc/nginx/sites-available/abs", filepath.Join(enabled, "abs")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../sites-available/rel", filepath.Join(enabled, "rel")); err != nil {
		t.Fatal(err)
	}
	fsys := &source.FS{Root: root}
	n, sources, err := Load(fsys, fsys.Path("/etc/nginx/nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sources {
		got = append(got, strings.TrimPrefix(s.Path, root)+" = "+strings.TrimPrefix(s.RealPath, root))
	}
	want := "/etc/nginx/nginx.conf = /etc/nginx/nginx.conf\n" +
		"/etc/nginx/sites-enabled/abs = /etc/nginx/sites-available/abs\n" +
		"/etc/nginx/sites-enabled/rel = /etc/nginx/sites-available/rel"
	if strings.Join(got, "\n") != want {
		t.Errorf("sources:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	servers := n.Root.Child("http").Children("server")
	if len(servers) != 2 || servers[0].Pos().File != filepath.Join(enabled, "abs") {
		t.Errorf("servers = %v: positions must name the path as reached", servers)
	}
}

// TestLoadSameFileTwoPaths reads a file reached through a link and by its
// own name once: one Source, named by the first path.
func TestLoadSameFileTwoPaths(t *testing.T) {
	dir := linttest.WriteTree(t, map[string]string{
		"nginx.conf": "http {\n include link.conf;\n include real.conf;\n}\n",
		"real.conf":  "gzip on;\n",
	})
	if err := os.Symlink("real.conf", filepath.Join(dir, "link.conf")); err != nil {
		t.Fatal(err)
	}
	n, sources, err := Load(&source.FS{}, filepath.Join(dir, "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 2 || sources[1].Path != filepath.Join(dir, "link.conf") {
		t.Errorf("sources = %v", sources)
	}
	// Included twice (through the link, then by its real name): both
	// places hold its gzip, one line of one file read once.
	http := n.Root.Child("http")
	incs := http.Children("include")
	if gz := http.Children("gzip"); len(gz) != 2 || gz[0].Statement() != gz[1].Statement() ||
		gz[0].Include() != incs[0] || gz[1].Include() != incs[1] {
		t.Errorf("gzip instances = %v", gz)
	}
}

// TestLoadRelativeMain checks that a relative main path keeps relative
// positions and resolves includes against its own directory.
func TestLoadRelativeMain(t *testing.T) {
	n, _, err := Load(&source.FS{}, "../../testdata/nginx/dump/tree/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	http := n.Root.Child("http")
	if got := http.Children("server")[0].Pos().String(); got != "../../testdata/nginx/dump/tree/conf.d/a.conf:1:1" {
		t.Errorf("server at %s", got)
	}
}

// TestIncludeInsideBlockKeepsOrder checks the block refilled in place: the
// directives after an include keep their order after the included ones,
// at every depth.
func TestIncludeInsideBlockKeepsOrder(t *testing.T) {
	dir := linttest.WriteTree(t, map[string]string{
		"nginx.conf": "http {\n a 1;\n include x.conf;\n b 2;\n server {\n  c 3;\n  include x.conf;\n  location / { d 4; include x.conf; e 5; f 6; }\n  g 7;\n }\n h 8;\n}\n",
		"x.conf":     "x1;\nx2;\nx3;\nx4;\n",
	})
	n, _, err := Load(&source.FS{}, filepath.Join(dir, "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	n.Root.Walk(func(d lint.Directive) bool {
		got = append(got, d.Name())
		return true
	})
	want := "http a include x1 x2 x3 x4 b server c include x1 x2 x3 x4 location d include x1 x2 x3 x4 e f g h"
	if strings.Join(got, " ") != want {
		t.Errorf("walk:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
}
