package lint_test

import (
	"errors"
	"io/fs"
	"sort"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

func TestPosString(t *testing.T) {
	cases := []struct {
		pos  lint.Pos
		want string
	}{
		{lint.Pos{}, "-"},
		{lint.Pos{Line: 3, Col: 4}, "-"}, // no file: nothing to point at
		{lint.Pos{File: "nginx.conf"}, "nginx.conf"},
		{lint.Pos{File: "nginx.conf", Col: 7}, "nginx.conf"},
		{lint.Pos{File: "nginx.conf", Line: 12}, "nginx.conf:12"},
		{lint.Pos{File: "etc/nginx/sites-enabled/default", Line: 15, Col: 3}, "etc/nginx/sites-enabled/default:15:3"},
		{lint.Pos{File: "/etc/php/8.2/fpm/pool.d/www.conf", Line: 1, Col: 1}, "/etc/php/8.2/fpm/pool.d/www.conf:1:1"},
	}
	for _, c := range cases {
		if got := c.pos.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.pos, got, c.want)
		}
	}
}

func TestPosIsValid(t *testing.T) {
	cases := []struct {
		pos  lint.Pos
		want bool
	}{
		{lint.Pos{}, false},
		{lint.Pos{File: "a"}, false},
		{lint.Pos{Line: 1, Col: 1}, false},
		{lint.Pos{File: "a", Line: 1}, true},
		{lint.Pos{File: "a", Line: 1, Col: 9}, true},
	}
	for _, c := range cases {
		if got := c.pos.IsValid(); got != c.want {
			t.Errorf("%#v.IsValid() = %v, want %v", c.pos, got, c.want)
		}
	}
}

func TestPosBefore(t *testing.T) {
	cases := []struct {
		a, b lint.Pos
		want bool
	}{
		{lint.Pos{File: "a", Line: 1, Col: 1}, lint.Pos{File: "b", Line: 1, Col: 1}, true},
		{lint.Pos{File: "b", Line: 1, Col: 1}, lint.Pos{File: "a", Line: 9, Col: 9}, false},
		{lint.Pos{File: "a", Line: 9, Col: 1}, lint.Pos{File: "b", Line: 1, Col: 1}, true}, // file first
		{lint.Pos{File: "a", Line: 2, Col: 9}, lint.Pos{File: "a", Line: 10, Col: 1}, true},
		{lint.Pos{File: "a", Line: 10, Col: 1}, lint.Pos{File: "a", Line: 2, Col: 9}, false}, // numerically, not "10" < "2"
		{lint.Pos{File: "a", Line: 3, Col: 2}, lint.Pos{File: "a", Line: 3, Col: 10}, true},
		{lint.Pos{File: "a", Line: 3, Col: 10}, lint.Pos{File: "a", Line: 3, Col: 2}, false},
		{lint.Pos{File: "a", Line: 3, Col: 3}, lint.Pos{File: "a", Line: 3, Col: 3}, false}, // strict
		{lint.Pos{}, lint.Pos{File: "a", Line: 1, Col: 1}, true},                            // no file sorts first
	}
	for _, c := range cases {
		if got := c.a.Before(c.b); got != c.want {
			t.Errorf("%v.Before(%v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestPosSortIsTotal(t *testing.T) {
	ps := []lint.Pos{
		{File: "b", Line: 1, Col: 1},
		{File: "a", Line: 10, Col: 1},
		{File: "a", Line: 2, Col: 5},
		{File: "a", Line: 2, Col: 1},
		{},
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Before(ps[j]) })
	want := []string{"-", "a:2:1", "a:2:5", "a:10:1", "b:1:1"}
	for i, p := range ps {
		if p.String() != want[i] {
			t.Fatalf("sorted = %v, want %v", ps, want)
		}
	}
}

func TestLoadError(t *testing.T) {
	cases := []struct {
		name string
		err  *lint.LoadError
		want string
	}{
		{"with position", lint.Errorf(lint.Pos{File: "nginx.conf", Line: 3, Col: 5}, "unexpected %q", "}"), `nginx.conf:3:5: unexpected "}"`},
		{"file only", lint.Errorf(lint.Pos{File: "big.conf"}, "file is too big"), "big.conf: file is too big"},
		{"no file", lint.Errorf(lint.Pos{}, "nothing to check"), "nothing to check"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.err.Error(); got != c.want {
				t.Errorf("Error() = %q, want %q", got, c.want)
			}
		})
	}

	wrapped := lint.Errorf(lint.Pos{File: "x.conf"}, "open: %w", fs.ErrNotExist)
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Errorf("Errorf with %%w does not unwrap to the cause: %v", wrapped)
	}
	list := lint.LoadErrors{
		lint.Errorf(lint.Pos{File: "a.conf", Line: 1, Col: 1}, "one"),
		lint.Errorf(lint.Pos{File: "b.conf", Line: 2, Col: 2}, "two"),
	}
	if got, want := list.Error(), "a.conf:1:1: one\nb.conf:2:2: two"; got != want {
		t.Errorf("LoadErrors.Error() = %q, want %q", got, want)
	}
}
