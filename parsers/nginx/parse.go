// Package nginx reads nginx configuration files into the shared model: a
// tokenizer that follows nginx's own rules, the include expansion nginx does,
// `nginx -T` dumps, and the facts rules need (user, upstreams, backends).
package nginx

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// maxDepth bounds block nesting, which nginx bounds by its C stack.
const maxDepth = 1000

// Parse reads one file without expanding its includes and returns the
// root of its tree: its top-level directives are the root's Block. The
// tree shares data's memory: do not change data afterwards. On a syntax
// error it returns what was read before it, with a lint.LoadErrors of one
// error: like nginx, it does not read past the first syntax error of a file.
func Parse(path string, data []byte) (lint.Directive, []lint.Comment, error) {
	f, comments, err := parse(path, data, new(slabs))
	_, root := lint.NewPlace(f)
	if err != nil {
		return root, comments, lint.LoadErrors{err}
	}
	return root, comments, nil
}

// parse reads the file at path, its words, statements and lines carved
// from s.
func parse(path string, data []byte, s *slabs) (*lint.NginxFile, []lint.Comment, *lint.LoadError) {
	lines := s.lines.take(bytes.Count(data, []byte{'\n'}) + 1)[:0]
	s.lexer = newLexer(path, data, lines)
	p := &s.parser
	*p = parser{lx: &s.lexer, args: s.readWords[:0], stmts: s.readStmts[:0], stack: s.stack[:0]}
	err := p.run()
	f := &lint.NginxFile{Path: path, Text: p.lx.src, Lines: p.lx.lines, Escaped: p.escaped}
	if n := len(p.stmts); n > 0 {
		// The words of a directive cut short by an error are not kept.
		last := p.stmts[n-1]
		used := int(last.Word + 1 + last.NArgs)
		f.Stmts = s.stmts.take(n)
		copy(f.Stmts, p.stmts)
		f.Words = s.words.take(used)
		copy(f.Words, p.args[:used])
	}
	s.readWords, s.readStmts, s.stack = p.args[:0], p.stmts[:0], p.stack[:0]
	if err != nil && p.hint != "" {
		if m, ok := strings.CutSuffix(err.Msg, ")"); ok {
			err.Msg = m + "; " + p.hint + ")"
		} else {
			err.Msg += " (" + p.hint + ")"
		}
	}
	comments := p.lx.comments
	*p, s.lexer = parser{}, lexer{}
	return f, comments, err
}

type parser struct {
	lx *lexer
	// args are the words read, the current directive's from first on.
	args  []lint.Word
	first int
	// escaped are the values of words with escapes (lint.NginxFile.Escaped).
	escaped []string
	stmts   []lint.Stmt
	// stack holds the statements of the blocks open, innermost last.
	stack []int32
	// glued is the statement whose block a '{' glued to its last word
	// opened; hint explains the error that such a '{' usually causes.
	glued int32
	hint  string
}

func (p *parser) run() (err *lint.LoadError) {
	p.glued = -1
	defer func() {
		// On an error, the blocks open end with what was read.
		for _, b := range p.stack {
			p.stmts[b].After = int32(len(p.stmts))
		}
	}()
	for {
		t, err := p.lx.next()
		if err != nil {
			return err
		}
		if p.glued >= 0 {
			p.regexHint(t)
		}
		switch t.kind {
		case tokWord:
			p.word(t)
		case tokSemi, tokOpen:
			if len(p.args) == p.first {
				if t.kind == tokOpen {
					return lint.Errorf(p.lx.posOf(t), "unexpected \"{\" (a block with no directive name before it)")
				}
				return lint.Errorf(p.lx.posOf(t), "unexpected \";\" (a \";\" with no directive before it: remove it)")
			}
			i := p.statement(t)
			if t.kind == tokSemi {
				continue
			}
			st := &p.stmts[i]
			st.Close = lint.Unclosed
			if t.glued && p.hint == "" && st.NArgs > 0 {
				p.glued = i
			}
			if name := p.wordValue(st.Word); isLuaBlock(name) {
				if err := p.luaBlock(i); err != nil {
					return err
				}
				continue
			}
			if len(p.stack) >= maxDepth {
				return lint.Errorf(p.posOf(p.args[st.Word].Off), "blocks nested more than %d deep", maxDepth)
			}
			p.stack = append(p.stack, i)
		case tokClose:
			if len(p.args) > p.first {
				return lint.Errorf(p.lx.posOf(t), "unexpected \"}\" (%s)", p.missingSemi())
			}
			if len(p.stack) == 0 {
				return lint.Errorf(p.lx.posOf(t), "unexpected \"}\" (no block is open here: remove it, or look above for a \"}\" too many)")
			}
			b := p.stack[len(p.stack)-1]
			p.stack = p.stack[:len(p.stack)-1]
			p.stmts[b].Close = t.off
			p.stmts[b].After = int32(len(p.stmts))
		case tokEOF:
			if len(p.args) > p.first {
				return lint.Errorf(p.lx.posOf(t), "unexpected end of file, expecting \";\" or \"}\" (%s)", p.missingSemi())
			}
			if len(p.stack) > 0 {
				return lint.Errorf(p.lx.posOf(t), "unexpected end of file, expecting \"}\" (%s)", p.unclosed())
			}
			return nil
		}
	}
}

