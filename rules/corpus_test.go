package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
)

// sharedCorpus returns ../shared/corpus, or skips the test where it is absent.
func sharedCorpus(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("real-world corpus not available (%s): skipping", dir)
	}
	return dir
}

// TestDebianSysrootClean: Debian 12's nginx and php8.2-fpm as apt leaves
// them produce no finding above note level.
func TestDebianSysrootClean(t *testing.T) {
	root := filepath.Join(sharedCorpus(t), "debian-bookworm-sysroot")
	m, err := parsers.Load(parsers.Options{Root: root, Paths: []string{"/etc/nginx", "/etc/php"}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Nginx == nil || len(m.Pools()) != 1 {
		t.Fatalf("want nginx and one pool, got nginx=%v pools=%d", m.Nginx != nil, len(m.Pools()))
	}
	for _, f := range lint.Run(m, All()) {
		if f.Severity > lint.Note {
			t.Errorf("%s: %s: %s [%s]", f.Pos(), f.Severity, f.Message, f.Rule)
		}
	}
}

// TestCorpusCounts runs every rule over every nginx.conf and php-fpm.conf of
// the real-world corpus and compares the number of findings per rule and
// severity with testdata/rules/corpus-counts.txt, where each error-level
// finding is explained. A change in the counts is a change in behaviour on
// real configurations: review it, then run with -update.
func TestCorpusCounts(t *testing.T) {
	corpus := sharedCorpus(t)
	counts := map[string]int{}
	var errorsSeen []string
	loaded, failed := 0, 0
	err := filepath.WalkDir(corpus, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (d.Name() != "nginx.conf" && d.Name() != "php-fpm.conf") {
			return nil
		}
		// Every file is read under a root, so that absolute includes resolve
		// inside the corpus and never on this host: a tree laid out as
		// /etc/... under its own root, any other under its directory.
		opts := parsers.Options{Root: filepath.Dir(path), Paths: []string{"/" + d.Name()}}
		if i := strings.Index(path, "/etc/"); i >= 0 {
			opts = parsers.Options{Root: path[:i], Paths: []string{path[i:]}}
		}
		m, loadErr := parsers.Load(opts)
		if loadErr != nil {
			failed++   // a fragment or a fixture that needs files the corpus lacks
			return nil //nolint:nilerr // counted, not fatal
		}
		loaded++
		for _, f := range lint.Run(m, All()) {
			counts[f.Rule+" "+f.Severity.String()]++
			if f.Severity == lint.Error {
				p := f.Pos()
				p.File, _ = filepath.Rel(corpus, p.File)
				errorsSeen = append(errorsSeen, fmt.Sprintf("%s: %s [%s]", p, f.Message, f.Rule))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := lint.SortedKeys(counts)
	var b strings.Builder
	fmt.Fprintf(&b, "# findings per rule and severity on ../shared/corpus (%d configurations loaded, %d not loadable alone)\n", loaded, failed)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %d\n", k, counts[k])
	}
	sort.Strings(errorsSeen)
	b.WriteString("# error-level findings:\n")
	for _, e := range errorsSeen {
		b.WriteString("#   " + e + "\n")
	}
	got := b.String()
	file := filepath.Join("..", "testdata", "rules", "corpus-counts.txt")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./rules -run TestCorpusCounts -update, then review it)", err)
	}
	if string(want) != got {
		t.Errorf("findings on the corpus changed: review, then go test ./rules -run TestCorpusCounts -update\n--- want\n%s--- got\n%s", want, got)
	}
}
