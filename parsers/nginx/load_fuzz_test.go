package nginx_test

import (
	"bytes"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers/nginx"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// The fuzz targets of the nginx loader. Each builds an in-memory tree in
// source.FS's Overlay under an empty --root (so that no fuzzed path reaches
// the host's files), loads it the way the CLI does, runs every rule on the
// model, and checks more than "no panic": every error is a lint.LoadError
// with a file, and every position (errors, directives, arguments, findings)
// names a file of the tree and a line and column inside it.
//
//	go test ./parsers/nginx -run '^$' -fuzz '^FuzzLoad$' -fuzztime 5m
//	go test ./parsers/nginx -run '^$' -fuzz '^FuzzLoadDump$' -fuzztime 5m
//
// Seeds come from testdata and, when present, ../shared/corpus/nginx.

const (
	fuzzMain = "/etc/nginx/nginx.conf"
	fuzzA    = "/etc/nginx/a.conf"
	// fuzzSplit cuts the third input into the files conf.d/0.conf, 1.conf…:
	// four or more make the loader read them in parallel.
	fuzzSplit = "\n#---\n"
)

// seedMax leaves large files out of the seeds: mutating them is slow.
const seedMax = 64 << 10

// corpusDir is ../shared/corpus from this package's directory.
const corpusDir = "../../../shared/corpus"

// fuzzTree maps the fuzzed inputs to files under root.
func fuzzTree(root string, main, a, confd []byte) map[string][]byte {
	files := map[string][]byte{
		root + fuzzMain: main,
		root + fuzzA:    a,
	}
	for i, part := range bytes.SplitN(confd, []byte(fuzzSplit), 6) {
		files[root+"/etc/nginx/conf.d/"+string(rune('0'+i))+".conf"] = part
	}
	return files
}

func FuzzLoad(f *testing.F) {
	for _, s := range [][3]string{
		{"events {}\nhttp {\n\tinclude a.conf;\n\tinclude conf.d/*.conf;\n}\n", "upstream php { server unix:/run/php.sock; }\n", "server { listen 80; location ~ \\.php$ { fastcgi_pass php; } }\n"},
		{"include a.conf;\n", "include nginx.conf;\n", ""},
		{"http { include /etc/nginx/conf.d/*.conf; }", "", "server {\n" + fuzzSplit + "}\n" + fuzzSplit + "server { listen 1; }" + fuzzSplit + "include /etc/nginx/a.conf;"},
		{"http { include conf.d/[; include a.conf { } include; include a b; }", "server { listen 80 }", "x"},
		{"user www-data;\nhttp { server { location / { proxy_pass http://u; } } upstream u { server 127.0.0.1:1 down; } }", "", ""},
		{"http { include conf.d/*; }", "", "a;" + fuzzSplit + "b;" + fuzzSplit + "c;" + fuzzSplit + "d;" + fuzzSplit + "include /etc/nginx/a.conf;"},
	} {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	linttest.SeedFiles(f, seedMax, func(_ string, data []byte) {
		f.Add(data, []byte(nil), []byte(nil))
	}, "../../testdata/nginx", "../../testdata/badinput", "../../testdata/example/etc/nginx", corpusDir+"/nginx")
	root := f.TempDir() // empty: only the overlay exists under it
	f.Fuzz(func(t *testing.T, main, a, confd []byte) {
		if bytes.Contains(main, []byte("..")) || bytes.Contains(a, []byte("..")) || bytes.Contains(confd, []byte("..")) {
			// "../../.." climbs out of --root (FS.Path joins and cleans):
			// the host's files are no input of this target.
			t.Skip()
		}
		files := fuzzTree(root, main, a, confd)
		fsys := &source.FS{Root: root, Overlay: files}
		n, sources, err := nginx.Load(fsys, root+fuzzMain)
		checkNginx(t, files, n, sources, err)
	})
}

func FuzzLoadDump(f *testing.F) {
	for _, s := range []string{
		"# configuration file /etc/nginx/nginx.conf:\nhttp { include conf.d/*.conf; }\n\n# configuration file /etc/nginx/conf.d/a.conf:\nserver { listen 80; }\n",
		"nginx: [emerg] unknown directive \"x\"\nnginx: configuration file /etc/nginx/nginx.conf test failed\n",
		"# configuration file /etc/nginx/nginx.conf\nx;\n",
		"# configuration file nginx.conf:\ninclude a.conf;\n# configuration file a.conf:\ninclude nginx.conf;\n",
		"# configuration file /a:\n# configuration file /a:\n",
		"# configuration file /a:\n# configuration file b:\nx",
		"",
	} {
		f.Add([]byte(s))
	}
	linttest.SeedFiles(f, seedMax, func(_ string, data []byte) { f.Add(data) }, "../../testdata/nginx/dump", "../../testdata/badinput/dump-bad-marker")
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("..")) {
			t.Skip() // see FuzzLoad
		}
		const name = "nginx-T.txt"
		fsys := &source.FS{Root: root}
		n, sources, err := nginx.LoadDump(fsys, name, data)
		files := map[string][]byte{name: data}
		for p, d := range fsys.Overlay {
			files[p] = d
		}
		checkNginx(t, files, n, sources, err)
	})
}

// checkNginx checks what a load returned against the files it was given.
func checkNginx(t *testing.T, files map[string][]byte, n *lint.Nginx, sources []*lint.Source, err error) {
	t.Helper()
	pc := linttest.NewPositions(t, files)
	pc.LoadErrors(err)
	if n == nil || n.Root.IsZero() {
		t.Fatal("no model")
	}
	pc.Sources(sources)
	n.Root.Walk(func(d lint.Directive) bool {
		name, start := d.Name(), d.Pos()
		pc.Check("directive "+name, start)
		pc.Check("end of "+name, d.Span().End)
		if d.Span().End.File == start.File && d.Span().End.Before(start) {
			t.Fatalf("directive %q ends (%v) before it starts (%v)", name, d.Span().End, start)
		}
		if d.BlockEnd() != (lint.Pos{}) {
			pc.Check("} of "+name, d.BlockEnd())
		}
		for i := range d.NArgs() {
			pc.Check("argument of "+name, d.ArgPos(i))
		}
		return true
	})
	for _, h := range n.Hops {
		pc.Check("hop", h.Pos)
	}
	for _, u := range n.Upstreams {
		for _, s := range u.Servers {
			pc.Check("upstream server", s.Pos)
		}
	}
	pc.Findings(lint.Run(&lint.Model{Nginx: n, Sources: sources}, rules.All()))
}
