package lint_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/nginx"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// The trees are read by the real parser, from memory: /cfg does not exist
// on disk, so that no file of the host leaks into a glob.
const mainConf = "/cfg/nginx/nginx.conf"

// load parses files (path → content) with nginx.conf at mainConf, includes
// expanded, and fails the test on any load error.
func load(t *testing.T, files map[string]string) *lint.Nginx {
	t.Helper()
	overlay := map[string][]byte{}
	for p, c := range files {
		overlay[p] = []byte(c)
	}
	ng, _, err := nginx.Load(&source.FS{Overlay: overlay}, mainConf)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return ng
}

// find returns the block at path, e.g. "http > server one > location /a":
// each step is a directive name, optionally with its first argument (the
// server_name for a server).
func find(t *testing.T, root lint.Directive, path string) lint.Directive {
	t.Helper()
	cur := root
	for _, step := range strings.Split(path, " > ") {
		name, arg, _ := strings.Cut(step, " ")
		var next lint.Directive
		for _, d := range cur.Children(name) {
			key := d.Arg(0)
			if name == "server" {
				if sn := d.Child("server_name"); !sn.IsZero() {
					key = sn.Arg(0)
				}
			}
			if arg == "" || key == arg {
				next = d
				break
			}
		}
		if next.IsZero() {
			t.Fatalf("find %q: no %q in %q", path, step, cur.Name())
		}
		cur = next
	}
	return cur
}

// blockPath names a block the way find takes it, for messages.
func blockPath(d lint.Directive) string {
	if d.IsZero() {
		return ""
	}
	var parts []string
	for ; !d.IsZero() && !d.IsRoot(); d = d.Parent() {
		label := d.Name()
		switch {
		case d.Name() == "server" && !d.Child("server_name").IsZero():
			label += " " + d.Child("server_name").Arg(0)
		case d.Name() != "if" && d.NArgs() > 0:
			label += " " + d.Arg(0)
		}
		parts = append([]string{label}, parts...)
	}
	return strings.Join(parts, " > ")
}

const inheritConf = `user www-data;
events {}
worker_processes auto;
http {
    fastcgi_read_timeout 30s;
    fastcgi_param HTTP_A a;
    fastcgi_param HTTP_B b;
    proxy_set_header X-Http-A a;
    proxy_set_header X-Http-B b;
    add_header X-Http h;
    fastcgi_buffer_size 8k;

    server {
        server_name one;
        fastcgi_read_timeout 60s;
        fastcgi_param SERVER_C c;

        location /a {
            try_files $uri =404;
            fastcgi_pass unix:/run/a.sock;
            fastcgi_buffer_size 16k;

            location /a/b {
                fastcgi_param NESTED_D d;
                proxy_set_header X-Nested n;
                if ($request_method = POST) {
                    fastcgi_pass unix:/run/if.sock;
                }
            }
        }
        location /c {
            add_header X-Loc c;
            include /cfg/nginx/params.conf;
        }
        location /d {
            fastcgi_read_timeout 5s;
            fastcgi_read_timeout 7s;
        }
    }
    server {
        server_name two;
        return 301 https://example.com$request_uri;
        location / {
            proxy_pass http://127.0.0.1:8080;
        }
    }
}
stream {
    proxy_timeout 5s;
    server {
        listen 9000;
        proxy_pass 127.0.0.1:9001;
    }
}
`

