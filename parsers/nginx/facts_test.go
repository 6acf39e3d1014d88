package nginx

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

func loadString(t *testing.T, conf string) *lint.Nginx {
	t.Helper()
	dir := linttest.WriteTree(t, map[string]string{"nginx.conf": conf})
	n, _, err := Load(&source.FS{}, filepath.Join(dir, "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUser(t *testing.T) {
	tests := []struct {
		conf, name, group string
		directive         bool
	}{
		{"events {}", "nobody", "nogroup", false},
		{"user www-data;", "www-data", "www-data", true},
		{"user nginx web;", "nginx", "web", true},
		{"http { user ignored; }", "nobody", "nogroup", false},
	}
	for _, tc := range tests {
		u := loadString(t, tc.conf).User
		if u.Name != tc.name || u.Group != tc.group || !u.Directive.IsZero() != tc.directive {
			t.Errorf("%s: user = %+v", tc.conf, u)
		}
	}
}

// target renders a target compactly for comparison.
func target(t lint.Target) string {
	s := string(t.Kind)
	if t.Scheme != "" {
		s += " " + t.Scheme + "://"
	}
	switch t.Kind {
	case lint.TargetUnix:
		s += " " + t.Path
	case lint.TargetTCP:
		s += fmt.Sprintf(" %s %d", t.Host, t.Port)
	case lint.TargetUpstream:
		s += " " + t.Upstream.Context + ":" + t.Upstream.Name
	case lint.TargetInvalid:
		s += ": " + t.Problem
	}
	return s
}

func TestHopTargets(t *testing.T) {
	// Problems are nginx 1.22's words (nginx -t), but for "invalid URL
	// prefix", where nginx does not quote the value.
	tests := []struct{ directive, want string }{
		{"fastcgi_pass unix:/run/php/php8.2-fpm.sock", "unix /run/php/php8.2-fpm.sock"},
		{"fastcgi_pass unix:run/php.sock", "unix run/php.sock"},
		{"fastcgi_pass 127.0.0.1:9000", "tcp 127.0.0.1 9000"},
		{"fastcgi_pass localhost:9000", "tcp localhost 9000"},
		{"fastcgi_pass [::1]:9000", "tcp ::1 9000"},
		{"fastcgi_pass php", "upstream http:php"},
		{"fastcgi_pass PHP", "upstream http:php"},
		{"fastcgi_pass Mixed", "upstream http:MIXED"},
		// nginx folds ASCII letters only (ngx_strncasecmp): "host not
		// found in upstream "BÄCKEND"" with nginx 1.22.
		{"fastcgi_pass bäckend", "upstream http:bäckend"},
		{"fastcgi_pass BäCKEND", "upstream http:bäckend"},
		{"fastcgi_pass BÄCKEND", `invalid: no port in upstream "BÄCKEND"`},
		{"proxy_pass http://BÄCKEND", "tcp http:// BÄCKEND 80"},
		{"fastcgi_pass b\xc4ckend", `invalid: no port in upstream "b\xc4ckend"`},
		{"fastcgi_pass php:9000", `invalid: upstream "php" may not have port 9000`},
		{"fastcgi_pass nope", `invalid: no port in upstream "nope"`},
		{"fastcgi_pass 127.0.0.1", `invalid: no port in upstream "127.0.0.1"`},
		{"fastcgi_pass [::1]", `invalid: no port in upstream "[::1]"`},
		{"fastcgi_pass http://127.0.0.1:9000", `invalid: invalid host in upstream "http://127.0.0.1:9000"`},
		{"fastcgi_pass /run/php.sock", `invalid: invalid host in upstream "/run/php.sock"`},
		{"fastcgi_pass unix:", `invalid: no path in the unix domain socket in upstream "unix:"`},
		{"fastcgi_pass :9000", `invalid: no host in upstream ":9000"`},
		{"fastcgi_pass 1.2.3.4:0", `invalid: invalid port in upstream "1.2.3.4:0"`},
		{"fastcgi_pass 1.2.3.4:x", `invalid: invalid port in upstream "1.2.3.4:x"`},
		{"fastcgi_pass [::g]:9000", `invalid: invalid IPv6 address in upstream "[::g]:9000"`},
		{"fastcgi_pass stream_only", `invalid: no port in upstream "stream_only"`},
		{"fastcgi_pass $backend", "variable"},
		{"fastcgi_pass unix:$sock", "variable"},
		{"fastcgi_pass a b", `invalid: invalid number of arguments in "fastcgi_pass" directive`},
		{"proxy_pass backend", `invalid: invalid URL prefix`},
		{"proxy_pass http://php/", "upstream http:// http:php"},
		{"proxy_pass http://php:8080", `invalid: upstream "php" may not have port 8080`},
		{"proxy_pass http://example.com/x?y", "tcp http:// example.com 80"},
		{"proxy_pass https://example.com", "tcp https:// example.com 443"},
		{"proxy_pass HTTP://example.com:8080/", "tcp http:// example.com 8080"},
		{"proxy_pass http://[::1]:8080/a", "tcp http:// ::1 8080"},
		{"proxy_pass http://unix:/tmp/x.sock:/uri", "unix http:// /tmp/x.sock"},
		{"proxy_pass http://$host", "variable http://"},
		{"proxy_pass $scheme://up", "variable"},
		{"proxy_pass http://", `invalid: no host in upstream ""`},
		{"grpc_pass grpc://127.0.0.1:50051", "tcp grpc:// 127.0.0.1 50051"},
		{"grpc_pass grpcs://php", "upstream grpcs:// http:php"},
		{"grpc_pass 127.0.0.1:50051", "tcp grpc:// 127.0.0.1 50051"},
		{"grpc_pass 127.0.0.1", `invalid: no port in upstream "127.0.0.1"`},
		{"uwsgi_pass uwsgi://127.0.0.1", `invalid: no port in upstream "127.0.0.1"`},
		{"uwsgi_pass suwsgi://127.0.0.1:3031", "tcp suwsgi:// 127.0.0.1 3031"},
		{"uwsgi_pass 127.0.0.1:3031", "tcp 127.0.0.1 3031"},
		{"scgi_pass unix:/run/scgi.sock", "unix /run/scgi.sock"},
		{"scgi_pass localhost:4000/x", `invalid: invalid host in upstream "localhost:4000/x"`},
	}
	var conf strings.Builder
	conf.WriteString("http {\n upstream php { server 127.0.0.1:9000; }\n upstream MIXED { server 127.0.0.1:9001; }\n upstream bäckend { server 127.0.0.1:9002; }\n upstream b\xe4ckend { server 127.0.0.1:9003; }\n server {\n")
	for i, tc := range tests {
		fmt.Fprintf(&conf, "  location /%d { %s; }\n", i, tc.directive)
	}
	conf.WriteString(" }\n}\nstream {\n upstream stream_only { server 127.0.0.1:53; }\n}\n")
	n := loadString(t, conf.String())
	if len(n.Hops) != len(tests) {
		t.Fatalf("%d hops, want %d", len(n.Hops), len(tests))
	}
	for i, tc := range tests {
		h := n.Hops[i]
		if got := target(h.Target); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.directive, got, tc.want)
		}
		raw := strings.SplitN(tc.directive, " ", 2)[1]
		if h.Target.Raw != strings.Fields(raw)[0] {
			t.Errorf("%s: Raw = %q", tc.directive, h.Target.Raw)
		}
		if h.Context != "http" || h.Block.IsZero() || h.Block.Name() != "location" || h.Server.IsZero() || h.Server.Name() != "server" || h.Pos != h.Directive.Pos() {
			t.Errorf("%s: hop %+v", tc.directive, h)
		}
	}
}

