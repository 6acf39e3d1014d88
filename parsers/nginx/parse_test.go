package nginx

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// render writes a tree one directive a line: name, span, arguments with
// their quote and position, and the block's closing brace.
func render(root lint.Directive) string {
	var b strings.Builder
	var walk func(block lint.Directive, indent string)
	walk = func(block lint.Directive, indent string) {
		for d := range block.Block() {
			fmt.Fprintf(&b, "%s%s %s-%s", indent, d.Name(), lc(d.Pos()), lc(d.Span().End))
			for i, a := range d.Args() {
				v := strconv.Quote(a.Value)
				v = v[1 : len(v)-1]
				if a.Quote != 0 {
					v = string(a.Quote) + v + string(a.Quote)
				}
				fmt.Fprintf(&b, " %s@%s", v, lc(d.ArgPos(i)))
			}
			if d.IsBlock() {
				fmt.Fprintf(&b, " }%s", lc(d.BlockEnd()))
			}
			b.WriteByte('\n')
			walk(d, indent+"  ")
		}
	}
	walk(root, "")
	return b.String()
}

func lc(p lint.Pos) string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

func TestParseTree(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{{
		name: "multi-line block and directive",
		src: `http {
    server {
        listen
            80
            default_server;
        location / {
            root /var/www;
        }
    }
}
`,
		want: `http 1:1-1:6 }10:1
  server 2:5-2:12 }9:5
    listen 3:9-5:27 80@4:13 default_server@5:13
    location 6:9-6:20 /@6:18 }8:9
      root 7:13-7:26 /var/www@7:18
`,
	}, {
		name: "quoted arguments",
		src:  "add_header  X-A \"a b\"\t'c;d' \"\" '';\n",
		want: `add_header 1:1-1:34 X-A@1:13 "a b"@1:17 'c;d'@1:23 ""@1:29 ''@1:32` + "\n",
	}, {
		// values checked against nginx 1.22 serving them with `return 200`
		name: "escapes as nginx applies them",
		src:  `return 200 "x\"y|x\\y|\d|t\tn" x\"y\\z\q 'x\'y"z' "e\\" "a` + "\n" + `b";`,
		want: `return 1:1-2:3 200@1:8 "x\"y|x\\y|\\d|t\tn"@1:12 x\"y\\z\\q@1:32 'x'y\"z'@1:42 "e\\"@1:51 "a\nb"@1:57` + "\n",
	}, {
		name: "backslash-space stays in the word",
		src:  `return 200 a\ b;`,
		want: `return 1:1-1:16 200@1:8 a\\ b@1:12` + "\n",
	}, {
		name: "escaped newline in a word",
		src:  "a b\\\nc d;",
		want: `a 1:1-2:4 b\\\nc@1:3 d@2:3` + "\n",
	}, {
		name: "${var} braces are part of the word",
		src:  "set $a ${v}bar;\nreturn 200 ${a}{\n}\n",
		want: `set 1:1-1:15 $a@1:5 ${v}bar@1:8
return 2:1-2:16 200@2:8 ${a}@2:12 }3:1
`,
	}, {
		name: "hash inside a word, comments between arguments",
		src:  "a b#c # comment\n  d; # after\n",
		want: "a 1:1-2:4 b#c@1:3 d@2:3\n",
	}, {
		name: "closing brace inside a word",
		src:  "location / { return 200 x}; }",
		want: `location 1:1-1:12 /@1:10 }1:29
  return 1:14-1:27 200@1:21 x}@1:25
`,
	}, {
		name: "parenthesis after a quote starts a new word",
		src:  `if ($a = "b") { return 404; }`,
		want: `if 1:1-1:15 ($a@1:4 =@1:8 "b"@1:10 )@1:13 }1:29
  return 1:17-1:27 404@1:24
`,
	}, {
		name: "quoted directive name and empty block",
		src:  "map $a $b {\n  \"~^x\" 1;\n  default 0;\n}\nevents {}\n",
		want: `map 1:1-1:11 $a@1:5 $b@1:8 }4:1
  ~^x 2:3-2:10 1@2:9
  default 3:3-3:12 0@3:11
events 5:1-5:8 }5:9
`,
	}, {
		name: "lua block body is one raw argument",
		src: `location / {
    content_by_lua_block {
        local s = "}" .. '{' -- } not the end
        local t = { [[ } ]], --[==[ } ]==] 1 }
        ngx.say(s)
    }
    set_by_lua_block $x { return "{" }
}
`,
		want: `location 1:1-1:12 /@1:10 }8:1
  content_by_lua_block 2:5-2:26 \n        local s = \"}\" .. '{' -- } not the end\n        local t = { [[ } ]], --[==[ } ]==] 1 }\n        ngx.say(s)\n    @2:27 }6:5
  set_by_lua_block 7:5-7:25 $x@7:22  return \"{\" @7:26 }7:38
`,
	}, {
		name: "CRLF line ends",
		src:  "a b;\r\nc {\r\n d;\r\n}\r\n",
		want: `a 1:1-1:4 b@1:3
c 2:1-2:3 }4:1
  d 3:2-3:3
`,
	}, {
		name: "UTF-8 counts bytes",
		src:  "return 200 \"é\" x;",
		want: `return 1:1-1:18 200@1:8 "é"@1:12 x@1:17` + "\n",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, _, err := Parse("t.conf", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := render(ds); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestParseParents(t *testing.T) {
	ds, _, err := Parse("t.conf", []byte("http { server { location / { root x; } } }"))
	if err != nil {
		t.Fatal(err)
	}
	http := ds.Child("http")
	if root := http.Parent(); root != ds || !root.IsRoot() || root.Name() != "" || !root.Parent().IsZero() {
		t.Fatalf("top-level parent = %+v, want the synthetic root", root)
	}
	root := http.Child("server").Child("location").Child("root")
	if got := strings.Join(root.Context(), " "); got != "http server location" {
		t.Errorf("context = %q", got)
	}
	if root.Pos().File != "t.conf" || root.ArgPos(0).File != "t.conf" {
		t.Errorf("positions lack the file name")
	}
}

func TestParseComments(t *testing.T) {
	// Only comments that mention the tool are kept: "prose" is left out.
	src := "# first nginx502-lint\nuser x; #nginx502-lint second\r\n\t#  nginx502-lint third \n# prose\nreturn \"#not nginx502-lint\" a#b nginx502-lint;\n#nginx502-lint"
	_, cs, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []lint.Comment{
		{Pos: lint.Pos{File: "t.conf", Line: 1, Col: 1}, Text: " first nginx502-lint"},
		{Pos: lint.Pos{File: "t.conf", Line: 2, Col: 9}, Text: "nginx502-lint second"},
		{Pos: lint.Pos{File: "t.conf", Line: 3, Col: 2}, Text: "  nginx502-lint third "},
		{Pos: lint.Pos{File: "t.conf", Line: 6, Col: 1}, Text: "nginx502-lint"},
	}
	if fmt.Sprint(cs) != fmt.Sprint(want) {
		t.Errorf("comments = %v, want %v", cs, want)
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("x", maxParam)
	tests := []struct {
		name, src, want string
	}{
		{"text after a closing quote", "http {\n  server_tokens \"on\"x;\n}\n",
			`t.conf:2:21: unexpected "x" right after a closing quote (put a space before it, or move it inside the quotes)`},
		{"brace after a closing quote", `a "b"}`,
			`t.conf:1:6: unexpected "}" right after a closing quote (put a space before it, or move it inside the quotes)`},
		{"stray closing brace", "http {\n}\n}\n",
			`t.conf:3:1: unexpected "}" (no block is open here: remove it, or look above for a "}" too many)`},
		{"brace ends a directive without semicolon", "http {\n  server_tokens on }\n",
			`t.conf:2:20: unexpected "}" (the directive "server_tokens" at line 2 has no ";" at its end)`},
		{"semicolon alone", "http { ; }",
			`t.conf:1:8: unexpected ";" (a ";" with no directive before it: remove it)`},
		{"block without a name", "http { {",
			`t.conf:1:8: unexpected "{" (a block with no directive name before it)`},
		{"unterminated double quote", "http {\n  server_tokens \"on;\n}\n",
			`t.conf:4:1: unexpected end of file, expecting ";" or "}" (the quoted string opened at line 2 is never closed)`},
		{"unterminated single quote", "a 'b",
			`t.conf:1:5: unexpected end of file, expecting ";" or "}" (the quoted string opened at line 1 is never closed)`},
		{"missing semicolon at end of file", "http {\n  server_tokens on\n",
			`t.conf:3:1: unexpected end of file, expecting ";" or "}" (the directive "server_tokens" at line 2 has no ";" at its end)`},
		{"unclosed block", "events {}\n\nhttp {\n  server {\n    listen 80;\n  }\n",
			`t.conf:7:1: unexpected end of file, expecting "}" (the block "http" opened at line 3 is never closed)`},
		{"unclosed block, misplaced brace", "http {\n  server {\n    location / {\n  }\n}\n",
			`t.conf:6:1: unexpected end of file, expecting "}" (the block "http" opened at line 1 is never closed; the "}" at line 4 is indented like "server", not like "location" at line 3: is a "}" missing there?)`},
		{"unclosed lua block", "content_by_lua_block {\n  if x then { end\n}\n",
			`t.conf:4:1: unexpected end of file, expecting terminating characters for lua code block (the block "content_by_lua_block" opened at line 1 is never closed)`},
		{"unclosed lua long bracket", "content_by_lua_block {\n  s = [==[ }\n}\n",
			`t.conf:2:7: Lua code block missing the closing long bracket "]==]"`},
		{"unquoted regular expression with a quantifier", "server {\n    location ~ ^/id/[0-9]{6}$ {\n        return 200;\n    }\n}\n",
			`t.conf:6:1: unexpected end of file, expecting "}" (the block "server" opened at line 1 is never closed; at line 2 the "{" after "^/id/[0-9]" opens a block: put a regular expression that contains "{" in quotes)`},
		{"blocks too deep", strings.Repeat("a {", maxDepth+2),
			`t.conf:1:3001: blocks nested more than 1000 deep`},
		{"comment too long", "#" + long + "\nx;",
			`t.conf:1:1: too long parameter "#xxxxxxxxx..." started (nginx reads at most 4096 bytes per word or comment: split the line)`},
		{"word too long", "a " + long + " b;",
			`t.conf:1:3: too long parameter "xxxxxxxxxx..." started (nginx reads at most 4096 bytes per word: split it)`},
		{"quoted string too long", "a\n \"" + long + "\";",
			`t.conf:2:2: too long parameter, probably missing terminating "\"" character (nginx reads at most 4096 bytes per word)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("t.conf", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			var les lint.LoadErrors
			if !asLoadErrors(err, &les) || len(les) != 1 {
				t.Fatalf("error %T %v, want one lint.LoadError", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestParseLimits checks nginx's 4096-byte buffer at its edge (measured
// with nginx 1.22: a 4095-byte comment line passes, 4096 bytes fail).
func TestParseLimits(t *testing.T) {
	for _, tc := range []struct {
		src string
		ok  bool
	}{
		{"#" + strings.Repeat("x", maxParam-2) + "\nx;", true},
		{"#" + strings.Repeat("x", maxParam-1) + "\nx;", false},
		{"#" + strings.Repeat("x", maxParam-1), true}, // the file ends first
		{"#" + strings.Repeat("x", maxParam), false},  // the file goes on
		{"a \"" + strings.Repeat("x", maxParam-1) + "\";", true},
		{"a \"" + strings.Repeat("x", maxParam) + "\";", false},
	} {
		_, _, err := Parse("t.conf", []byte(tc.src))
		if (err == nil) != tc.ok {
			t.Errorf("len %d: err = %v, want ok=%v", len(tc.src), err, tc.ok)
		}
	}
}

// TestParseKeepsPrefix checks that a syntax error keeps what came before.
func TestParseKeepsPrefix(t *testing.T) {
	ds, _, err := Parse("t.conf", []byte("user a;\nhttp {\n  b;\n  c \"d\"e;\n"))
	if err == nil {
		t.Fatal("no error")
	}
	if got, want := render(ds), "user 1:1-1:7 a@1:6\nhttp 2:1-2:6 }0:0\n  b 3:3-3:4\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func asLoadErrors(err error, les *lint.LoadErrors) bool { return errors.As(err, les) }

// FuzzParse checks that any input parses or fails with a valid position.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"http { server { listen 80; location / { proxy_pass http://x; } } }",
		`a "b\"" 'c' d\ e ${f}g;`, "content_by_lua_block { s = [[}]] -- }\n }",
		"#c\n}", "a \"b", "a {", "if ($a = \"b\") { return 404; }",
		"user; http { upstream u { server [::1; server; } server { location / { fastcgi_pass [; proxy_pass http://[:x; grpc_pass unix:; uwsgi_pass u:1; } } } stream { server { proxy_pass u; } }",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		parsed, _, err := parse("f.conf", data, new(slabs))
		if err != nil && (!err.Pos.IsValid() || err.Pos.Col < 1) {
			t.Fatalf("error without position: %v", err)
		}
		_, root := lint.NewPlace(parsed)
		fillFacts(&lint.Nginx{Root: root})
		root.Walk(func(d lint.Directive) bool {
			if !d.Pos().IsValid() || !d.Span().End.IsValid() || d.Span().End.Before(d.Pos()) {
				t.Fatalf("bad span %v for %q", d.Span(), d.Name())
			}
			return true
		})
	})
}

// TestParseNames checks a directive's name however it is written: a name
// of nginx's own directives (interned), an unknown one, a quoted one, one
// with an escape.
func TestParseNames(t *testing.T) {
	root, _, err := Parse("t.conf", []byte("fastcgi_param A b;\nmy_module_thing on;\n\"gzip\" on;\nroo\\t /srv;\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name  string
		known bool
	}{{"fastcgi_param", true}, {"my_module_thing", false}, {"gzip", true}, {"roo\t", false}}
	got := root.BlockList()
	if len(got) != len(want) {
		t.Fatalf("%d directives, want %d", len(got), len(want))
	}
	for i, d := range got {
		if d.Name() != want[i].name || (lint.NameID(d.Name()) != 0) != want[i].known {
			t.Errorf("directive %d: name %q (known %v), want %q (known %v)", i, d.Name(), lint.NameID(d.Name()) != 0, want[i].name, want[i].known)
		}
	}
	if got[0].Arg(1) != "b" || got[2].ArgPos(0).Col != 8 {
		t.Errorf("arguments after the names: %q at %v", got[0].Arg(1), got[2].ArgPos(0))
	}
}
