package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
)

// A site file given alone has no events block either: it is a fragment,
// not judged (the trees of testdata/rules/events-missing cover the rest).
func TestEventsMissingFragment(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "shop.conf")
	if err := os.WriteFile(site, []byte("server {\n    listen 80;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := parsers.Load(parsers.Options{Paths: []string{site}, Force: lint.KindNginx})
	if err != nil {
		t.Fatal(err)
	}
	if fs := lint.Run(m, []*lint.Rule{EventsMissing}); len(fs) != 0 {
		t.Errorf("a site file alone must not be judged: %v", fs)
	}
}
