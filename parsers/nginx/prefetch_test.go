package nginx

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

// TestPrefetchKeepsOrder loads a glob of files read in parallel and checks
// that the tree, the sources and the errors are those of reading them one
// after the other: a syntax error, a link to a file already included, a file
// a sibling includes before the glob reaches it, a directory.
func TestPrefetchKeepsOrder(t *testing.T) {
	files := map[string]string{
		"nginx.conf":      "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
		"snippets/s.conf": "add_header X-S 1;\n",
	}
	for i := range 12 {
		if i == 9 {
			continue
		}
		files[fmt.Sprintf("conf.d/%02d.conf", i)] = fmt.Sprintf("server {\n    listen %d;\n    include snippets/s.conf;\n}\n", 8000+i)
	}
	files["conf.d/03.conf"] = "server {\n    listen 80\n}\n"                       // syntax error
	files["conf.d/07.conf"] = "include conf.d/08.conf;\nserver { listen 8007; }\n" // reads 08 first
	files["conf.d/09.conf/x"] = "not read: conf.d/09.conf is a directory\n"        // a directory
	dir := linttest.WriteTree(t, files)
	if err := os.Remove(filepath.Join(dir, "conf.d/05.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("02.conf", filepath.Join(dir, "conf.d/05.conf")); err != nil {
		t.Fatal(err)
	}

	load := func(minPrefetch int) string {
		fsys := &source.FS{}
		l := newLoader(fsys, filepath.Join(dir, "nginx.conf"))
		l.minPrefetch = minPrefetch
		n, sources, err := l.run()
		var b strings.Builder
		b.WriteString(flat(n.Root, dir+"/"))
		for _, s := range sources {
			fmt.Fprintf(&b, "source %s %s\n", strings.TrimPrefix(s.Path, dir), strings.TrimPrefix(s.RealPath, dir))
		}
		var les lint.LoadErrors
		if errors.As(err, &les) {
			for _, e := range les {
				fmt.Fprintf(&b, "error %s\n", strings.ReplaceAll(e.Error(), dir+"/", ""))
			}
		}
		return b.String()
	}
	inOrder, parallel := load(math.MaxInt), load(1)
	if parallel != inOrder {
		t.Errorf("read in parallel:\n%s\nread in order:\n%s", parallel, inOrder)
	}
	for _, want := range []string{"error conf.d/03.conf:3:1: unexpected \"}\"", "is a directory"} {
		if !strings.Contains(inOrder, want) {
			t.Errorf("missing %q in:\n%s", want, inOrder)
		}
	}
	// 05.conf links to 02.conf: read once, in the tree twice.
	if n := strings.Count(inOrder, "listen 8002 @conf.d/02.conf"); n != 2 {
		t.Errorf("02.conf's server is in the tree %d times, want 2 (itself and through 05.conf)", n)
	}
}
