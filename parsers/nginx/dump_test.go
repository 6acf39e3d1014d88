package nginx

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// testdata/nginx/dump/nginx-T.txt is what Debian's nginx 1.22.1 printed
// for dump/tree (see testdata/nginx/README.md): nginx's stderr lines first,
// snippets/php.conf once though a.conf includes it twice, b.conf without a
// final newline, and an empty file.
const (
	dumpCapture = "../../testdata/nginx/dump/nginx-T.txt"
	dumpTree    = "../../testdata/nginx/dump/tree"
	dumpDir     = "/tmp/nginx502-dump"
)

func TestLoadDump(t *testing.T) {
	data := mustRead(t, dumpCapture)
	fsys := &source.FS{}
	n, sources, err := LoadDump(fsys, "nginx-T.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	// Each file's text is exactly the file nginx read: same lines, same bytes.
	for path, text := range fsys.Overlay {
		want := mustRead(t, filepath.Join(dumpTree, strings.TrimPrefix(path, dumpDir)))
		if !bytes.Equal(text, want) {
			t.Errorf("%s: dump text differs from the file:\n%q\nwant\n%q", path, text, want)
		}
	}
	if len(fsys.Overlay) != 6 {
		t.Errorf("%d files in the overlay, want 6", len(fsys.Overlay))
	}

	// The tree and positions are those of loading the files themselves.
	want, wantSources, err := Load(&source.FS{}, filepath.Join(dumpTree, "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := flat(n.Root, dumpDir+"/"), flat(want.Root, dumpTree+"/"); got != want {
		t.Errorf("dump tree:\n%s\nfile tree:\n%s", got, want)
	}
	if n.File != dumpDir+"/nginx.conf" {
		t.Errorf("File = %s", n.File)
	}
	if len(sources) != len(wantSources) {
		t.Fatalf("%d sources, want %d", len(sources), len(wantSources))
	}
	for i, s := range sources {
		w := wantSources[i]
		if strings.TrimPrefix(s.Path, dumpDir) != strings.TrimPrefix(w.Path, dumpTree) || s.Size != w.Size || len(s.Comments) != len(w.Comments) {
			t.Errorf("source %d = %+v, want %+v", i, s, w)
		}
	}
	if len(n.Hops) != 2 || n.Hops[0].Target.Kind != lint.TargetUpstream || n.Hops[1].Target.Kind != lint.TargetTCP {
		t.Errorf("hops = %v", n.Hops)
	}
}

func TestLoadDumpRoot(t *testing.T) {
	fsys := &source.FS{Root: "deploy"}
	n, _, err := LoadDump(fsys, "dump.txt", []byte("# configuration file /etc/nginx/nginx.conf:\nhttp {\n  include /etc/nginx/x.conf;\n}\n\n# configuration file /etc/nginx/x.conf:\ngzip on;\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Root.Child("http").Child("gzip").Pos().String(); got != "deploy/etc/nginx/x.conf:1:1" {
		t.Errorf("gzip at %s", got)
	}
}

func TestLoadDumpErrors(t *testing.T) {
	tests := []struct{ name, dump, want string }{
		{"empty", "", `d.txt:1:1: no "# configuration file PATH:" line: is this the output of nginx -T?`},
		{"only nginx lines", "nginx: [emerg] unknown directive \"x\" in /etc/nginx/nginx.conf:3\nnginx: configuration file /etc/nginx/nginx.conf test failed\n",
			`d.txt:2:1: no configuration in this nginx -T output; nginx said "nginx: [emerg] unknown directive \"x\" in /etc/nginx/nginx.conf:3": fix that first`},
		{"not a dump", "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nhttp {\n", `d.txt:2:1: expected a "# configuration file PATH:" line, not "http {": is this the output of nginx -T?`},
		{"malformed marker", "# configuration file /etc/nginx/nginx.conf\nhttp {}\n", `d.txt:1:1: malformed nginx -T marker "# configuration file /etc/nginx/nginx.conf": expected "# configuration file PATH:"`},
		{"file twice", "# configuration file /a.conf:\nx;\n\n# configuration file /a.conf:\ny;\n", `d.txt:4:1: "/a.conf" appears twice in the dump (first at line 1): nginx -T prints each file once; is this two dumps in one?`},
		{"include not in the dump", "# configuration file /etc/nginx/nginx.conf:\ninclude /etc/nginx/x.conf;\n\n",
			`/etc/nginx/nginx.conf:1:1: include "/etc/nginx/x.conf": /etc/nginx/x.conf: not in the nginx -T dump`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := LoadDump(&source.FS{}, "d.txt", []byte(tc.dump))
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if les := (lint.LoadErrors)(nil); !errors.As(err, &les) {
				t.Errorf("error is %T", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestLoadDumpIgnoresDisk checks that a dump's glob includes match only the
// dumped files, never files on this machine.
func TestLoadDumpIgnoresDisk(t *testing.T) {
	dir := linttest.WriteTree(t, map[string]string{"conf.d/disk.conf": "x;\n"})
	dump := "# configuration file " + dir + "/nginx.conf:\ninclude conf.d/*.conf;\n\n# configuration file " + dir + "/conf.d/dumped.conf:\ny;\n"
	n, sources, err := LoadDump(&source.FS{}, "d.txt", []byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 2 || !n.Root.Child("x").IsZero() || n.Root.Child("y").IsZero() {
		t.Errorf("sources = %v", sources)
	}
	if _, err := os.Stat(filepath.Join(dir, "conf.d/dumped.conf")); err == nil {
		t.Error("the dump was written to disk")
	}
}
