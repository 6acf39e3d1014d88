// Package nginx reads nginx configuration files into the shared model: a
// tokenizer that follows nginx's own rules, the include expansion nginx does,
// `nginx -T` dumps, and the facts rules need (user, upstreams, backends).
package nginx

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// maxDepth bounds block nesting, which nginx bounds by its C stack.
const maxDepth = 1000

// Parse reads one file without expanding its includes. The directives share
// data's memory: do not change data afterwards. The directives'
// top-level Parent is a synthetic root (Name ""). On a syntax error it
// returns what was read before it, with a lint.LoadErrors of one error:
// like nginx, it does not read past the first syntax error of a file.
func Parse(path string, data []byte) ([]*lint.Directive, []lint.Comment, error) {
	root, comments, err := parse(path, data, new(slabs))
	if err != nil {
		return root.Block, comments, lint.LoadErrors{err}
	}
	return root.Block, comments, nil
}

// parse returns a synthetic root holding the file's directives, carved from s.
func parse(path string, data []byte, s *slabs) (*lint.Directive, []lint.Comment, *lint.LoadError) {
	p := &parser{lx: newLexer(path, data), slabs: s, args: s.words[:0]}
	root := s.dirs.new()
	root.Statement = s.stmts.new()
	root.Block = []*lint.Directive{}
	err := p.run(root)
	clear(p.args)
	s.words = p.args[:0]
	return root, p.lx.comments, err
}

type parser struct {
	lx   *lexer
	args []token
	// glued is the directive whose block a '{' glued to its last word
	// opened; hint explains the error that such a '{' usually causes.
	glued *lint.Directive
	hint  string
	// slabs the directives and arguments are carved from
	slabs *slabs
	// pending holds the directives of the open blocks, innermost last.
	pending []*lint.Directive
}

func (p *parser) run(root *lint.Directive) *lint.LoadError {
	err := p.parse(root)
	if err != nil && p.hint != "" {
		if m, ok := strings.CutSuffix(err.Msg, ")"); ok {
			err.Msg = m + "; " + p.hint + ")"
		} else {
			err.Msg += " (" + p.hint + ")"
		}
	}
	return err
}

// openBlock is a block being read: its directives so far are
// parser.pending[start:].
type openBlock struct {
	d     *lint.Directive
	start int
}

// close gives b its block, carved to size once the "}" is read (growing it
// directive by directive left as much behind as it kept).
func (p *parser) close(b openBlock) {
	read := p.pending[b.start:]
	if len(read) > 0 {
		b.d.Block = p.slabs.blocks.take(len(read))
		copy(b.d.Block, read)
	}
	clear(read)
	p.pending = p.pending[:b.start]
}

