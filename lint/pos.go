// Package lint holds the shared model of an nginx + PHP-FPM configuration,
// the rule and finding types, the engine and the output formats.
package lint

import (
	"fmt"
	"strings"
)

// Pos is a place in a configuration file. Line and Col are 1-based; Col counts
// bytes. File is the path as the user gave it (relative stays relative, a
// --root prefix is kept), so that editors and CI logs can open it. Line and
// Col are 32-bit, as every directive and argument holds positions: files are
// read up to 2 GiB.
type Pos struct {
	File string `json:"file"`
	Line int32  `json:"line"`
	Col  int32  `json:"col"`
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

func (p Pos) String() string {
	switch {
	case p.File == "":
		return "-"
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Before orders positions by file, line and column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// LineCol is a place in a file that its holder names: an argument's in its
// directive's file.
type LineCol struct {
	Line int32 `json:"line"`
	Col  int32 `json:"col"`
}

// LineCol is p without its file.
func (p Pos) LineCol() LineCol { return LineCol{Line: p.Line, Col: p.Col} }

// Span is a range in one file: Start is the first byte, End the last one.
type Span struct {
	Start Pos `json:"start"`
	End   Pos `json:"end"`
}

// LoadError is a configuration that could not be read: the file, the place
// and what is wrong. It is not a finding; the CLI exits 2 on it.
type LoadError struct {
	Pos Pos
	Msg string
	Err error // the underlying error, if any
}

func (e *LoadError) Error() string {
	if e.Pos.File == "" {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

func (e *LoadError) Unwrap() error { return e.Err }

// Errorf builds a LoadError at pos.
func Errorf(pos Pos, format string, args ...any) *LoadError {
	err := fmt.Errorf(format, args...)
	return &LoadError{Pos: pos, Msg: err.Error(), Err: unwrapOne(err)}
}

func unwrapOne(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// LoadErrors collects every load error of a run, in the order met.
type LoadErrors []*LoadError

func (es LoadErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Source is one file that was read into the model.
type Source struct {
	// Path is the file as reached: the argument, or the include pattern
	// joined to its directory (sites-enabled/default).
	Path string `json:"path"`
	// RealPath is Path with every symlink resolved (inside --root when set):
	// sites-available/default. Equal to Path for a plain file.
	RealPath string `json:"real_path"`
	// Kind says which parser read it.
	Kind SourceKind `json:"kind"`
	// Comments are the file's comments that mention the tool (Mention),
	// in order, for inline ignores; prose comments, most of a large
	// tree's, are not kept.
	Comments []Comment `json:"-"`
	// Size is the file's length in bytes.
	Size int64 `json:"size"`
	// NotUTF8 is where the first byte that is not UTF-8 is (Latin-1
	// comments, say); the zero Pos for a UTF-8 file. nginx and php-fpm
	// read bytes, and so do the parsers: the file is read all the same.
	NotUTF8 Pos `json:"not_utf8,omitzero"`
}

// Mention is what a comment holds when it speaks to the tool: the loaders
// keep only such comments in Source.Comments.
const Mention = "nginx502-lint"

// Comment is a comment in a configuration file, without its marker ('#' or ';').
type Comment struct {
	Pos  Pos
	Text string
}

// SourceKind is the kind of a configuration file.
type SourceKind string

const (
	KindNginx  SourceKind = "nginx"
	KindFPM    SourceKind = "php-fpm"
	KindPHPIni SourceKind = "php.ini"
	KindSystem SourceKind = "system" // /etc/passwd, /etc/group
)
