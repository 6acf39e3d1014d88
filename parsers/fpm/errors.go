package fpm

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// The messages name what is wrong, quote what php-fpm itself prints, and say
// what to write instead.

const nullValueMsg = "value is NULL for a ZEND_INI_PARSER_ENTRY"

// syntaxError explains a syntax error in buf: one php-fpm line with its
// newline, or a whole php.ini. pos maps an offset in buf to a position.
func syntaxError(e *iniError, pos func(int) lint.Pos, buf []byte) *lint.LoadError {
	what, fix, at := describeSyntax(e, buf)
	if n := len(buf); n > 0 && buf[n-1] == '\n' && at >= n {
		// The end of the buffer is past its last line: say the end of
		// that line (a php-fpm line's buffer ends in its newline).
		at = n - 1
	}
	return &lint.LoadError{Pos: pos(at), Msg: fmt.Sprintf("%s: php-fpm fails with \"%s\"; %s", what, e.phpMessage(), fix)}
}

func describeSyntax(e *iniError, buf []byte) (what, fix string, at int) {
	u := e.unexpected
	at = min(e.off, len(buf))
	// The first non-blank byte of the line the error is on.
	lineStart := strings.LastIndexByte(string(buf[:at]), '\n') + 1
	for lineStart < len(buf) && (isBlank(buf[lineStart]) || buf[lineStart] == '\r') {
		lineStart++
	}
	oneLine := "php-fpm reads its files one line at a time, so a value cannot go on to the next line"
	switch {
	case e.quoteOff >= 0:
		return "unterminated quoted string", "close the quote on the same line (" + oneLine + ")", e.quoteOff
	case u.kind == tkEOF && u.c == '\'':
		return "unterminated single-quoted string", "close the quote on the same line (" + oneLine + ")", u.off
	case u.is('='):
		if u.off <= lineStart {
			return "line starts with '='", "write key = value", at
		}
		return "unquoted '=' inside a value", "quote the value: key = \"a=b\"", at
	case u.is('"') && u.off <= lineStart:
		return "quoted key", "write the key without quotes", at
	case u.kind == tkTrue || u.kind == tkFalse || u.kind == tkNull:
		word := strings.TrimSpace(string(buf[u.off:min(u.end, len(buf))]))
		if u.off <= lineStart {
			return fmt.Sprintf("%q cannot be a key", word), "yes, no, on, off, true, false, none and null are values", at
		}
		return fmt.Sprintf("%q is a boolean word, which PHP reads only as a whole value", word), "quote the value: key = \"…\"", at
	case e.prev.kind == tkTrue || e.prev.kind == tkFalse || e.prev.kind == tkNull:
		word := strings.TrimSpace(string(buf[e.prev.off:min(e.prev.end, len(buf))]))
		return fmt.Sprintf("%q after %q, a boolean word, which PHP reads only as a whole value", strings.TrimSpace(string(buf[u.off:min(max(u.end, u.off+1), len(buf))])), word), "quote the value: key = \"…\"", at
	case u.kind == tkChar && strings.IndexByte("|&^~!()", u.c) >= 0 && u.off > lineStart:
		return fmt.Sprintf("'%c' is an operator in PHP INI values", u.c), "quote the value: key = \"…\"", at
	case u.kind == tkChar && u.off <= lineStart:
		return fmt.Sprintf("a line cannot start with '%c'", u.c), "write key = value, and use ';' for comments", at
	case e.expecting == "TC_VARNAME" || e.expecting == "'}'":
		return "broken ${NAME} reference", "write ${NAME} with the variable's name only", at
	case e.expecting == "']'":
		if u.kind == tkEOF && u.c != 0 && u.off < len(buf) {
			return fmt.Sprintf("'%c' inside [...]", u.c), "close the section name or array key with ']' and keep ';' and quotes out of it, or quote it whole", at
		}
		return "'[' not closed by ']' on the same line", "close the section name or array key with ']'", at
	case e.expecting == "'='":
		if ls := strings.LastIndexByte(string(buf[:lineStart]), '\n') + 1; lineStart > ls && lineStart < len(buf) && buf[lineStart] == '[' {
			return "indented section header", "remove the blanks before '[': php-fpm reads \"  [name]\" as an array key without a name", lineStart
		}
		return "name[key] must be followed by '='", "write name[key] = value", at
	case u.kind == tkEOF:
		return "unexpected end of line", "finish the value on this line (" + oneLine + ")", at
	}
	return "syntax error", "fix the line so it reads key = value, [section] or ; comment", at
}

// noValueError explains a key alone on its line (php-fpm's "value is NULL").
func noValueError(ev *iniEvent, pos func(int) lint.Pos, prevValueEnd byte) *lint.LoadError {
	at := pos(ev.keyOff)
	name := ev.name
	switch {
	case strings.HasPrefix(name, "#"):
		return lint.Errorf(at, "'#' does not start a comment in PHP-FPM files: php-fpm fails with \"%s\"; use ';'", nullValueMsg)
	case prevValueEnd == '\\':
		return lint.Errorf(at, "%q has no value, because a backslash at the end of the previous line does not continue it: php-fpm fails with \"%s\"; put the whole value on one line", name, nullValueMsg)
	case strings.HasPrefix(name, "'"):
		return lint.Errorf(at, "stray quote: an empty '' ends a value in PHP INI files and the rest of the line becomes a key without a value: php-fpm fails with \"%s\"; write \"\" for an empty string", nullValueMsg)
	}
	return lint.Errorf(at, "%q has no value: php-fpm fails with \"%s\"; write %s = value (comments start with ';')", name, nullValueMsg, name)
}