func TestEffective(t *testing.T) {
	ng := load(t, map[string]string{
		mainConf:                  inheritConf,
		"/cfg/nginx/params.conf":  "fastcgi_param FROM_INCLUDE x;\ninclude /cfg/nginx/deeper.conf;\n",
		"/cfg/nginx/deeper.conf":  "fastcgi_param FROM_DEEPER y;\n",
		"/cfg/nginx/unused.conf":  "",
		"/cfg/nginx/another.conf": "",
	})
	cases := []struct {
		name      string
		block     string
		directive string
		want      []string // the directives' arguments; nil for nginx's default
		level     string   // the block that sets them
	}{
		// plain directives: the nearest level that sets them
		{"location inherits from server", "http > server one > location /a", "fastcgi_read_timeout", []string{"60s"}, "http > server one"},
		{"nested location inherits from server", "http > server one > location /a > location /a/b", "fastcgi_read_timeout", []string{"60s"}, "http > server one"},
		{"if inherits from server through the locations", "http > server one > location /a > location /a/b > if", "fastcgi_read_timeout", []string{"60s"}, "http > server one"},
		{"server overrides http", "http > server one", "fastcgi_read_timeout", []string{"60s"}, "http > server one"},
		{"other server inherits from http", "http > server two > location /", "fastcgi_read_timeout", []string{"30s"}, "http"},
		{"http itself", "http", "fastcgi_read_timeout", []string{"30s"}, "http"},
		{"nested location inherits from the outer location", "http > server one > location /a > location /a/b", "fastcgi_buffer_size", []string{"16k"}, "http > server one > location /a"},
		{"outer location overrides http", "http > server one > location /a", "fastcgi_buffer_size", []string{"16k"}, "http > server one > location /a"},
		{"sibling location still sees http", "http > server one > location /c", "fastcgi_buffer_size", []string{"8k"}, "http"},
		{"all occurrences of one level, the last in force", "http > server one > location /d", "fastcgi_read_timeout", []string{"5s", "7s"}, "http > server one > location /d"},
		{"nothing sets it: default", "http > server one > location /a", "fastcgi_send_timeout", nil, ""},

		// array directives: replaced wholesale by the first level that sets any
		{"http array reaches a location that sets none", "http > server two > location /", "fastcgi_param", []string{"HTTP_A a", "HTTP_B b"}, "http"},
		{"server's one fastcgi_param hides http's", "http > server one > location /a", "fastcgi_param", []string{"SERVER_C c"}, "http > server one"},
		{"nested location's fastcgi_param hides server's and http's", "http > server one > location /a > location /a/b", "fastcgi_param", []string{"NESTED_D d"}, "http > server one > location /a > location /a/b"},
		{"if inherits the nested location's array", "http > server one > location /a > location /a/b > if", "fastcgi_param", []string{"NESTED_D d"}, "http > server one > location /a > location /a/b"},
		{"an include counts for the level it is in", "http > server one > location /c", "fastcgi_param", []string{"FROM_INCLUDE x", "FROM_DEEPER y"}, "http > server one > location /c"},
		{"proxy_set_header inherited whole", "http > server one > location /a", "proxy_set_header", []string{"X-Http-A a", "X-Http-B b"}, "http"},
		{"one proxy_set_header drops the inherited ones", "http > server one > location /a > location /a/b", "proxy_set_header", []string{"X-Nested n"}, "http > server one > location /a > location /a/b"},
		{"add_header inherited", "http > server one > location /a", "add_header", []string{"X-Http h"}, "http"},
		{"one add_header drops the inherited ones", "http > server one > location /c", "add_header", []string{"X-Loc c"}, "http > server one > location /c"},

		// handlers and rewrite-module directives are not inherited
		{"fastcgi_pass of the location itself", "http > server one > location /a", "fastcgi_pass", []string{"unix:/run/a.sock"}, "http > server one > location /a"},
		{"fastcgi_pass not inherited by a nested location", "http > server one > location /a > location /a/b", "fastcgi_pass", nil, ""},
		{"fastcgi_pass of an if is its own", "http > server one > location /a > location /a/b > if", "fastcgi_pass", []string{"unix:/run/if.sock"}, "http > server one > location /a > location /a/b > if"},
		{"try_files not inherited", "http > server one > location /a > location /a/b", "try_files", nil, ""},
		{"return not inherited", "http > server two > location /", "return", nil, ""},
		{"return of the server itself", "http > server two", "return", []string{"301 https://example.com$request_uri"}, "http > server two"},
		{"proxy_pass not inherited", "http > server two > location /", "proxy_pass", []string{"http://127.0.0.1:8080"}, "http > server two > location /"},

		// stream and http are separate
		{"stream server does not see http", "stream > server", "fastcgi_read_timeout", nil, ""},
		{"stream server inherits from stream", "stream > server", "proxy_timeout", []string{"5s"}, "stream"},
		{"http server does not see stream", "http > server one > location /a", "proxy_timeout", nil, ""},
		// inheritance stops at http: the main context is not an http level
		{"main context not searched", "http > server one", "worker_processes", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			block := find(t, ng.Root, c.block)
			s := lint.Effective(block, c.directive)
			var got []string
			for _, d := range s.Directives() {
				if d.Name() != c.directive {
					t.Errorf("Effective returned a %q directive", d.Name())
				}
				got = append(got, strings.Join(d.ArgValues(), " "))
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Effective(%s, %s) = %q, want %q", c.block, c.directive, got, c.want)
			}
			if lvl := blockPath(s.Level); lvl != c.level {
				t.Errorf("Level = %q, want %q", lvl, c.level)
			}
			if s.IsDefault() != (c.want == nil) {
				t.Errorf("IsDefault() = %v, want %v", s.IsDefault(), c.want == nil)
			}
			last := s.Last()
			switch {
			case c.want == nil && !last.IsZero():
				t.Errorf("Last() = %v, want the zero Directive", last)
			case c.want != nil && (last.IsZero() || strings.Join(last.ArgValues(), " ") != c.want[len(c.want)-1]):
				t.Errorf("Last() = %v, want the last of %q", last, c.want)
			}
		})
	}
}

