// Package bench measures nginx502-lint on generated trees of 100, 1,000 and
// 10,000 sites (with a tenth as many PHP-FPM pools): each stage on its own
// (nginx, PHP-FPM, the whole model, the rules) and the whole process.
//
//	go test ./bench -run '^$' -bench . -benchmem
//	go test ./bench -run '^$' -bench 'Load/sites=10000' -cpuprofile cpu.out
//
// The trees are generated once per size, on first use, and shared by every
// benchmark of the run.
package bench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/bench/fixture"
	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/parsers/fpm"
	"github.com/nginx502-lint/nginx502-lint/parsers/nginx"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// sizes are the numbers of sites benchmarked; each tree has sites/10 pools.
var sizes = []int{100, 1000, 10000}

// workDir holds the trees and the binary; TestMain removes it.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nginx502-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tree is a generated configuration.
type tree struct {
	root  string // the directory that stands for /
	stats fixture.Stats
}

var (
	treesMu sync.Mutex
	trees   = map[int]*tree{}
)

// treeFor returns the tree of n sites, generating it on first use.
func treeFor(b *testing.B, n int) *tree {
	b.Helper()
	treesMu.Lock()
	defer treesMu.Unlock()
	if t, ok := trees[n]; ok {
		return t
	}
	root := filepath.Join(workDir, fmt.Sprintf("sites-%d", n))
	st, err := fixture.Generate(root, fixture.Config{Sites: n, Pools: max(1, n/10), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	t := &tree{root: root, stats: st}
	trees[n] = t
	return t
}

// loop runs body as the benchmark's loop and reports, next to the wall
// time, the CPU time per iteration (cpu-ms/op, all threads and child
// processes): on a busy machine it moves less than the wall time.
func loop(b *testing.B, body func()) {
	start, n := cpuTime(), 0
	for b.Loop() {
		body()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e6, "cpu-ms/op")
}

// eachSize runs fn as a sub-benchmark per tree size.
func eachSize(b *testing.B, fn func(b *testing.B, t *tree)) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("sites=%d", n), func(b *testing.B) {
			t := treeFor(b, n)
			b.ReportAllocs()
			fn(b, t)
		})
	}
}

func BenchmarkLoadNginx(b *testing.B) {
	eachSize(b, func(b *testing.B, t *tree) {
		fsys := &source.FS{Root: t.root}
		main := fsys.Path("/etc/nginx/nginx.conf")
		loop(b, func() {
			if _, _, err := nginx.Load(fsys, main); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkLoadFPM(b *testing.B) {
	noEnv := func(string) (string, bool) { return "", false }
	eachSize(b, func(b *testing.B, t *tree) {
		fsys := &source.FS{Root: t.root}
		loop(b, func() {
			for _, v := range fixture.PHPVersions {
				conf := fsys.Path("/etc/php/" + v + "/fpm/php-fpm.conf")
				if _, _, err := fpm.Load(fsys, conf, fpm.Options{Prefix: "/usr", Env: noEnv}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// load builds the whole model as the CLI does.
func load(b *testing.B, t *tree) *lint.Model {
	m, err := parsers.Load(parsers.Options{Paths: []string{"/etc/nginx", "/etc/php"}, Root: t.root})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkLoad(b *testing.B) {
	eachSize(b, func(b *testing.B, t *tree) {
		b.SetBytes(t.stats.Bytes)
		loop(b, func() { load(b, t) })
	})
}

func BenchmarkRules(b *testing.B) {
	eachSize(b, func(b *testing.B, t *tree) {
		m := load(b, t)
		all := rules.All()
		var n int
		loop(b, func() { n = len(lint.Run(m, all)) })
		if n == 0 {
			b.Fatal("no findings: the tree's broken sites should make rules fire")
		}
	})
}

// BenchmarkCLI runs the whole process on the tree, output discarded.
func BenchmarkCLI(b *testing.B) {
	bin := binary(b)
	eachSize(b, func(b *testing.B, t *tree) {
		b.SetBytes(t.stats.Bytes)
		loop(b, func() { runCLI(b, bin, 1, "--root", t.root, "/etc/nginx", "/etc/php") })
	})
}

// BenchmarkCLIEditor runs the whole process on one file of the example tree,
// as an editor does on save.
func BenchmarkCLIEditor(b *testing.B) {
	bin := binary(b)
	root, err := filepath.Abs("../testdata/example")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	loop(b, func() { runCLI(b, bin, -1, "--root", root, "/etc/nginx/sites-available/shop.conf") })
}

// runCLI runs the binary and checks its exit status (-1: 0 or 1).
func runCLI(b *testing.B, bin string, want int, args ...string) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = workDir // no .nginx502-lint.yml there
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		b.Fatal(err)
	}
	if code != want && (want != -1 || code > 1) {
		b.Fatalf("%s: exit %d, want %d", bin, code, want)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds nginx502-lint once per run.
func binary(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		gocmd, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(workDir, "nginx502-lint")
		out, err := exec.Command(gocmd, "build", "-o", binPath, "github.com/nginx502-lint/nginx502-lint/cmd/nginx502-lint").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Skip(buildErr)
	}
	return binPath
}
