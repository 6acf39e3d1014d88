package nginx

import (
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// The lexer follows ngx_conf_read_token (src/core/ngx_conf_file.c): words
// are separated by space, tab, CR and LF; ';', '{' and '}' end them; '#'
// starts a comment only where a word could start; a backslash makes the next
// byte part of the word; '{' right after '$' belongs to the word (${var});
// a quoted word must be followed by a separator.

type tokKind uint8

const (
	tokWord tokKind = iota
	tokSemi
	tokOpen
	tokClose
	tokEOF
)

type token struct {
	kind      tokKind
	quote     byte   // '"' or '\'' for a quoted word
	glued     bool   // a '{' right after an unquoted word
	val       string // the word, quotes removed and escapes applied
	escaped   bool   // val is not a piece of the file as it is
	line, col int32
	off       int32 // where the token starts in the file
}

// maxParam is NGX_CONF_BUFFER: nginx refuses a word or comment that does
// not fit in its 4096-byte read buffer.
const maxParam = 4096

type lexer struct {
	src       string
	file      string
	pos       int // next byte to read
	line      int
	lineStart int // offset of the first byte of the current line
	wordEnd   int // offset after the last unquoted word
	comments  []lint.Comment
	// lines holds the offset of each line's first byte.
	lines []int32
}

// newLexer reads data in place: the words it returns share its memory, so
// data must not change afterwards (the loaders read each file into a
// buffer of its own, which then lives as long as the model).
func newLexer(file string, data []byte, lines []int32) lexer {
	return lexer{src: unsafe.String(unsafe.SliceData(data), len(data)), file: file, line: 1, lines: append(lines, 0)}
}

// at returns the position of offset off, which must be on the current line.
func (lx *lexer) at(off int) lint.Pos {
	return lint.Pos{File: lx.file, Line: int32(lx.line), Col: int32(off - lx.lineStart + 1)}
}

// tok starts a token at offset off, which must be on the current line.
func (lx *lexer) tok(kind tokKind, off int) token {
	return token{kind: kind, line: int32(lx.line), col: int32(off - lx.lineStart + 1), off: int32(off)}
}

func (lx *lexer) posOf(t token) lint.Pos {
	return lint.Pos{File: lx.file, Line: t.line, Col: t.col}
}

// newLine moves to start, the first byte of the next line.
func (lx *lexer) newLine(start int) {
	lx.pos = start
	lx.line++
	lx.lineStart = start
	lx.lines = append(lx.lines, int32(start))
}

// advance moves to offset i, counting the lines it passes.
func (lx *lexer) advance(i int) {
	for {
		j := strings.IndexByte(lx.src[lx.pos:i], '\n')
		if j < 0 {
			break
		}
		lx.newLine(lx.pos + j + 1)
	}
	lx.pos = i
}

// next returns the next token, skipping blanks and comments.
func (lx *lexer) next() (token, *lint.LoadError) {
	s := lx.src
	for lx.pos < len(s) {
		c := s[lx.pos]
		switch c {
		case '\n':
			lx.newLine(lx.pos + 1)
		case ' ', '\t', '\r':
			lx.pos++
		case ';', '{', '}':
			t := lx.tok(tokSemi, lx.pos)
			switch c {
			case '{':
				t.kind = tokOpen
				t.glued = lx.pos == lx.wordEnd && lx.pos > 0
			case '}':
				t.kind = tokClose
			}
			lx.pos++
			return t, nil
		case '#':
			if err := lx.comment(); err != nil {
				return token{}, err
			}
		case '"', '\'':
			return lx.quoted(c)
		default:
			return lx.word()
		}
	}
	return lx.tok(tokEOF, lx.pos), nil
}

// tooLong reports whether nginx's buffer overflows on a word or comment
// whose bytes run from start up to (not including) end.
func (lx *lexer) tooLong(start, end int) bool {
	return end-start >= maxParam && len(lx.src) > start+maxParam
}

func (lx *lexer) comment() *lint.LoadError {
	start := lx.pos
	end := len(lx.src)
	if i := strings.IndexByte(lx.src[start:], '\n'); i >= 0 {
		end = start + i
	}
	pos := lx.at(start)
	if lx.tooLong(start, end) {
		return lint.Errorf(pos, "too long parameter %q started (nginx reads at most %d bytes per word or comment: split the line)", prefix(lx.src[start:], 10)+"...", maxParam)
	}
	if text := strings.TrimSuffix(lx.src[start+1:end], "\r"); strings.Contains(text, lint.Mention) {
		lx.comments = append(lx.comments, lint.Comment{Pos: pos, Text: text})
	}
	lx.pos = end
	return nil
}

func (lx *lexer) word() (token, *lint.LoadError) {
	s := lx.src
	start := lx.pos
	t := lx.tok(tokWord, start)
	escaped, variable := false, false
	i := start
scan:
	for i < len(s) {
		c := s[i]
		if c == '{' && variable {
			i++
			continue
		}
		variable = false
		switch c {
		case '\\':
			escaped = true
			i += 2
			continue
		case '$':
			variable = true
		case ' ', '\t', '\r', '\n', ';', '{':
			break scan
		}
		i++
	}
	if i > len(s) { // a backslash ending the file
		i = len(s)
	}
	if lx.tooLong(start, i) {
		return token{}, lint.Errorf(lx.posOf(t), "too long parameter %q started (nginx reads at most %d bytes per word: split it)", prefix(s[start:], 10)+"...", maxParam)
	}
	t.val = s[start:i]
	lx.wordEnd = i
	if escaped {
		lx.advance(i) // an escaped LF is part of the word
		t.val = unescape(t.val)
		t.escaped = len(t.val) != i-start
	} else {
		lx.pos = i
	}
	return t, nil
}

func (lx *lexer) quoted(q byte) (token, *lint.LoadError) {
	s := lx.src
	t := lx.tok(tokWord, lx.pos)
	t.quote = q
	pos := lx.posOf(t)
	start := lx.pos + 1
	escaped := false
	i := start
	for i < len(s) && s[i] != q {
		if s[i] == '\\' {
			escaped = true
			i++
		}
		i++
	}
	if lx.tooLong(start, i) {
		return token{}, lint.Errorf(pos, "too long parameter, probably missing terminating %q character (nginx reads at most %d bytes per word)", string(q), maxParam)
	}
	if i >= len(s) {
		lx.advance(len(s))
		return token{}, lint.Errorf(lx.at(lx.pos), "unexpected end of file, expecting \";\" or \"}\" (the quoted string opened at line %d is never closed)", pos.Line)
	}
	t.val = s[start:i]
	if escaped {
		t.val = unescape(t.val)
		t.escaped = len(t.val) != i-start
	}
	lx.advance(i + 1)
	if lx.pos < len(s) {
		switch c := s[lx.pos]; c {
		case ' ', '\t', '\r', '\n', ';', '{', ')':
		default:
			r, _ := utf8.DecodeRuneInString(s[lx.pos:])
			return token{}, lint.Errorf(lx.at(lx.pos), "unexpected %q right after a closing quote (put a space before it, or move it inside the quotes)", string(r))
		}
	}
	return t, nil
}

// unescape applies nginx's escapes to a word: \" \' \\ give the character,
// \t \r \n a tab, CR or LF; any other backslash is kept. A word with no
// such escape (the \. of every PHP location's regex) is returned as it is.
func unescape(raw string) string {
	first := -1
	for i := strings.IndexByte(raw, '\\'); i >= 0 && i+1 < len(raw); {
		if strings.IndexByte("\"'\\trn", raw[i+1]) >= 0 {
			first = i
			break
		}
		next := strings.IndexByte(raw[i+2:], '\\')
		if next < 0 {
			break
		}
		i += 2 + next
	}
	if first < 0 {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(raw[:first])
	for i := first; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) {
			switch n := raw[i+1]; n {
			case '"', '\'', '\\':
				c = n
				i++
			case 't':
				c = '\t'
				i++
			case 'r':
				c = '\r'
				i++
			case 'n':
				c = '\n'
				i++
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// prefix returns at most n bytes of s, cut at a character boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
