package fpm

// This file reproduces PHP's INI scanner and parser (Zend/zend_ini_scanner.l
// and zend_ini_parser.y, PHP 8.2, ZEND_INI_SCANNER_NORMAL) as php-fpm and
// php.ini use them. It was written from the grammar's rules and checked
// against the real php 8.2 (see ini_test.go and phpdiff_test.go), not
// translated from PHP's code.
//
// The lexer is independent of the parser (its state changes only in its own
// rules), so a buffer is first cut into tokens, up to the first "end of file",
// and then parsed. Like re2c, each lexer state picks the longest match among
// its rules, the earliest rule on a tie.

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

type tokKind uint8

const (
	tkEOF tokKind = iota
	tkEOL
	tkSection
	tkLabel
	tkOffset
	tkRaw
	tkConstant
	tkNumber
	tkString
	tkWhitespace
	tkDollarCurly
	tkVarname
	tkQuoted
	tkTrue
	tkFalse
	tkNull
	tkChar
)

// token is one lexeme. text is its value: a label without surrounding
// blanks, a quoted chunk with its escapes processed, a raw string without
// its quotes.
type token struct {
	kind tokKind
	c    byte // the character of a tkChar
	text string
	off  int // first byte in the buffer
	end  int // one past the last byte
}

// name is the token as bison names it in "syntax error, unexpected X".
func (t token) name() string {
	switch t.kind {
	case tkEOF:
		return "end of file"
	case tkEOL:
		return "END_OF_LINE"
	case tkSection:
		return "TC_SECTION"
	case tkLabel:
		return "TC_LABEL"
	case tkOffset:
		return "TC_OFFSET"
	case tkRaw:
		return "TC_RAW"
	case tkConstant:
		return "TC_CONSTANT"
	case tkNumber:
		return "TC_NUMBER"
	case tkString:
		return "TC_STRING"
	case tkWhitespace:
		return "TC_WHITESPACE"
	case tkDollarCurly:
		return "TC_DOLLAR_CURLY"
	case tkVarname:
		return "TC_VARNAME"
	case tkQuoted:
		return "TC_QUOTED_STRING"
	case tkTrue:
		return "BOOL_TRUE"
	case tkFalse:
		return "BOOL_FALSE"
	case tkNull:
		return "NULL_NULL"
	}
	return "'" + string(t.c) + "'"
}

func (t token) is(c byte) bool { return t.kind == tkChar && t.c == c }

type lexState uint8

const (
	stInitial lexState = iota
	stValue
	stSection
	stOffset
	stQuotes
	stVarname
)

// iniComment is a ';' comment: the offset of the ';' and the text after it.
type iniComment struct {
	off  int
	text string
}

type lexer struct {
	src      []byte
	p        int
	state    lexState
	stack    []lexState
	comments []iniComment
}

func (lx *lexer) push(s lexState) {
	lx.stack = append(lx.stack, lx.state)
	lx.state = s
}

func (lx *lexer) pop() {
	if n := len(lx.stack); n > 0 {
		lx.state = lx.stack[n-1]
		lx.stack = lx.stack[:n-1]
		return
	}
	lx.state = stInitial
}

var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// trivialComment recognises a line (ending in '\n') that is blank or only a
// ';' comment, most of a pool file, without running the scanner (which
// would give no event, no error and that comment): it returns the
// comment's offset and text in buf, or -1 for a blank line.
func trivialComment(buf []byte) (int, []byte, bool) {
	if len(buf) == 0 || buf[len(buf)-1] != '\n' {
		return -1, nil, false
	}
	body := buf[:len(buf)-1]
	if n := len(body); n > 0 && body[n-1] == '\r' {
		body = body[:n-1]
	}
	b := 0
	for b < len(body) && isBlank(body[b]) {
		b++
	}
	if b == len(body) {
		return -1, nil, true
	}
	if body[b] != ';' || bytes.IndexByte(body, '\r') >= 0 {
		return -1, nil, false
	}
	return b, body[b+1:], true
}

