package nginx

import (
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// luaBlock reads the Lua code of the block of statement block up to its matching '}' and stores
// it raw as the block's last argument, as the lua module does
// (ngx_http_lua_conf_lua_block_parse). Braces inside Lua strings, long
// brackets and comments do not count.
func (p *parser) luaBlock(block int32) *lint.LoadError {
	lx := p.lx
	s := lx.src
	start := lx.pos
	level := 1
	for i := start; i < len(s); {
		switch c := s[i]; c {
		case '{':
			level++
			i++
		case '}':
			level--
			if level > 0 {
				i++
				continue
			}
			lx.advance(i)
			lx.pos = i + 1
			// The code is the block's last argument: the words that
			// follow a statement's are its own.
			p.args = append(p.args, lint.Word{Off: int32(start), Len: int32(i - start)})
			p.first = len(p.args)
			st := &p.stmts[block]
			st.NArgs++
			st.Close = int32(i)
			return nil
		case '-':
			if !strings.HasPrefix(s[i:], "--") {
				i++
				continue
			}
			if n := longBracket(s[i+2:]); n > 0 {
				end, err := p.closeLong(i, i+2, n)
				if err != nil {
					return err
				}
				i = end
				continue
			}
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(s)
			}
		case '[':
			if n := longBracket(s[i:]); n > 0 {
				end, err := p.closeLong(i, i, n)
				if err != nil {
					return err
				}
				i = end
				continue
			}
			i++
		case '"', '\'':
			i = luaString(s, i)
		default:
			i++
		}
	}
	lx.advance(len(s))
	return lint.Errorf(lx.at(len(s)), "unexpected end of file, expecting terminating characters for lua code block (the block %q opened at line %d is never closed)", p.wordValue(p.stmts[block].Word), p.lineOf(p.args[p.stmts[block].Word].Off))
}

// longBracket returns the length of the Lua long bracket ([[, [=[, [==[ …)
// that s starts with, or 0.
func longBracket(s string) int {
	if s == "" || s[0] != '[' {
		return 0
	}
	n := 1
	for n < len(s) && s[n] == '=' {
		n++
	}
	if n < len(s) && s[n] == '[' {
		return n + 1
	}
	return 0
}

// closeLong finds the end of the long string or comment starting at from
// whose opening bracket is at open with length n.
func (p *parser) closeLong(from, open, n int) (int, *lint.LoadError) {
	s := p.lx.src
	closing := "]" + strings.Repeat("=", n-2) + "]"
	j := strings.Index(s[open+n:], closing)
	if j < 0 {
		p.lx.advance(from)
		return 0, lint.Errorf(p.lx.at(from), "Lua code block missing the closing long bracket %q", closing)
	}
	return open + n + j + len(closing), nil
}

// luaString skips the Lua string starting at s[i]. Like the lua module's
// lexer, a quote not closed on its line is taken as a plain character.
func luaString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case q:
			return j + 1
		case '\n':
			return i + 1
		case '\\':
			if j+1 >= len(s) || s[j+1] == '\n' {
				return i + 1
			}
			j++
		}
	}
	return i + 1
}
