// Package linttest helps the loaders' fuzz targets check what a load
// returned: every position names a file of the tree, a line of it and a
// column of that line.
package linttest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// SeedFiles calls add with the content of every regular file of at most
// maxSize bytes below the directories that exist (a missing ../shared is
// no error; larger files are slow to mutate).
func SeedFiles(tb testing.TB, maxSize int64, add func(path string, data []byte), dirs ...string) {
	tb.Helper()
	for _, dir := range dirs {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil //nolint:nilerr // an unreadable corner of the corpus is no seed
			}
			if fi, err := d.Info(); err != nil || fi.Size() > maxSize {
				return nil //nolint:nilerr // too big to mutate, or gone
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil //nolint:nilerr // as above
			}
			add(p, data)
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// Positions checks positions against the files of a tree (path → content).
type Positions struct {
	tb    testing.TB
	files map[string][]byte
	lines map[string][][]byte // each file cut into lines once, not per position
}

// NewPositions returns a checker for the files of a tree.
func NewPositions(tb testing.TB, files map[string][]byte) *Positions {
	return &Positions{tb: tb, files: files, lines: map[string][][]byte{}}
}

// Check fails unless p names a file of the tree, a line of it and a column
// of that line (one past its end for the end of a line or file).
func (pc *Positions) Check(what string, p lint.Pos) {
	pc.tb.Helper()
	data, ok := pc.files[p.File]
	if !ok {
		pc.tb.Fatalf("%s: position %v is not in a file of the tree", what, p)
	}
	lines, ok := pc.lines[p.File]
	if !ok {
		lines = bytes.Split(data, []byte("\n"))
		pc.lines[p.File] = lines
	}
	if p.Line < 1 || int(p.Line) > len(lines) {
		pc.tb.Fatalf("%s: line %d of %v is outside the file's %d lines", what, p.Line, p, len(lines))
	}
	if p.Col < 1 || int(p.Col) > len(lines[p.Line-1])+1 {
		pc.tb.Fatalf("%s: column %d of %v is outside line %d (%d bytes)", what, p.Col, p, p.Line, len(lines[p.Line-1]))
	}
}

// LoadErrors fails unless err is nil or a lint.LoadErrors whose every
// error has a position in the tree.
func (pc *Positions) LoadErrors(err error) {
	pc.tb.Helper()
	if err == nil {
		return
	}
	var les lint.LoadErrors
	if !errors.As(err, &les) || len(les) == 0 {
		pc.tb.Fatalf("error %T is not a lint.LoadErrors: %v", err, err)
	}
	for _, e := range les {
		if e == nil {
			pc.tb.Fatal("a nil LoadError")
		}
		pc.Check("load error "+e.Msg, e.Pos)
	}
}

// Sources fails unless every source is a file of the tree and its comments
// are in it.
func (pc *Positions) Sources(sources []*lint.Source) {
	pc.tb.Helper()
	for _, s := range sources {
		if _, ok := pc.files[s.Path]; !ok {
			pc.tb.Fatalf("source %q is not a file of the tree", s.Path)
		}
		for _, c := range s.Comments {
			pc.Check("comment", c.Pos)
		}
	}
}

// Findings fails on a rule's internal error (a panic the engine caught) and
// unless every finding and related place is in the tree.
func (pc *Positions) Findings(fs []lint.Finding) {
	pc.tb.Helper()
	for _, fd := range fs {
		if strings.Contains(fd.Message, "internal error") {
			pc.tb.Fatalf("rule %s panicked: %s", fd.Rule, fd.Message)
		}
		pc.Check("finding "+fd.Rule+": "+fd.Message, fd.Span.Start)
		if fd.Span.End != (lint.Pos{}) {
			pc.Check("end of finding "+fd.Rule, fd.Span.End)
		}
		for _, r := range fd.Related {
			pc.Check("related place of "+fd.Rule, r.Pos)
		}
	}
}

// Link is a symbolic link's target in a tree written by WriteTree.
type Link string

// WriteTree writes files under a new temporary directory and returns it.
// Each content is a string or []byte (a regular file) or a Link.
func WriteTree[C any](tb testing.TB, files map[string]C) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		var err error
		switch c := any(content).(type) {
		case string:
			err = os.WriteFile(p, []byte(c), 0o644)
		case []byte:
			err = os.WriteFile(p, c, 0o644)
		case Link:
			err = os.Symlink(string(c), p)
		default:
			tb.Fatalf("WriteTree: %s: %T", name, content)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
