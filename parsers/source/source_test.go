package source

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

// tree writes files under a new directory; a value starting with "->" makes
// a symlink to the rest.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	contents := make(map[string]any, len(files))
	for name, content := range files {
		if target, ok := strings.CutPrefix(content, "->"); ok {
			contents[name] = linttest.Link(target)
		} else {
			contents[name] = content
		}
	}
	return linttest.WriteTree(t, contents)
}

func TestResolveUnderRoot(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/nginx/sites-available/shop.conf": "server {}\n",
		"etc/nginx/sites-enabled/abs":         "->/etc/nginx/sites-available/shop.conf",
		"etc/nginx/sites-enabled/rel":         "->../sites-available/shop.conf",
		"etc/nginx/sites-enabled/climb":       "->../../../../../../etc/nginx/sites-available/shop.conf",
		"etc/nginx/sites-enabled/chain":       "->abs",
		"etc/nginx/sites-enabled/via-dir":     "->/etc/nginx/conf/shop.conf",
		"etc/nginx/sites-enabled/dangling":    "->/etc/nginx/sites-available/gone.conf",
		"etc/nginx/conf":                      "->/etc/nginx/sites-available",
		"etc/nginx/loop1":                     "->/etc/nginx/loop2",
		"etc/nginx/loop2":                     "->/etc/nginx/loop1",
	})
	fsys := &FS{Root: root}
	want := filepath.Join(root, "etc/nginx/sites-available/shop.conf")
	for _, name := range []string{"abs", "rel", "climb", "chain", "via-dir"} {
		got, err := fsys.Resolve(fsys.Path("/etc/nginx/sites-enabled/" + name))
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
	if got, err := fsys.Resolve(fsys.Path("/etc/nginx/conf/shop.conf")); err != nil || got != want {
		t.Errorf("link in a directory: got %q, %v", got, err)
	}
	if _, err := fsys.Resolve(fsys.Path("/etc/nginx/sites-enabled/dangling")); err == nil || !os.IsNotExist(err) {
		t.Errorf("dangling link: got %v", err)
	}
	if _, err := fsys.Resolve(fsys.Path("/etc/nginx/loop1")); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("symlink loop: got %v", err)
	}
}

func TestReadFile(t *testing.T) {
	root := tree(t, map[string]string{
		"ok.conf":                              "user www-data;\n",
		"nul.conf":                             "user\x00;\n",
		"latin1.conf":                          "# caf\xe9\nuser x;\n",
		"dir/x":                                "",
		"etc/nginx/sites-available/default":    "server {}\n",
		"etc/nginx/sites-enabled/default":      "/etc/nginx/sites-available/default",
		"etc/nginx/sites-enabled/not-a-link":   "/etc/nginx/missing",
		"etc/nginx/sites-enabled/placeholder2": "../sites-available/default",
	})
	cases := []struct {
		name, path, wantErr, wantReal string
		wantNotUTF8                   string // where the first byte that is not UTF-8 is
		root                          bool
		maxSize                       int64
	}{
		{name: "plain", path: "ok.conf"},
		{name: "nul", path: "nul.conf", wantErr: "nul.conf:1:5: NUL byte"},
		{name: "latin-1 is read", path: "latin1.conf", wantNotUTF8: "latin1.conf:1:6"},
		{name: "directory", path: "dir", wantErr: "is a directory"},
		{name: "missing", path: "nope.conf", wantErr: "nope.conf: no such file"},
		{name: "too large", path: "ok.conf", maxSize: 4, wantErr: "over the 4-byte limit"},
		{name: "placeholder under root", path: "/etc/nginx/sites-enabled/default", root: true, wantReal: "etc/nginx/sites-available/default"},
		{name: "relative placeholder", path: "/etc/nginx/sites-enabled/placeholder2", root: true, wantReal: "etc/nginx/sites-available/default"},
		{name: "placeholder to nothing stays a file", path: "/etc/nginx/sites-enabled/not-a-link", root: true, wantReal: "etc/nginx/sites-enabled/not-a-link"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := &FS{MaxSize: c.maxSize}
			path := filepath.Join(root, c.path)
			if c.root {
				fsys.Root = root
				path = fsys.Path(c.path)
			}
			f, err := fsys.ReadFile(path)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.wantReal != "" && f.RealPath != filepath.Join(root, c.wantReal) {
				t.Errorf("RealPath %q, want %q", f.RealPath, filepath.Join(root, c.wantReal))
			}
			if f.Path != path {
				t.Errorf("Path %q, want %q", f.Path, path)
			}
			if got := f.NotUTF8(); c.wantNotUTF8 == "" && got.IsValid() || c.wantNotUTF8 != "" && !strings.HasSuffix(got.String(), c.wantNotUTF8) {
				t.Errorf("NotUTF8 %v, want %q", got, c.wantNotUTF8)
			}
		})
	}
}

func TestPlaceholderOnlyUnderRoot(t *testing.T) {
	root := tree(t, map[string]string{
		"a.conf": "server {}\n",
		"b.conf": "./a.conf",
	})
	f, err := (&FS{}).ReadFile(filepath.Join(root, "b.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Data) != "./a.conf" {
		t.Errorf("without --root a file is read as it is, got %q", f.Data)
	}
}

func TestGlob(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/nginx/conf.d/b.conf":          "",
		"etc/nginx/conf.d/a.conf":          "",
		"etc/nginx/conf.d/.hidden.conf":    "",
		"etc/nginx/conf.d/c.conf.disabled": "",
		"etc/nginx/linked":                 "->/etc/nginx/conf.d",
	})
	fsys := &FS{Root: root}
	got, err := fsys.Glob(fsys.Path("/etc/nginx/conf.d/*.conf"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fsys.Path("/etc/nginx/conf.d/a.conf"), fsys.Path("/etc/nginx/conf.d/b.conf")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v (sorted, hidden files skipped)", got, want)
	}
	got, err = fsys.Glob(fsys.Path("/etc/nginx/linked/*.conf"))
	if err != nil || len(got) != 2 || got[0] != fsys.Path("/etc/nginx/linked/a.conf") {
		t.Errorf("through a directory link under the root: got %v, %v", got, err)
	}
	if _, err := fsys.Glob(fsys.Path("/etc/nginx/[")); err == nil {
		t.Error("a malformed pattern must be an error")
	}
}

