package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
)

// TestFPMPoolFileAlone: a pool file checked without its php-fpm.conf is not
// judged for what another file may set (listen, user, pm) nor for the lines
// before its first [name], whose section depends on the file that includes
// it; its own values still are.
func TestFPMPoolFileAlone(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"zz-docker.conf": "[www]\nlisten = 9000\n",
		"tuning.conf":    "pm.max_requests = 500\nerror_log = /var/log/$pool.log\n[shop]\npm.max_children = 0\npm.max_childs = 5\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	startup := []*lint.Rule{FPMPoolIncomplete, FPMUnknownKey, FPMPoolVariableInGlobal, FPMInvalidValue}
	for name, want := range map[string][]string{
		"zz-docker.conf": nil,
		"tuning.conf":    {"fpm-pool-incomplete 4", "fpm-unknown-key 5"},
	} {
		m, err := parsers.Load(parsers.Options{Paths: []string{filepath.Join(dir, name)}, Force: lint.KindFPM})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(m.FPMs) != 1 || !m.FPMs[0].Standalone {
			t.Fatalf("%s: want one standalone pool file, got %+v", name, m.FPMs)
		}
		var got []string
		for _, f := range lint.Run(m, startup) {
			got = append(got, fmt.Sprintf("%s %d", f.Rule, f.Pos().Line))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: findings %v, want %v", name, got, want)
		}
	}
}