func (p *parser) parse(root *lint.Directive) *lint.LoadError {
	stack := p.slabs.stack[:0]
	stack = append(stack, openBlock{d: root})
	p.pending = p.slabs.pending[:0]
	defer func() {
		// On an error, what was read before it.
		for i := len(stack) - 1; i >= 0; i-- {
			p.close(stack[i])
		}
		p.slabs.stack, p.slabs.pending = stack[:0], p.pending[:0]
	}()
	for {
		t, err := p.lx.next()
		if err != nil {
			return err
		}
		if p.glued != nil {
			p.regexHint(t)
		}
		cur := stack[len(stack)-1].d
		switch t.kind {
		case tokWord:
			p.args = append(p.args, t)
		case tokSemi, tokOpen:
			if len(p.args) == 0 {
				if t.kind == tokOpen {
					return lint.Errorf(p.lx.posOf(t), "unexpected \"{\" (a block with no directive name before it)")
				}
				return lint.Errorf(p.lx.posOf(t), "unexpected \";\" (a \";\" with no directive before it: remove it)")
			}
			d := p.directive(p.lx.posOf(t))
			d.Parent = cur
			p.pending = append(p.pending, d)
			if t.kind == tokSemi {
				continue
			}
			d.Block = []*lint.Directive{}
			if t.glued && p.hint == "" && len(d.Args) > 0 {
				p.glued = d
			}
			if isLuaBlock(d.Name) {
				if err := p.luaBlock(d); err != nil {
					return err
				}
				continue
			}
			if len(stack) > maxDepth {
				return lint.Errorf(d.Start, "blocks nested more than %d deep", maxDepth)
			}
			stack = append(stack, openBlock{d: d, start: len(p.pending)})
		case tokClose:
			if len(p.args) > 0 {
				return lint.Errorf(p.lx.posOf(t), "unexpected \"}\" (%s)", p.missingSemi())
			}
			if len(stack) == 1 {
				return lint.Errorf(p.lx.posOf(t), "unexpected \"}\" (no block is open here: remove it, or look above for a \"}\" too many)")
			}
			cur.Close = p.lx.posOf(t).LineCol()
			p.close(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
		case tokEOF:
			if len(p.args) > 0 {
				return lint.Errorf(p.lx.posOf(t), "unexpected end of file, expecting \";\" or \"}\" (%s)", p.missingSemi())
			}
			if len(stack) > 1 {
				open := make([]*lint.Directive, len(stack)-1)
				for i := len(stack) - 1; i >= 1; i-- {
					open[i-1] = stack[i].d
					p.close(stack[i])
				}
				stack = stack[:1]
				return lint.Errorf(p.lx.posOf(t), "unexpected end of file, expecting \"}\" (%s)", unclosed(open, p.hint == ""))
			}
			return nil
		}
	}
}

// regexHint explains a '{' glued to a word and followed by a number: an
// unquoted regular expression with a quantifier (location ~ ^/[0-9]{4}$),
// which nginx cuts at the '{'.
func (p *parser) regexHint(next token) {
	d := p.glued
	p.glued = nil
	if next.kind != tokWord || next.quote != 0 || next.val == "" || (next.val[0] < '0' || next.val[0] > '9') && next.val[0] != ',' {
		return
	}
	p.hint = fmt.Sprintf("at line %d the \"{\" after %q opens a block: put a regular expression that contains \"{\" in quotes",
		d.Span().End.Line, d.Args[len(d.Args)-1].Value)
}

func (p *parser) missingSemi() string {
	first := p.args[0]
	return fmt.Sprintf("the directive %q at line %d has no \";\" at its end", first.val, first.line)
}

// unclosed describes the open blocks at the end of a file: the innermost is
// the one nginx misses the "}" of, but a "}" indented like an outer block
// usually shows where one is really missing (when indent is true).
func unclosed(open []*lint.Directive, indent bool) string {
	inner := open[len(open)-1]
	msg := fmt.Sprintf("the block %q opened at line %d is never closed", inner.Name, inner.Start.Line)
	if hint := misindented(inner); indent && hint != nil {
		msg += fmt.Sprintf("; the \"}\" at line %d is indented like %q, not like %q at line %d: is a \"}\" missing there?",
			hint.BlockEnd().Line, hint.Parent.Name, hint.Name, hint.Start.Line)
	}
	return msg
}

// misindented finds, under d, the block closed first by a "}" indented
// less than the block's name and like its parent's name.
func misindented(d *lint.Directive) *lint.Directive {
	var found *lint.Directive
	d.Walk(func(c *lint.Directive) bool {
		if c.IsBlock() && c.BlockEnd().Line > c.Start.Line && c.BlockEnd().Col < c.Start.Col &&
			c.Parent.Start.Line < c.Start.Line && c.Parent.Start.Col == c.BlockEnd().Col &&
			(found == nil || c.BlockEnd().Before(found.BlockEnd())) {
			found = c
		}
		return true
	})
	return found
}

// directive builds the directive from the pending words; end is its ';' or '{'.
func (p *parser) directive(end lint.Pos) *lint.Directive {
	d := p.slabs.dirs.new()
	st := p.slabs.stmts.new()
	d.Statement = st
	name := &p.args[0]
	st.Name = name.val
	st.Start = lint.Pos{File: p.lx.file, Line: name.line, Col: name.col}
	st.End = end.LineCol()
	if n := len(p.args) - 1; n > 0 {
		st.Args = p.slabs.args.take(n)
		for i := range p.args[1:] {
			t := &p.args[i+1]
			st.Args[i] = lint.Arg{Value: t.val, LineCol: lint.LineCol{Line: t.line, Col: t.col}, Quote: t.quote}
		}
	}
	p.args = p.args[:0]
	return d
}

// isLuaBlock reports whether a block directive holds Lua code rather than
// nginx directives (content_by_lua_block and the other *_by_lua_block).
func isLuaBlock(name string) bool { return strings.HasSuffix(name, "_by_lua_block") }
