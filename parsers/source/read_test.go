package source

import (
	"bytes"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 3, 1000} {
		seen := make([]atomic.Int32, n)
		Each(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Fatalf("n=%d: fn(%d) called %d times", n, i, got)
			}
		}
	}
}

// TestReadFileSizes reads files around the sizes readFile's buffer is made
// for, and one that grew after it was looked at.
func TestReadFileSizes(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 511, 4096, 100_000} {
		data := bytes.Repeat([]byte("x"), size)
		p := filepath.Join(dir, "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, hint := range []int64{int64(size), 0, int64(size) / 2} {
			got, err := readFile(p, hint)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("size %d, hint %d: got %d bytes, %v", size, hint, len(got), err)
			}
		}
	}
	fsys := &FS{}
	p := filepath.Join(dir, "grows.conf")
	if err := os.WriteFile(p, []byte("user a;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.ReadFile(p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("user a;\nworker_processes 2;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The remembered size is the old one; the whole file is read all the same.
	f, err := fsys.ReadFile(p)
	if err != nil || string(f.Data) != "user a;\nworker_processes 2;\n" {
		t.Errorf("file that grew: %q, %v", f.Data, err)
	}
}