func TestInherited(t *testing.T) {
	for name, want := range map[string]bool{
		"fastcgi_read_timeout": true, "fastcgi_param": true, "proxy_set_header": true, "add_header": true,
		"fastcgi_buffer_size": true, "root": true,
		"fastcgi_pass": false, "proxy_pass": false, "grpc_pass": false, "uwsgi_pass": false, "scgi_pass": false,
		"try_files": false, "return": false, "rewrite": false, "set": false, "if": false, "location": false,
	} {
		if got := lint.Inherited(name); got != want {
			t.Errorf("Inherited(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestDirectiveHelpers(t *testing.T) {
	ng := load(t, map[string]string{
		mainConf:                 inheritConf,
		"/cfg/nginx/params.conf": "fastcgi_param FROM_INCLUDE x;\ninclude /cfg/nginx/deeper.conf;\n",
		"/cfg/nginx/deeper.conf": "fastcgi_param FROM_DEEPER y;\n",
	})
	root := ng.Root
	http := find(t, root, "http")
	one := find(t, root, "http > server one")
	locA := find(t, root, "http > server one > location /a")
	nested := find(t, root, "http > server one > location /a > location /a/b")
	ifBlock := find(t, root, "http > server one > location /a > location /a/b > if")
	locC := find(t, root, "http > server one > location /c")
	ifPass := ifBlock.Child("fastcgi_pass")
	user := root.Child("user")

	t.Run("Children", func(t *testing.T) {
		if got := len(http.Children("fastcgi_param")); got != 2 {
			t.Errorf("http has %d fastcgi_param, want 2", got)
		}
		if got := len(http.Children("server")); got != 2 {
			t.Errorf("http has %d servers, want 2", got)
		}
		if got := http.Children("location"); len(got) != 0 {
			t.Errorf("Children looks deeper than one level: %v", got)
		}
		if got := http.Children("nope"); len(got) != 0 {
			t.Errorf("Children(nope) = %v", got)
		}
		// the directives an include brings in are children of the including block
		var names []string
		for d := range locC.Block() {
			names = append(names, d.Name()+" "+d.Arg(0))
		}
		want := []string{"add_header X-Loc", "include /cfg/nginx/params.conf", "fastcgi_param FROM_INCLUDE", "include /cfg/nginx/deeper.conf", "fastcgi_param FROM_DEEPER"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("location /c block = %q, want %q", names, want)
		}
	})

	t.Run("Child", func(t *testing.T) {
		if got := http.Child("server"); got.IsZero() || got.Child("server_name").Arg(0) != "two" {
			t.Errorf("Child(server) is not the last server")
		}
		if got := find(t, root, "http > server one > location /d").Child("fastcgi_read_timeout"); got.IsZero() || got.Arg(0) != "7s" {
			t.Errorf("Child returns %v, want the last fastcgi_read_timeout (7s)", got)
		}
		if got := http.Child("nope"); !got.IsZero() {
			t.Errorf("Child(nope) = %v", got)
		}
		if got := user.Child("x"); !got.IsZero() {
			t.Errorf("Child of a simple directive = %v", got)
		}
	})

	t.Run("Context", func(t *testing.T) {
		cases := []struct {
			d    lint.Directive
			want []string
		}{
			{user, nil},
			{http, nil},
			{one, []string{"http"}},
			{nested.Child("fastcgi_param"), []string{"http", "server", "location", "location"}},
			{ifPass, []string{"http", "server", "location", "location", "if"}},
			{find(t, root, "stream > server").Child("proxy_pass"), []string{"stream", "server"}},
		}
		for _, c := range cases {
			got := c.d.Context()
			if len(got) == 0 && len(c.want) == 0 {
				continue
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s: Context() = %q, want %q", c.d, got, c.want)
			}
		}
	})

	t.Run("Enclosing", func(t *testing.T) {
		cases := []struct {
			names []string
			want  lint.Directive
		}{
			{[]string{"server"}, one},
			{[]string{"location"}, nested}, // the nearest one
			{[]string{"if"}, ifBlock},
			{[]string{"location", "server"}, ifBlock.Parent()},
			{[]string{"server", "if"}, ifBlock},
			{[]string{"http"}, http},
			{[]string{"stream"}, lint.Directive{}},
			{nil, lint.Directive{}},
		}
		for _, c := range cases {
			if got := ifPass.Enclosing(c.names...); got != c.want {
				t.Errorf("Enclosing(%q) = %q, want %q", c.names, blockPath(got), blockPath(c.want))
			}
		}
		if got := one.Enclosing("server"); !got.IsZero() {
			t.Errorf("a block is not its own enclosing block: got %q", blockPath(got))
		}
	})

	t.Run("IncludeChain", func(t *testing.T) {
		if got := locA.Child("fastcgi_pass").IncludeChain(); len(got) != 0 {
			t.Errorf("a directive of the main file has the include chain %v", got)
		}
		var fromInclude, fromDeeper lint.Directive
		for _, d := range locC.Children("fastcgi_param") {
			switch d.Arg(0) {
			case "FROM_INCLUDE":
				fromInclude = d
			case "FROM_DEEPER":
				fromDeeper = d
			}
		}
		outer := locC.Children("include")[0]
		if got := fromInclude.IncludeChain(); len(got) != 1 || got[0] != outer {
			t.Errorf("FROM_INCLUDE chain = %v, want [%v]", got, outer)
		}
		chain := fromDeeper.IncludeChain()
		if len(chain) != 2 || chain[1] != outer || chain[0].Arg(0) != "/cfg/nginx/deeper.conf" {
			t.Fatalf("FROM_DEEPER chain = %v, want innermost first: the include in params.conf, then the one in nginx.conf", chain)
		}
		if f := chain[0].Pos().File; f != "/cfg/nginx/params.conf" {
			t.Errorf("inner include is in %q, want params.conf", f)
		}
		if p := outer.Pos(); p.File != mainConf || p.Line != 33 || p.Col != 13 {
			t.Errorf("outer include at %v, want %s:33:13", p, mainConf)
		}
		if p := fromDeeper.Pos(); p.File != "/cfg/nginx/deeper.conf" || p.Line != 1 || p.Col != 1 {
			t.Errorf("FROM_DEEPER at %v, want /cfg/nginx/deeper.conf:1:1", p)
		}
	})

	t.Run("Walk", func(t *testing.T) {
		var all, skipped int
		root.Walk(func(lint.Directive) bool { all++; return true })
		root.Walk(func(d lint.Directive) bool { skipped++; return d.Name() != "http" })
		if all <= skipped || skipped != len(root.BlockList())+len(find(t, root, "stream").BlockList())+len(find(t, root, "stream > server").BlockList()) {
			t.Errorf("Walk visited %d directives, %d when skipping http's children", all, skipped)
		}
	})

	t.Run("Arg and IsBlock", func(t *testing.T) {
		if got := user.Arg(0); got != "www-data" {
			t.Errorf("Arg(0) = %q", got)
		}
		if user.Arg(1) != "" || user.Arg(-1) != "" {
			t.Errorf("Arg out of range is not empty")
		}
		if user.IsBlock() || !find(t, root, "events").IsBlock() || !locA.IsBlock() {
			t.Errorf("IsBlock wrong: an empty block {} is a block, a simple directive is not")
		}
		if !find(t, root, "events").BlockEnd().IsValid() {
			t.Errorf("events {} has no BlockEnd")
		}
	})
}

// A file included at several places gives a Directive per place, each with
// the Parent and Include of its place, and one Statement.
func TestIncludedAtSeveralPlaces(t *testing.T) {
	ng := load(t, map[string]string{
		mainConf: `events {}
http {
    server {
        location /a {
            include /cfg/nginx/params.conf;
        }
        location /b {
            include /cfg/nginx/params.conf;
        }
    }
}
`,
		"/cfg/nginx/params.conf": "fastcgi_param A a;\n",
	})
	locA := find(t, ng.Root, "http > server > location /a")
	locB := find(t, ng.Root, "http > server > location /b")
	a, b := locA.Child("fastcgi_param"), locB.Child("fastcgi_param")
	if a.IsZero() || b.IsZero() {
		t.Fatalf("fastcgi_param in location /a: %v, in location /b: %v", a, b)
	}
	if a == b {
		t.Errorf("both places give the same Directive")
	}
	if a.Parent() != locA || b.Parent() != locB {
		t.Errorf("parents %q and %q, want location /a and location /b", blockPath(a.Parent()), blockPath(b.Parent()))
	}
	if a.Include() != locA.Child("include") || b.Include() != locB.Child("include") {
		t.Errorf("includes at %v and %v, want each location's own", a.Include().Pos(), b.Include().Pos())
	}
	if got := b.Context(); !reflect.DeepEqual(got, []string{"http", "server", "location"}) {
		t.Errorf("Context() = %q", got)
	}
	if a.Statement() != b.Statement() || a.Pos() != b.Pos() {
		t.Errorf("the two places are not one line of params.conf: %v and %v", a.Pos(), b.Pos())
	}
}

func TestDirectiveString(t *testing.T) {
	cases := []struct {
		src  string
		want string
	}{
		{"fastcgi_pass unix:/run/php/php8.2-fpm.sock;", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;"},
		{"worker_processes   auto ;", "worker_processes auto;"},
		{"location ~ \\.php$ { }", "location ~ \\.php$ { … }"},
		{"events {}", "events { … }"},
		{"proxy_set_header Connection \"\";", "proxy_set_header Connection \"\";"},
		{"add_header X-Frame \"SAMEORIGIN always\";", "add_header X-Frame \"SAMEORIGIN always\";"},
		{"add_header X-A 'single';", "add_header X-A 'single';"},
		{"return 200 \"a;b{c}#d\";", "return 200 \"a;b{c}#d\";"},
		{`add_header X-Say "say \"hi\"";`, `add_header X-Say "say \"hi\"";`},
		{`add_header X-Say 'it\'s';`, `add_header X-Say 'it\'s';`},
		{`return 200 "a\\b";`, `return 200 "a\b";`},  // \\ gives \; a \ before b is no escape
		{`return 200 "a\\n";`, `return 200 "a\\n";`}, // but a \ before n must stay escaped
		{`return 200 "line\n";`, `return 200 "line\n";`},
		{"if ($request_method = POST) { }", "if ($request_method = POST) { … }"},
		{"set $x ${host}x;", "set $x \"${host}x\";"}, // quoted for its braces: the same to nginx
	}
	for _, c := range cases {
		root, _, err := nginx.Parse("t.conf", []byte(c.src))
		ds := root.BlockList()
		if err != nil || len(ds) != 1 {
			t.Fatalf("parse %q: %v (%d directives)", c.src, err, len(ds))
		}
		got := ds[0].String()
		if got != c.want {
			t.Errorf("String() of %q = %q, want %q", c.src, got, c.want)
		}
		// What String writes, nginx reads back as the same arguments.
		againRoot, _, err := nginx.Parse("again.conf", []byte(strings.Replace(got, "{ … }", "{}", 1)))
		again := againRoot.BlockList()
		if err != nil || len(again) != 1 {
			t.Errorf("String() of %q = %q does not parse: %v", c.src, got, err)
			continue
		}
		if !reflect.DeepEqual(again[0].ArgValues(), ds[0].ArgValues()) {
			t.Errorf("String() of %q = %q reads back as %q, want %q", c.src, got, again[0].ArgValues(), ds[0].ArgValues())
		}
	}

	// Arguments built by hand (a rule's Fix) are quoted when they need it.
	d := lint.NewDirective("add_header", "X-A", "a b", "", `"q`, `\d`)
	if got, want := d.String(), `add_header X-A "a b" "" "\"q" \d;`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestLowerASCII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"backend", "backend"},
		{"BackEnd_01", "backend_01"},
		{"BÄCKEND", "bÄckend"},       // nginx folds ASCII letters only
		{"B\xc4CKEND", "b\xc4ckend"}, // Latin-1 bytes kept as they are
		{"^/\xff\xff\\.PHP$", "^/\xff\xff\\.php$"},
	}
	for _, tc := range tests {
		got := lint.LowerASCII(tc.in)
		if got != tc.want {
			t.Errorf("LowerASCII(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) != len(tc.in) {
			t.Errorf("LowerASCII(%q) changed the length", tc.in)
		}
	}
}

// TestZeroDirective checks that every method answers on no directive, as
// rules call them on a Setting's Last or an Enclosing that found nothing.
func TestZeroDirective(t *testing.T) {
	var d lint.Directive
	if !d.IsZero() || d.IsRoot() || d.IsBlock() || d.Name() != "" || d.NArgs() != 0 || d.Arg(0) != "" ||
		d.ArgPos(0) != (lint.Pos{}) || d.Pos() != (lint.Pos{}) || d.Span() != (lint.Span{}) ||
		d.BlockEnd() != (lint.Pos{}) || !d.Parent().IsZero() || !d.Include().IsZero() ||
		d.BlockList() != nil || d.Children("x") != nil || !d.Child("x").IsZero() ||
		!d.Enclosing("http").IsZero() || d.Context() != nil || d.IncludeChain() != nil ||
		d.Statement() != (lint.StatementID{}) {
		t.Errorf("the zero Directive answers as a directive")
	}
	d.Walk(func(lint.Directive) bool { t.Error("Walk visits something"); return true })
	if s := lint.Effective(d, "x"); !s.IsDefault() || !s.Last().IsZero() || s.Directives() != nil {
		t.Errorf("Effective of no block = %+v", s)
	}
}