func TestStreamHops(t *testing.T) {
	n := loadString(t, `
http {
    upstream web { server 127.0.0.1:8080; }
}
stream {
    upstream dns { server 127.0.0.1:53; server [::1]:53 backup; }
    server { listen 53 udp; proxy_pass DNS; }
    server { listen 54; proxy_pass 127.0.0.1:5353; }
    server { listen 55; proxy_pass unix:/run/x.sock; }
    server { listen 56; proxy_pass web; }
    server { listen 57; proxy_pass dns:53; }
    server { listen 58; proxy_pass $upstream; }
    server { listen 59; proxy_pass http://x; }
    server { listen 60; fastcgi_pass 127.0.0.1:9000; }
}
`)
	want := []string{
		"upstream stream:dns",
		"tcp 127.0.0.1 5353",
		"unix /run/x.sock",
		`invalid: no port in upstream "web"`,
		`invalid: upstream "dns" may not have port 53`,
		"variable",
		`invalid: invalid host in upstream "http://x"`,
		`invalid: unknown directive "fastcgi_pass" in the stream context`,
	}
	if len(n.Hops) != len(want) {
		t.Fatalf("%d hops, want %d", len(n.Hops), len(want))
	}
	for i, w := range want {
		h := n.Hops[i]
		if got := target(h.Target); got != w {
			t.Errorf("hop %d (%s): got %s, want %s", i, h.Directive, got, w)
		}
		if h.Context != "stream" || h.Block.IsZero() || h.Block.Name() != "server" || h.Server != h.Block {
			t.Errorf("hop %d: %+v", i, h)
		}
	}
}

