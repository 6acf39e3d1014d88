package lint_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// levenshtein is the whole table, as the textbook writes it.
func levenshtein(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(a)][len(b)]
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"pm.max_children", "pm.max_children", 0},
		{"pm.max_childs", "pm.max_children", 3},
		{"php8.1-fpm.sock", "php8.2-fpm.sock", 1},
		{"kitten", "sitting", 3},
	} {
		if got := lint.EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestEditDistanceWithin compares the banded table with the whole one on
// random strings over a small alphabet (so that they share letters), at
// every limit around the true distance.
func TestEditDistanceWithin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = "abc._"[rng.IntN(5)]
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		d := levenshtein(a, b)
		for limit := -1; limit <= d+2; limit++ {
			want := d
			if d > limit {
				want = limit + 1
			}
			if got := lint.EditDistanceWithin(a, b, limit); got != want {
				t.Fatalf("EditDistanceWithin(%q, %q, %d) = %d, want %d (distance %d)", a, b, limit, got, want, d)
			}
		}
	}
}

// TestEditDistanceWithinLong is the case that made "did you mean" slow: a
// megabyte-long misspelt key against short names.
func TestEditDistanceWithinLong(t *testing.T) {
	long := strings.Repeat("k", 1<<20)
	if got := lint.EditDistanceWithin(long, "pm.max_children", 3); got != 4 {
		t.Errorf("got %d, want 4", got)
	}
	if got := lint.EditDistanceWithin(long, long[:len(long)-2]+"xy", 3); got != 2 {
		t.Errorf("got %d, want 2", got)
	}
}
