package filter

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// Exclude drops the findings whose primary file matches one of Patterns.
//
// Patterns are slash-separated globs (path.Match syntax, plus "**" for any
// number of directories):
//   - a pattern without "/" matches any one element of the path, a file or a
//     directory name ("*.bak", "snippets");
//   - an absolute pattern matches the file's absolute path;
//   - any other pattern matches the whole path relative to Base (the
//     directory of the configuration file that lists it), or the path as
//     given when Base is "" or the file lies outside Base;
//   - a trailing "/" means everything below that directory; "pool.d/"
//     (no other "/") is a directory of that name anywhere.
type Exclude struct {
	Patterns []string
	Base     string
	// RealPath maps a file as reached (sites-enabled/x) to its real file
	// (sites-available/x); a pattern matching either excludes it. nil
	// matches the path as reached only.
	RealPath func(string) string
}

func (e Exclude) Process(fs []lint.Finding) []lint.Finding {
	if len(e.Patterns) == 0 {
		return fs
	}
	out := fs[:0:0]
	for _, f := range fs {
		file := f.Span.Start.File
		real := ""
		if e.RealPath != nil {
			real = e.RealPath(file)
		}
		if !e.Match(file) && (real == "" || real == file || !e.Match(real)) {
			out = append(out, f)
		}
	}
	return out
}

// Match reports whether file is excluded.
func (e Exclude) Match(file string) bool {
	if file == "" {
		return false
	}
	given := normFile(file)
	abs := filepath.ToSlash(absClean(file))
	rel := ""
	if e.Base != "" {
		if r, err := filepath.Rel(absClean(e.Base), absClean(file)); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
			rel = filepath.ToSlash(r)
		}
	}
	elems := strings.Split(abs, "/")
	for _, p := range e.Patterns {
		p = filepath.ToSlash(p)
		dir := strings.TrimSuffix(p, "/")
		switch {
		case dir != p && !strings.Contains(dir, "/"):
			// "snippets/": a directory of that name anywhere
			for _, el := range elems[:len(elems)-1] {
				if ok, _ := path.Match(dir, el); ok {
					return true
				}
			}
			continue
		case dir != p:
			p += "**"
		}
		switch {
		case !strings.Contains(p, "/"):
			for _, el := range elems {
				if ok, _ := path.Match(p, el); ok {
					return true
				}
			}
		case path.IsAbs(p):
			if Glob(p, abs) {
				return true
			}
		default:
			p = strings.TrimPrefix(p, "./")
			if rel != "" && Glob(p, rel) || Glob(p, given) {
				return true
			}
		}
	}
	return false
}

// Glob reports whether the slash-separated name matches pattern, where "**"
// as a whole path element matches zero or more elements and other elements
// follow path.Match. A malformed pattern matches nothing (see CheckGlob).
func Glob(pattern, name string) bool {
	return globParts(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func globParts(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range name {
				if globParts(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// CheckGlob reports a malformed exclude pattern.
func CheckGlob(pattern string) error {
	if pattern == "" {
		return fmt.Errorf("empty pattern")
	}
	for _, el := range strings.Split(filepath.ToSlash(pattern), "/") {
		if _, err := path.Match(el, ""); err != nil {
			return fmt.Errorf("bad pattern %q: %w", pattern, err)
		}
	}
	return nil
}