func TestUpstreams(t *testing.T) {
	n := loadString(t, `
http {
    upstream php {
        server unix:/run/php/a.sock weight=2;
        server 127.0.0.1:9000 down;
        server backend.example backup max_fails=3;
        server [::1]:9000 down backup;
        server http://x;
        keepalive 8;
    }
    upstream empty { }
}
stream {
    upstream php {
        server 127.0.0.1:9000;
        server backend.example;
    }
}
`)
	var got []string
	for _, u := range n.Upstreams {
		got = append(got, u.Context+":"+u.Name+" @"+lc(u.Directive.Pos()))
		for _, s := range u.Servers {
			line := "  " + target(s.Target) + " @" + lc(s.Pos)
			if s.Down {
				line += " down"
			}
			if s.Backup {
				line += " backup"
			}
			got = append(got, line)
		}
	}
	want := `http:php @3:5
  unix /run/php/a.sock @4:9
  tcp 127.0.0.1 9000 @5:9 down
  tcp backend.example 80 @6:9 backup
  tcp ::1 9000 @7:9 down backup
  invalid: invalid host in upstream "http://x" @8:9
http:empty @11:5
stream:php @14:5
  tcp 127.0.0.1 9000 @15:9
  invalid: no port in upstream "backend.example" @16:9`
	if strings.Join(got, "\n") != want {
		t.Errorf("upstreams:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestHopBlocks(t *testing.T) {
	n := loadString(t, `
http {
    server {
        fastcgi_pass 127.0.0.1:9000;
        location / {
            if ($x) { proxy_pass http://a; }
            limit_except GET { grpc_pass b:1; }
            location /in { uwsgi_pass c:2; }
        }
    }
    map $a $b { proxy_pass x; }
}
`)
	want := []string{"server", "if", "limit_except", "location"}
	if len(n.Hops) != len(want) {
		t.Fatalf("hops = %v (map entries are not directives)", n.Hops)
	}
	for i, w := range want {
		if n.Hops[i].Block.Name() != w || n.Hops[i].Server.IsZero() {
			t.Errorf("hop %d in %s, want %s", i, n.Hops[i].Block.Name(), w)
		}
	}
}

func TestFactsEmpty(t *testing.T) {
	n := loadString(t, "")
	if n.Upstreams == nil || n.Hops == nil || n.User.Name != lint.NginxDefaultUser {
		t.Errorf("facts of an empty file: %+v", n)
	}
}

// TestHopsOfSharedSnippet checks that a *_pass in a file included at
// several places is a hop per place, each in its own location, as are the
// snippet's other directives, one statement of the file each.
func TestHopsOfSharedSnippet(t *testing.T) {
	dir := linttest.WriteTree(t, map[string]string{
		"nginx.conf": "events {}\nhttp {\n server {\n  location /a { include php.conf; }\n  location /b { include php.conf; }\n }\n}\n",
		"php.conf":   "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\nfastcgi_pass unix:/run/php/php8.2-fpm.sock;\n",
	})
	n, _, err := Load(&source.FS{}, filepath.Join(dir, "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	locs := n.Root.Child("http").Child("server").Children("location")
	if len(n.Hops) != 2 {
		t.Fatalf("%d hops, want 2", len(n.Hops))
	}
	for i, h := range n.Hops {
		if h.Block != locs[i] || h.Directive.Parent() != locs[i] || h.Directive != locs[i].Child("fastcgi_pass") ||
			h.Directive.Include() != locs[i].Child("include") {
			t.Errorf("hop %d is not in location %s", i, locs[i].Arg(0))
		}
	}
	if n.Hops[0].Directive == n.Hops[1].Directive {
		t.Errorf("one fastcgi_pass directive for two places")
	}
	a, b := locs[0].Child("fastcgi_param"), locs[1].Child("fastcgi_param")
	if a == b || a.Statement() != b.Statement() || a.Parent() != locs[0] || b.Parent() != locs[1] {
		t.Errorf("the snippet's fastcgi_param is not one statement at two places")
	}
}