// word adds a word of the directive being read.
func (p *parser) word(t token) {
	w := lint.Word{Off: t.off, Len: int32(len(t.val)), Quote: t.quote}
	if t.escaped {
		w.Escaped, w.Len = true, int32(len(p.escaped))
		p.escaped = append(p.escaped, t.val)
	}
	p.args = append(p.args, w)
}

// wordValue is the value of word i of the file being read.
func (p *parser) wordValue(i int32) string {
	read := lint.NginxFile{Text: p.lx.src, Escaped: p.escaped}
	return read.Value(&p.args[i])
}

// statement makes a statement of the words read; end is its ';' or '{'.
func (p *parser) statement(end token) int32 {
	i := int32(len(p.stmts))
	if name := &p.args[p.first]; !name.Escaped {
		name.Name = lint.NameID(p.wordValue(int32(p.first)))
	}
	parent := int32(-1)
	if n := len(p.stack); n > 0 {
		parent = p.stack[n-1]
	}
	p.stmts = append(p.stmts, lint.Stmt{
		Word: int32(p.first), NArgs: int32(len(p.args) - p.first - 1),
		End: end.off, Close: lint.NoBlock, Parent: parent, After: i + 1,
	})
	p.first = len(p.args)
	return i
}

// tree returns the root of the statements read so far, for messages.
func (p *parser) tree() lint.Directive {
	_, root := lint.NewPlace(&lint.NginxFile{Path: p.lx.file, Text: p.lx.src, Lines: p.lx.lines, Words: p.args, Stmts: p.stmts, Escaped: p.escaped})
	return root
}

// regexHint explains a '{' glued to a word and followed by a number: an
// unquoted regular expression with a quantifier (location ~ ^/[0-9]{4}$),
// which nginx cuts at the '{'.
func (p *parser) regexHint(next token) {
	st := p.stmts[p.glued]
	p.glued = -1
	if next.kind != tokWord || next.quote != 0 || next.val == "" || (next.val[0] < '0' || next.val[0] > '9') && next.val[0] != ',' {
		return
	}
	p.hint = fmt.Sprintf("at line %d the \"{\" after %q opens a block: put a regular expression that contains \"{\" in quotes",
		p.lineOf(st.End), p.wordValue(st.Word+st.NArgs))
}

func (p *parser) missingSemi() string {
	first := int32(p.first)
	return fmt.Sprintf("the directive %q at line %d has no \";\" at its end", p.wordValue(first), p.lineOf(p.args[first].Off))
}

// posOf returns the position of offset off, which the lexer has passed.
func (p *parser) posOf(off int32) lint.Pos {
	line := p.lineOf(off)
	return lint.Pos{File: p.lx.file, Line: line, Col: off - p.lx.lines[line-1] + 1}
}

// lineOf returns the line of offset off, which the lexer has passed.
func (p *parser) lineOf(off int32) int32 {
	line, found := slices.BinarySearch(p.lx.lines, off)
	if !found {
		line--
	}
	return int32(line + 1)
}

// unclosed describes the open blocks at the end of a file: the innermost is
// the one nginx misses the "}" of, but a "}" indented like an outer block
// usually shows where one is really missing (when no hint explains more).
func (p *parser) unclosed() string {
	for _, b := range p.stack {
		p.stmts[b].After = int32(len(p.stmts))
	}
	place := p.tree().Place()
	inner := place.Directive(p.stack[len(p.stack)-1])
	msg := fmt.Sprintf("the block %q opened at line %d is never closed", inner.Name(), inner.Pos().Line)
	if hint := misindented(inner); p.hint == "" && !hint.IsZero() {
		msg += fmt.Sprintf("; the \"}\" at line %d is indented like %q, not like %q at line %d: is a \"}\" missing there?",
			hint.BlockEnd().Line, hint.Parent().Name(), hint.Name(), hint.Pos().Line)
	}
	return msg
}

// misindented finds, under d, the block closed first by a "}" indented
// less than the block's name and like its parent's name.
func misindented(d lint.Directive) lint.Directive {
	var found lint.Directive
	d.Walk(func(c lint.Directive) bool {
		start, end, parent := c.Pos(), c.BlockEnd(), c.Parent().Pos()
		if c.IsBlock() && end.Line > start.Line && end.Col < start.Col &&
			parent.Line < start.Line && parent.Col == end.Col &&
			(found.IsZero() || end.Before(found.BlockEnd())) {
			found = c
		}
		return true
	})
	return found
}

// isLuaBlock reports whether a block directive holds Lua code rather than
// nginx directives (content_by_lua_block and the other *_by_lua_block).
func isLuaBlock(name string) bool { return strings.HasSuffix(name, "_by_lua_block") }