func TestPathUnroot(t *testing.T) {
	fsys := &FS{Root: "deploy"}
	if got := fsys.Path("/etc/nginx/nginx.conf"); got != "deploy/etc/nginx/nginx.conf" {
		t.Errorf("Path: %q", got)
	}
	if got := fsys.Path("relative/x"); got != "relative/x" {
		t.Errorf("Path keeps relative paths: %q", got)
	}
	if got := fsys.Unroot("deploy/etc/php/8.2"); got != "/etc/php/8.2" {
		t.Errorf("Unroot: %q", got)
	}
}

func TestOverlayThroughLink(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/nginx/sites-available/shop.conf": "saved;\n",
		"etc/nginx/sites-enabled/shop.conf":   "->/etc/nginx/sites-available/shop.conf",
	})
	fsys := &FS{Root: root}
	fsys.Overlay = map[string][]byte{fsys.Path("/etc/nginx/sites-available/shop.conf"): []byte("unsaved;\n")}
	f, err := fsys.ReadFile(fsys.Path("/etc/nginx/sites-enabled/shop.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Data) != "unsaved;\n" {
		t.Errorf("the editor's buffer must be read through the link, got %q", f.Data)
	}
}

func TestPathStaysInsideRoot(t *testing.T) {
	fsys := &FS{Root: "deploy"}
	for _, p := range []string{"/../../../etc/passwd", "/etc/../../etc/passwd", "/../etc/passwd"} {
		if got := fsys.Path(p); got != "deploy/etc/passwd" {
			t.Errorf("Path(%q) = %q, want deploy/etc/passwd", p, got)
		}
	}
}

func TestRelativeClimbStaysInsideRoot(t *testing.T) {
	root := tree(t, map[string]string{"etc/x.conf": "inside;\n"})
	outside := filepath.Join(filepath.Dir(root), "x.conf")
	fsys := &FS{Root: root}
	// deploy/etc/nginx/../../../../x.conf must not read the host's file next to the root
	got, err := fsys.Resolve(filepath.Join(root, "etc", "..", "..", "..", "etc", "x.conf"))
	if err != nil || got != filepath.Join(root, "etc", "x.conf") {
		t.Errorf("got %q, %v; want the root's etc/x.conf (not %s)", got, err, outside)
	}
}

// TestGlobKnowsLinks checks the links a glob's directory read records: they
// resolve as links, regular files as files, and a link removed after the
// glob is an error, not a file.
func TestGlobKnowsLinks(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/nginx/sites-available/a.conf":  "server {}\n",
		"etc/nginx/sites-enabled/a.conf":    "->../sites-available/a.conf",
		"etc/nginx/sites-enabled/b.conf":    "server {}\n",
		"etc/nginx/sites-enabled/gone.conf": "->/etc/nginx/sites-available/a.conf",
	})
	fsys := &FS{Root: root}
	got, err := fsys.Glob(fsys.Path("/etc/nginx/sites-enabled/*.conf"))
	if err != nil || len(got) != 3 {
		t.Fatalf("glob: %v, %v", got, err)
	}
	if err := os.Remove(filepath.Join(root, "etc/nginx/sites-enabled/gone.conf")); err != nil {
		t.Fatal(err)
	}
	want := []string{"etc/nginx/sites-available/a.conf", "etc/nginx/sites-enabled/b.conf"}
	for i, p := range got[:2] {
		if real, err := fsys.Resolve(p); err != nil || real != filepath.Join(root, want[i]) {
			t.Errorf("%s: %q, %v; want %s", p, real, err, want[i])
		}
	}
	if real, err := fsys.Resolve(got[2]); err == nil {
		t.Errorf("removed link resolved to %q", real)
	}
}

// TestConcurrentFirstUse reads a tree from several goroutines at once with
// a new FS, whose caches are made by whichever goroutine comes first (run
// with -race, as CI does).
func TestConcurrentFirstUse(t *testing.T) {
	files := map[string]string{}
	for i := range 16 {
		name := fmt.Sprintf("site%02d.conf", i)
		files["etc/nginx/sites-available/"+name] = "server {}\n"
		files["etc/nginx/sites-enabled/"+name] = "->../sites-available/" + name
	}
	dir := tree(t, files)
	for range 20 {
		fsys := &FS{Root: dir}
		var wg sync.WaitGroup
		for i := range 16 {
			wg.Go(func() {
				name := fmt.Sprintf("/etc/nginx/sites-enabled/site%02d.conf", i)
				f, err := fsys.ReadFile(fsys.Path(name))
				if err != nil || string(f.Data) != "server {}\n" || !strings.HasSuffix(f.RealPath, "sites-available/"+filepath.Base(name)) {
					t.Errorf("%s: %v, %+v", name, err, f)
				}
			})
		}
		wg.Go(func() { fsys.Glob(fsys.Path("/etc/nginx/sites-enabled/*.conf")) })
		wg.Wait()
	}
}
