package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cli/golden")

// Trees shared by the tests, relative to this package's directory.
const (
	cliData     = "../../testdata/cli"
	cleanTree   = cliData + "/clean" // no finding at all
	shopTree    = cliData + "/shop"  // clean, but shop.conf's fastcgi_pass names php8.1
	badData     = "../../testdata/badinput"
	exampleTree = "../../testdata/example"
)

func TestMain(m *testing.M) {
	// The environment must not change what the tests see.
	for _, v := range []string{"NGINX502_LINT_ROOT", "NO_COLOR"} {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

// cliResult is one run of the command.
type cliResult struct {
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout:\n" + r.stdout + "--- stderr:\n" + r.stderr
}

// runCLI runs the command in-process with args (without the program name)
// and stdin, and checks that whatever happened, it did not crash: no panic
// escaped run and no stack trace or internal error was printed.
func runCLI(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	var in io.Reader = strings.NewReader(stdin)
	code := func() (code int) {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("nginx502-lint %s panicked: %v", strings.Join(args, " "), p)
			}
		}()
		return run(append([]string{"nginx502-lint"}, args...), in, &stdout, &stderr)
	}()
	r := cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
	for _, bad := range []string{"panic:", "goroutine ", "runtime error", "internal error", "[recovered]"} {
		if strings.Contains(r.stdout, bad) || strings.Contains(r.stderr, bad) {
			t.Errorf("nginx502-lint %s printed %q:\n%s", strings.Join(args, " "), bad, r)
		}
	}
	return r
}

// lintTree runs the linter without any .nginx502-lint.yml.
func lintTree(t *testing.T, args ...string) cliResult {
	t.Helper()
	return runCLI(t, "", append([]string{"--no-config"}, args...)...)
}

func wantCode(t *testing.T, r cliResult, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\n%s", r.code, code, r)
	}
}

func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

func wantNotContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s has %q:\n%s", what, sub, s)
		}
	}
}

// rulesOf returns the rule ids of gcc-format findings (not their notes), in order.
func rulesOf(gcc string) []string {
	var ids []string
	for _, line := range strings.Split(gcc, "\n") {
		if m := gccLine.FindStringSubmatch(line); m != nil && m[5] != "" {
			ids = append(ids, m[5])
		}
	}
	return ids
}

// gccLine is one line of the gcc format: file:line:col: severity: message [rule],
// or a related place without a rule.
var gccLine = regexp.MustCompile(`^(.+?):(\d+):(\d+): (error|warning|note): (?:.*?)(?: \[([a-z0-9-]+)\])?$`)

// hashTree returns the SHA-256 of every file below dir (symlinks by their
// target), to show that a run changed nothing.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		var data []byte
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			data = []byte("symlink:" + target)
		} else if data, err = os.ReadFile(p); err != nil {
			if os.IsPermission(err) {
				data = []byte("unreadable")
			} else {
				return err
			}
		}
		sum := sha256.Sum256(data)
		sums[p] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func wantUnchanged(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := hashTree(t, dir)
	for p, sum := range before {
		if after[p] != sum {
			t.Errorf("%s changed during the run", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared during the run", p)
		}
	}
}

// link is a symlink in a tree written by writeTree.
type link = linttest.Link

// copyTree copies the tree src (symlinks as symlinks) to a new temporary
// directory, then applies changes: path → new content, or nil to delete.
func copyTree(t *testing.T, src string, changes map[string]any) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(out, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, out)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range changes {
		p := filepath.Join(dst, name)
		switch c := content.(type) {
		case nil:
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		case string:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("copyTree: %s: %T", name, content)
		}
	}
	return dst
}

// readFile returns a file's content as a string.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// edit returns content with old replaced by new, which must be there.
func edit(t *testing.T, content, old, new string) string {
	t.Helper()
	if !strings.Contains(content, old) {
		t.Fatalf("edit: %q not in\n%s", old, content)
	}
	return strings.Replace(content, old, new, 1)
}