// tokenizeInto cuts src into tokens, up to and including the first tkEOF,
// appending them to toks[:0].
func tokenizeInto(toks []token, src []byte, comments bool) ([]token, []iniComment) {
	lx := &lexer{src: src}
	toks = toks[:0]
	for {
		t := lx.next()
		toks = append(toks, t)
		if t.kind == tkEOF {
			break
		}
	}
	if !comments {
		return toks, nil
	}
	return toks, lx.comments
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func (lx *lexer) blanks(p int) int {
	n := 0
	for p+n < len(lx.src) && isBlank(lx.src[p+n]) {
		n++
	}
	return n
}

func (lx *lexer) newline(p int) int {
	if p >= len(lx.src) {
		return 0
	}
	switch lx.src[p] {
	case '\n':
		return 1
	case '\r':
		if p+1 < len(lx.src) && lx.src[p+1] == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

// isLabelChar: LABEL_CHAR is [^=\n\r\t;&|^$~(){}!"[\x00].
func isLabelChar(c byte) bool {
	switch c {
	case '=', '\n', '\r', '\t', ';', '&', '|', '^', '$', '~', '(', ')', '{', '}', '!', '"', '[', 0:
		return false
	}
	return true
}

func (lx *lexer) labelLen(p int) int {
	n := 0
	for p+n < len(lx.src) && isLabelChar(lx.src[p+n]) {
		n++
	}
	return n
}

// wordLen matches the boolean and null words (case-insensitive) followed by
// blanks; it returns the longest match.
func (lx *lexer) wordLen(p int) (tokKind, int) {
	best, kind := 0, tkEOF
	switch lx.src[p] | 0x20 {
	case 't', 'o', 'y', 'f', 'n':
	default:
		return kind, 0
	}
	for _, w := range boolWords {
		if p+len(w.word) <= len(lx.src) && equalFoldASCII(lx.src[p:p+len(w.word)], w.word) {
			n := len(w.word) + lx.blanks(p+len(w.word))
			if n > best {
				best, kind = n, w.kind
			}
		}
	}
	return kind, best
}

func equalFoldASCII(b []byte, s string) bool {
	for i := range b {
		if b[i]|0x20 != s[i] {
			return false
		}
	}
	return true
}

var boolWords = []struct {
	word string
	kind tokKind
}{
	{"true", tkTrue}, {"on", tkTrue}, {"yes", tkTrue},
	{"false", tkFalse}, {"off", tkFalse}, {"no", tkFalse}, {"none", tkFalse},
	{"null", tkNull},
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// constLen: CONSTANT is [a-zA-Z_][a-zA-Z0-9_]*.
func (lx *lexer) constLen(p int) int {
	if p >= len(lx.src) || !isLetter(lx.src[p]) && lx.src[p] != '_' {
		return 0
	}
	n := 1
	for p+n < len(lx.src) {
		c := lx.src[p+n]
		if !isLetter(c) && !isDigit(c) && c != '_' {
			break
		}
		n++
	}
	return n
}

// numberLen: NUMBER is -?[0-9]+ | [0-9]*\.[0-9]+ | [0-9]+\.[0-9]*.
func (lx *lexer) numberLen(p int) int {
	digits := func(q int) int {
		n := 0
		for q+n < len(lx.src) && isDigit(lx.src[q+n]) {
			n++
		}
		return n
	}
	best := 0
	q := p
	if q < len(lx.src) && lx.src[q] == '-' {
		q++
	}
	if d := digits(q); d > 0 {
		best = q - p + d
	}
	if d := digits(p); p+d < len(lx.src) && lx.src[p+d] == '.' {
		if f := digits(p + d + 1); f > 0 || d > 0 {
			if n := d + 1 + f; n > best {
				best = n
			}
		}
	}
	return best
}

// runLen returns the longest match of (single | "$"[^{\0] | "$\"ANY |
// "\"ANY)+ starting at p, where single says which bytes stand alone and
// backslash whether "\"ANY is an alternative. reachedEnd reports a match that
// ran into the end of the buffer while the expression could go on (re2c's
// YYFILL then makes PHP's scanner return "end of file").
func (lx *lexer) runLen(p int, single func(byte) bool, backslash bool) (n int, reachedEnd bool) {
	end := len(lx.src)
	// The alternatives are 1 to 3 bytes long, so whether p+i can end a
	// repetition depends on the 3 positions before it: keep a ring of 4.
	var reach [4]bool
	reach[0] = true
	best := 0
	for i := 0; p+i <= end; i++ {
		r := reach[i%4]
		reach[i%4] = false
		if !r {
			if !reach[0] && !reach[1] && !reach[2] && !reach[3] {
				break
			}
			continue
		}
		q := p + i
		if q == end {
			continue
		}
		mark := func(k int) {
			if q+k <= end {
				reach[(i+k)%4] = true
				if i+k > best {
					best = i + k
				}
			}
		}
		switch c := lx.src[q]; {
		case c == '$':
			if q+1 < end && lx.src[q+1] != '{' && lx.src[q+1] != 0 {
				mark(2)
				if lx.src[q+1] == '\\' && q+2 < end {
					mark(3)
				}
			}
		case c == '\\' && backslash:
			if q+1 < end {
				mark(2)
			} else {
				reachedEnd = true
			}
		case single(c):
			mark(1)
		}
	}
	if best > 0 && p+best == end && single(0) {
		reachedEnd = true
	}
	return best, reachedEnd
}

// valueChar: VALUE_CHARS is [^$= \t\n\r;&|^~()!"'\0] (plus LITERAL_DOLLAR).
func valueChar(c byte) bool {
	switch c {
	case '$', '=', ' ', '\t', '\n', '\r', ';', '&', '|', '^', '~', '(', ')', '!', '"', '\'', 0:
		return false
	}
	return true
}

// sectionChar: SECTION_VALUE_CHARS is [^$\n\r;"'\]\\] (plus "\"ANY and
// LITERAL_DOLLAR). It includes NUL, so a run can read past the buffer.
func sectionChar(c byte) bool {
	switch c {
	case '$', '\n', '\r', ';', '"', '\'', ']', '\\':
		return false
	}
	return true
}

// candidate is one rule's match at the current position.
type candidate struct {
	n    int // length
	prio int // rule order: lower wins a tie
	act  func() token
}

// candidates are the rules that match at one place: a handful, kept on the
// stack with their actions. Passed by value: an action stored through a
// pointer, or in a slice that may grow, is moved to the heap (33 MB for
// 1 MB of pool files).
type candidates struct {
	list [12]candidate
	n    int
}

func (cs candidates) add(n, prio int, act func() token) candidates {
	cs.list[cs.n] = candidate{n, prio, act}
	cs.n++
	return cs
}

// best is the longest match, the first rule on a tie; nil when none matched.
func (cs *candidates) best() *candidate {
	var best *candidate
	for i := range cs.list[:cs.n] {
		c := &cs.list[i]
		if c.n <= 0 {
			continue
		}
		if best == nil || c.n > best.n || c.n == best.n && c.prio < best.prio {
			best = c
		}
	}
	return best
}

// Rule priorities, in the order of zend_ini_scanner.l.
const (
	pSection = iota
	pRaw
	pSectionEnd
	pOffset
	pOffsetEnd
	pDollarCurly
	pVarname
	pVarEnd
	pBool
	pLabel
	pEquals
	pValueEOL
	pConstant
	pNumber
	pTokens
	pOperator
	pValueEquals
	pValueChars
	pSectionChars
	pQuoteOpen
	pQuoteClose
	pQuoted
	pWhitespace
	pEatBlanks
	pInitialEOL
	pComment
	pAny
)

func (lx *lexer) tok(kind tokKind, start, end int, text string) token {
	lx.p = end
	return token{kind: kind, text: text, off: start, end: end}
}

func (lx *lexer) char(c byte, start, end int) token {
	lx.p = end
	return token{kind: tkChar, c: c, off: start, end: end}
}

func (lx *lexer) eof() token {
	lx.p = len(lx.src)
	return token{kind: tkEOF, off: len(lx.src), end: len(lx.src)}
}

// eofAt is the "end of file" PHP's scanner returns on a byte no rule
// matches, or on a quote never closed; off and c name that byte, for
// messages.
func (lx *lexer) eofAt(off int, c byte) token {
	lx.p = len(lx.src)
	return token{kind: tkEOF, c: c, off: off, end: off}
}

func (lx *lexer) comment(p int) int {
	b := lx.blanks(p)
	if p+b >= len(lx.src) || lx.src[p+b] != ';' {
		return 0
	}
	q := p + b + 1
	for q < len(lx.src) && lx.src[q] != '\n' && lx.src[q] != '\r' {
		q++
	}
	return q - p + lx.newline(q)
}

func (lx *lexer) takeComment(p, n int) {
	semi := p + lx.blanks(p)
	text := lx.src[semi+1 : p+n]
	for len(text) > 0 && (text[len(text)-1] == '\n' || text[len(text)-1] == '\r') {
		text = text[:len(text)-1]
	}
	lx.comments = append(lx.comments, iniComment{off: semi, text: string(text)})
}

func trimBlanks(b []byte) (string, int) {
	lead := 0
	for lead < len(b) && isBlank(b[lead]) {
		lead++
	}
	end := len(b)
	for end > lead && (isBlank(b[end-1]) || b[end-1] == '\n' || b[end-1] == '\r') {
		end--
	}
	return string(b[lead:end]), lead
}

// next returns the next token.
func (lx *lexer) next() token {
	for {
		p := lx.p
		if p >= len(lx.src) {
			if lx.state == stValue {
				lx.state = stInitial
				return token{kind: tkEOL, off: p, end: p}
			}
			return lx.eof()
		}
		if p == 0 && len(lx.src) > 3 && lx.src[0] == utf8BOM[0] && lx.src[1] == utf8BOM[1] && lx.src[2] == utf8BOM[2] {
			lx.p = 3
			continue
		}
		var t token
		var skip bool
		switch lx.state {
		case stInitial:
			t, skip = lx.initial(p)
		case stValue:
			t = lx.value(p)
		case stSection, stOffset:
			t = lx.sectionOrOffset(p)
		case stQuotes:
			t = lx.quotes(p)
		case stVarname:
			t = lx.varname(p)
		}
		if !skip {
			return t
		}
	}
}

func (lx *lexer) initial(p int) (token, bool) {
	src := lx.src
	c := src[p]
	var cands candidates
	if c == '[' {
		cands = cands.add(1, pSection, func() token {
			lx.push(stSection)
			return lx.tok(tkSection, p, p+1, "")
		})
	}
	if l := lx.labelLen(p); l > 0 {
		if p+l < len(src) && src[p+l] == '[' {
			n := l + 1 + lx.blanks(p+l+1)
			cands = cands.add(n, pOffset, func() token {
				name, lead := trimBlanks(src[p : p+l])
				lx.push(stOffset)
				t := lx.tok(tkOffset, p+lead, p+n, name)
				return t
			})
		}
		cands = cands.add(l, pLabel, func() token {
			name, lead := trimBlanks(src[p : p+l])
			return lx.tok(tkLabel, p+lead, p+l, name)
		})
	}
	if kind, n := lx.wordLen(p); n > 0 {
		cands = cands.add(n, pBool, func() token {
			return lx.tok(kind, p, p+n, boolText(kind))
		})
	}
	b := lx.blanks(p)
	if p+b < len(src) && src[p+b] == '=' {
		n := b + 1 + lx.blanks(p+b+1)
		cands = cands.add(n, pEquals, func() token {
			lx.push(stValue)
			return lx.char('=', p+b, p+n)
		})
	}
	if strings.IndexByte(":,.[]\"'()&|^+-/*=%$!~<>?@{}", c) >= 0 {
		cands = cands.add(1, pTokens, func() token { return lx.char(c, p, p+1) })
	}
	skip := false
	if b > 0 {
		cands = cands.add(b, pEatBlanks, func() token {
			lx.p = p + b
			skip = true
			return token{}
		})
	}
	if nl := lx.newline(p + b); nl > 0 {
		cands = cands.add(b+nl, pInitialEOL, func() token { return lx.tok(tkEOL, p, p+b+nl, "") })
	}
	if n := lx.comment(p); n > 0 {
		cands = cands.add(n, pComment, func() token {
			lx.takeComment(p, n)
			return lx.tok(tkEOL, p, p+n, "")
		})
	}
	best := cands.best()
	if best == nil {
		return lx.eof(), false
	}
	t := best.act()
	return t, skip
}

func boolText(k tokKind) string {
	if k == tkTrue {
		return "1"
	}
	return ""
}

func (lx *lexer) value(p int) token {
	src := lx.src
	c := src[p]
	if c == '\'' {
		if q := indexByteFrom(src, '\'', p+1); q > p+1 {
			return lx.tok(tkRaw, p, q+1, string(src[p+1:q]))
		} else if q < 0 {
			// No closing quote: the match runs past the end of the
			// buffer, and PHP's scanner then returns "end of file".
			return lx.eofAt(p, '\'')
		}
		// An empty '' matches no rule; see the end of this function.
	}
	var cands candidates
	if c == '$' && p+1 < len(src) && src[p+1] == '{' {
		cands = cands.add(2, pDollarCurly, func() token {
			lx.push(stVarname)
			return lx.tok(tkDollarCurly, p, p+2, "")
		})
	}
	if kind, n := lx.wordLen(p); n > 0 {
		cands = cands.add(n, pBool, func() token {
			return lx.tok(kind, p, p+n, boolText(kind))
		})
	}
	b := lx.blanks(p)
	if nl := lx.newline(p + b); nl > 0 {
		cands = cands.add(b+nl, pValueEOL, func() token {
			lx.state = stInitial
			return lx.tok(tkEOL, p, p+b+nl, "")
		})
	}
	if n := lx.constLen(p); n > 0 {
		cands = cands.add(n, pConstant, func() token {
			return lx.tok(tkConstant, p, p+n, string(src[p:p+n]))
		})
	}
	if n := lx.numberLen(p); n > 0 {
		cands = cands.add(n, pNumber, func() token {
			return lx.tok(tkNumber, p, p+n, string(src[p:p+n]))
		})
	}
	switch c {
	case '&', '|', '^', '~', '(', ')', '!':
		n := 1 + lx.blanks(p+1)
		cands = cands.add(n, pOperator, func() token { return lx.char(c, p, p+n) })
	case '=':
		cands = cands.add(1, pValueEquals, func() token {
			// "=" inside a value ends it; the "=" is read again as the
			// start of an option, which is a syntax error.
			lx.state = stInitial
			return token{kind: tkEOL, off: p, end: p}
		})
	}
	if n, _ := lx.runLen(p, valueChar, false); n > 0 {
		cands = cands.add(n, pValueChars, func() token {
			return lx.tok(tkString, p, p+n, string(src[p:p+n]))
		})
	}
	cands = lx.quoteOrBlanks(cands, p, b)
	if n := lx.comment(p); n > 0 {
		cands = cands.add(n, pComment, func() token {
			lx.takeComment(p, n)
			lx.state = stInitial
			return lx.tok(tkEOL, p, p+n, "")
		})
	}
	best := cands.best()
	if best == nil {
		// A byte no rule of a value matches (the first quote of an empty
		// '', a '$' at the very end) ends the value and is dropped; the
		// scanner goes on as at the start of a line. Measured on PHP 8.2:
		// "a = '' b = 1" sets a = "" and "'b" = "1"; "a = $" at the end of
		// the input sets a = "".
		lx.state = stInitial
		return lx.tok(tkEOL, p, p+1, "")
	}
	return lx.run(best, p, b)
}

func indexByteFrom(b []byte, c byte, from int) int {
	if from >= len(b) {
		return -1
	}
	i := strings.IndexByte(string(b[from:]), c)
	if i < 0 {
		return -1
	}
	return from + i
}

func (lx *lexer) sectionOrOffset(p int) token {
	src := lx.src
	c := src[p]
	if c == '\'' {
		if q := indexByteFrom(src, '\'', p+1); q > p+1 {
			return lx.tok(tkRaw, p, q+1, string(src[p+1:q]))
		}
		return lx.eofAt(p, '\'')
	}
	var cands candidates
	b := lx.blanks(p)
	if p+b < len(src) && src[p+b] == ']' {
		if lx.state == stSection {
			n := b + 1
			n += lx.blanks(p + n)
			n += lx.newline(p + n)
			cands = cands.add(n, pSectionEnd, func() token {
				lx.state = stInitial
				return lx.char(']', p+b, p+n)
			})
		} else {
			cands = cands.add(b+1, pOffsetEnd, func() token {
				lx.state = stInitial
				return lx.char(']', p+b, p+b+1)
			})
		}
	}
	if c == '$' && p+1 < len(src) && src[p+1] == '{' {
		cands = cands.add(2, pDollarCurly, func() token {
			lx.push(stVarname)
			return lx.tok(tkDollarCurly, p, p+2, "")
		})
	}
	if n := lx.constLen(p); n > 0 {
		cands = cands.add(n, pConstant, func() token {
			return lx.tok(tkConstant, p, p+n, string(src[p:p+n]))
		})
	}
	if n := lx.numberLen(p); n > 0 {
		cands = cands.add(n, pNumber, func() token {
			return lx.tok(tkNumber, p, p+n, string(src[p:p+n]))
		})
	}
	n, atEnd := lx.runLen(p, sectionChar, true)
	if n > 0 {
		cands = cands.add(n, pSectionChars, func() token {
			if atEnd {
				return lx.eofAt(len(src), 0)
			}
			return lx.tok(tkString, p, p+n, string(src[p:p+n]))
		})
	}
	cands = lx.quoteOrBlanks(cands, p, b)
	best := cands.best()
	if best == nil {
		return lx.eofAt(p, c)
	}
	return lx.run(best, p, b)
}

func (lx *lexer) quotes(p int) token {
	src := lx.src
	if src[p] == '$' && p+1 < len(src) && src[p+1] == '{' {
		lx.push(stVarname)
		return lx.tok(tkDollarCurly, p, p+2, "")
	}
	if src[p] == '"' {
		n := 1 + lx.blanks(p+1)
		lx.pop()
		return lx.char('"', p, p+n)
	}
	// A chunk of the string: up to a '"' or a "${". A backslash escapes the
	// next byte, except that \" followed by the end of the line closes the
	// string (for Windows paths such as "C:\dir\").
	s := p
	for s < len(src) {
		c := src[s]
		s++
		switch c {
		case '"':
			s--
			return lx.tok(tkQuoted, p, s, unescapeQuoted(src[p:s]))
		case '$':
			if s < len(src) && src[s] == '{' {
				s--
				return lx.tok(tkQuoted, p, s, unescapeQuoted(src[p:s]))
			}
		case '\\':
			if s < len(src) {
				esc := src[s]
				s++
				if esc == '"' && (s >= len(src) || src[s] == '\n' || src[s] == '\r') {
					s--
					return lx.tok(tkQuoted, p, s, unescapeQuoted(src[p:s]))
				}
			}
		}
	}
	return lx.tok(tkQuoted, p, s, unescapeQuoted(src[p:s]))
}

// unescapeQuoted turns \" \\ and \$ into the character; other backslashes
// stay.
func unescapeQuoted(b []byte) string {
	if strings.IndexByte(string(b), '\\') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case '"', '\\', '$':
				out = append(out, b[i+1])
				i++
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func (lx *lexer) varname(p int) token {
	src := lx.src
	if src[p] == '}' {
		lx.pop()
		return lx.char('}', p, p+1)
	}
	if l := lx.labelLen(p); l > 0 {
		name, _ := trimBlanks(src[p : p+l])
		return lx.tok(tkVarname, p, p+l, name)
	}
	return lx.eofAt(p, src[p])
}

// ---- parser ----

type eventKind uint8

const (
	evSection eventKind = iota + 1
	evEntry
	evArray
)

// iniEvent is what the parser hands to its caller, like PHP's
// ZEND_INI_PARSER_SECTION, _ENTRY and _POP_ENTRY callbacks.
type iniEvent struct {
	kind     eventKind
	name     string // section name, key, or array name
	offset   string // array key
	value    string
	hasValue bool // false for a key alone on its line
	keyOff   int  // where the key (or the '[' of a section) starts
	valOff   int  // where the value starts
}

// iniError is a syntax error, as bison reports it.
type iniError struct {
	off        int
	unexpected token
	expecting  string
	quoteOff   int   // the opening '"' of a string never closed, or -1
	prev       token // the token before the unexpected one
}

func (e *iniError) phpMessage() string {
	m := "syntax error, unexpected " + e.unexpected.name()
	if e.expecting != "" {
		m += ", expecting " + e.expecting
	}
	return m
}

// resolver gives ${NAME} and constants their values.
type resolver struct {
	// vars looks a ${NAME} up: php.ini directives read so far (for php.ini
	// itself), then the environment.
	vars func(string) (string, bool)
	// consts looks a constant up; unknown names stay as written.
	consts func(string) (string, bool)
	// fallback enables ${NAME:-default} (PHP 8.3+).
	fallback bool
}

type parser struct {
	toks   []token
	i      int
	res    *resolver
	events []iniEvent
	err    *iniError
	// emit, when set, gets each event as it is parsed, before the rest is
	// (php.ini's ${NAME} sees the directives above it).
	emit func(iniEvent)
}

// parseINI parses src (one php-fpm line with its newline, or a whole php.ini).
// It returns the events up to the first syntax error, the error, and the
// comments.
func parseINI(src []byte, res *resolver) ([]iniEvent, *iniError, []iniComment) {
	return parseINIFunc(src, res, nil)
}

// parseINIFunc is parseINI calling emit with each event as it is parsed.
func parseINIFunc(src []byte, res *resolver, emit func(iniEvent)) ([]iniEvent, *iniError, []iniComment) {
	// php-fpm parses its files line by line: the token buffer serves the
	// next line (the parser keeps no token past its return).
	buf := tokenBuffers.Get().(*[]token)
	toks, comments := tokenizeInto(*buf, src, true)
	p := &parser{toks: toks, res: res, emit: emit}
	p.statements()
	clear(toks) // keep no string of src alive in the pool
	*buf = toks[:0]
	tokenBuffers.Put(buf)
	return p.events, p.err, comments
}

var tokenBuffers = sync.Pool{New: func() any { return new([]token) }}

func (p *parser) add(ev iniEvent) {
	p.events = append(p.events, ev)
	if p.emit != nil {
		p.emit(ev)
	}
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) advance() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) fail(t token, expecting string) {
	if p.err == nil {
		p.err = &iniError{off: t.off, unexpected: t, expecting: expecting, quoteOff: -1}
		if p.i > 0 {
			p.err.prev = p.toks[p.i-1]
		}
	}
}

func (p *parser) statements() {
	for p.err == nil {
		t := p.peek()
		switch t.kind {
		case tkEOF:
			return
		case tkEOL:
			p.advance()
		case tkSection:
			p.advance()
			name, _ := p.stringList(false)
			if p.err != nil {
				return
			}
			if !p.peek().is(']') {
				p.fail(p.peek(), "']'")
				return
			}
			p.advance()
			p.add(iniEvent{kind: evSection, name: name, keyOff: t.off})
		case tkLabel:
			p.advance()
			if !p.peek().is('=') {
				p.add(iniEvent{kind: evEntry, name: t.text, keyOff: t.off})
				continue
			}
			eq := p.advance()
			valOff := p.peek().off
			if valOff < eq.end {
				valOff = eq.end
			}
			v, ok := p.stringOrValue()
			if !ok {
				return
			}
			p.add(iniEvent{kind: evEntry, name: t.text, value: v, hasValue: true, keyOff: t.off, valOff: valOff})
		case tkOffset:
			p.advance()
			off, _ := p.stringList(true)
			if p.err != nil {
				return
			}
			if !p.peek().is(']') {
				p.fail(p.peek(), "']'")
				return
			}
			p.advance()
			if !p.peek().is('=') {
				p.fail(p.peek(), "'='")
				return
			}
			eq := p.advance()
			valOff := p.peek().off
			if valOff < eq.end {
				valOff = eq.end
			}
			v, ok := p.stringOrValue()
			if !ok {
				return
			}
			p.add(iniEvent{kind: evArray, name: t.text, offset: off, value: v, hasValue: true, keyOff: t.off, valOff: valOff})
		default:
			p.fail(t, "")
			return
		}
	}
}

func (p *parser) stringOrValue() (string, bool) {
	t := p.peek()
	switch t.kind {
	case tkTrue, tkFalse, tkNull:
		p.advance()
		return t.text, true
	case tkEOL:
		p.advance()
		return "", true
	}
	v := p.expr()
	return v, p.err == nil
}

func (p *parser) expr() string {
	left := p.unary()
	for p.err == nil {
		t := p.peek()
		if !t.is('|') && !t.is('&') && !t.is('^') {
			break
		}
		p.advance()
		right := p.unary()
		if p.err != nil {
			break
		}
		left = iniOp(t.c, left, right)
	}
	return left
}

func (p *parser) unary() string {
	t := p.peek()
	switch {
	case t.is('~'), t.is('!'):
		p.advance()
		v := p.unary()
		return iniOp(t.c, v, "")
	case t.is('('):
		p.advance()
		v := p.expr()
		if p.err != nil {
			return ""
		}
		if !p.peek().is(')') {
			p.fail(p.peek(), "'^' or '|' or '&' or ')'")
			return ""
		}
		p.advance()
		return v
	}
	v, n := p.stringList(true)
	if p.err == nil && n == 0 {
		p.fail(p.peek(), "")
	}
	return v
}

// stringList reads var_string_list (resolve: constants are looked up) or
// var_string_list_section, returning the concatenation and the item count.
func (p *parser) stringList(resolve bool) (string, int) {
	var b strings.Builder
	n := 0
	for p.err == nil {
		t := p.peek()
		switch t.kind {
		case tkDollarCurly:
			b.WriteString(p.varRef())
		case tkConstant:
			p.advance()
			if resolve {
				b.WriteString(p.res.constant(t.text))
			} else {
				b.WriteString(t.text)
			}
		case tkRaw, tkNumber, tkString, tkWhitespace:
			p.advance()
			b.WriteString(t.text)
		case tkChar:
			if t.c != '"' {
				return b.String(), n
			}
			open := p.advance()
			b.WriteString(p.encapsed(open.off))
		default:
			return b.String(), n
		}
		n++
	}
	return b.String(), n
}

func (p *parser) encapsed(open int) string {
	var b strings.Builder
	for p.err == nil {
		t := p.peek()
		switch {
		case t.kind == tkDollarCurly:
			b.WriteString(p.varRef())
		case t.kind == tkQuoted:
			p.advance()
			b.WriteString(t.text)
		case t.is('"'):
			p.advance()
			return b.String()
		default:
			p.fail(t, "TC_DOLLAR_CURLY or TC_QUOTED_STRING or '\"'")
			if t.kind == tkEOF {
				p.err.quoteOff = open
			}
		}
	}
	return ""
}

func (p *parser) varRef() string {
	p.advance() // ${
	t := p.peek()
	if t.kind != tkVarname {
		p.fail(t, "TC_VARNAME")
		return ""
	}
	p.advance()
	if !p.peek().is('}') {
		p.fail(p.peek(), "'}'")
		return ""
	}
	p.advance()
	return p.res.variable(t.text)
}

func (r *resolver) constant(name string) string {
	switch strings.ToLower(name) {
	case "true":
		return "1"
	case "false", "null":
		return ""
	}
	if r != nil && r.consts != nil {
		if v, ok := r.consts(name); ok {
			return v
		}
	}
	return name
}

func (r *resolver) variable(name string) string {
	def := ""
	if r != nil && r.fallback {
		if i := strings.Index(name, ":-"); i >= 0 {
			name, def = strings.TrimSpace(name[:i]), strings.TrimSpace(name[i+2:])
		}
	}
	if r != nil && r.vars != nil {
		if v, ok := r.vars(name); ok {
			return v
		}
	}
	return def
}

// iniOp applies a bitwise or logical operator as zend_ini_do_op: both sides
// are read with atoi into a C int, and the result is printed back.
func iniOp(op byte, a, b string) string {
	x, y := atoi32(a), atoi32(b)
	var r int32
	switch op {
	case '|':
		r = x | y
	case '&':
		r = x & y
	case '^':
		r = x ^ y
	case '~':
		r = ^x
	case '!':
		if x == 0 {
			r = 1
		}
	}
	return strconv.FormatInt(int64(r), 10)
}

// atoi32 is C's atoi on glibc (fpmconf.Atoi).
func atoi32(s string) int32 { return fpmconf.Atoi(s) }

// quoteOrBlanks adds the two rules most scanner states share: an opening
// quote after b blanks, and the b blanks themselves. Their actions are
// sharedAct's, not closures: a closure made here and returned would take
// the lexer to the heap.
func (lx *lexer) quoteOrBlanks(cands candidates, p, b int) candidates {
	if p+b < len(lx.src) && lx.src[p+b] == '"' {
		cands = cands.add(b+1, pQuoteOpen, nil)
	}
	if b > 0 {
		cands = cands.add(b, pWhitespace, nil)
	}
	return cands
}

// run does what best matched at p, after b blanks.
func (lx *lexer) run(best *candidate, p, b int) token {
	switch {
	case best.act != nil:
		return best.act()
	case best.prio == pQuoteOpen:
		lx.push(stQuotes)
		return lx.char('"', p+b, p+b+1)
	}
	return lx.tok(tkWhitespace, p, p+b, string(lx.src[p:p+b]))
}
