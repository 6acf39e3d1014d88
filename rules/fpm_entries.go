package rules

import (
	"fmt"
	"iter"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

// Helpers of the rules that predict php-fpm's startup checks (fpm-unknown-key,
// fpm-invalid-value, fpm-pool-incomplete, fpm-pm-range, …). php-fpm reads its
// files one line at a time and stops at the first line it refuses, then
// checks every pool (fpm_conf_process_all_pools) and stops at the first
// problem: the rules report each problem, quoting what php-fpm prints.

// fpmLine is one entry with the section it is in: a pool, or [global] when
// pool is nil.
type fpmLine struct {
	fpm   *lint.FPM
	pool  *lint.Pool
	entry *lint.Entry
}

// fpmLines lists every key = value line of every php-fpm, [global] first,
// then each pool's lines in file order. The lines before the first [name]
// of a pool file checked alone are left out: their section depends on the
// file that includes it.
func fpmLines(m *lint.Model) iter.Seq[fpmLine] {
	return func(yield func(fpmLine) bool) {
		for _, f := range m.FPMs {
			for _, e := range f.GlobalEntries {
				if !f.Standalone && !yield(fpmLine{fpm: f, entry: e}) {
					return
				}
			}
			for _, p := range f.Pools {
				for _, e := range p.Entries {
					if !yield(fpmLine{fpm: f, pool: p, entry: e}) {
						return
					}
				}
			}
		}
	}
}

// section names where the line is, for messages: `pool [www] (php-fpm 8.2)`
// or `[global]`.
func (l fpmLine) section() string {
	if l.pool == nil {
		return "[global]"
	}
	return poolLabel(l.pool)
}

// entryText renders the line as written: `pm.max_requests = 5k`.
func entryText(e *lint.Entry) string {
	if e.Raw == "" {
		return e.Key + " ="
	}
	return e.Key + " = " + e.Raw
}

// entrySpan covers a PHP-FPM line from its key to the end of its value.
func entrySpan(e *lint.Entry) lint.Span {
	end := e.Pos
	if e.Raw != "" && e.ValuePos.Line == e.Pos.Line {
		end = e.ValuePos
		end.Col += int32(len(e.Raw) - 1)
	}
	return lint.Span{Start: e.Pos, End: end}
}

// readFailure is the consequence of a line php-fpm refuses while reading:
// its error, with the file and line as php-fpm prints them.
func readFailure(e *lint.Entry, msg string) string {
	return fmt.Sprintf("php-fpm does not start (php-fpm -t fails): ERROR: [%s:%d] %s", e.Pos.File, e.Pos.Line, msg)
}

// poolFailure is the consequence of a pool php-fpm refuses after reading
// every file: level is ERROR or ALERT, as php-fpm logs it.
func poolFailure(p *lint.Pool, level, msg string) string {
	return fmt.Sprintf("php-fpm does not start (php-fpm -t fails): %s: [pool %s] %s", level, p.Name, msg)
}

// lastEntry returns the last line of the pool that sets key (the one in
// force), or nil.
func lastEntry(p *lint.Pool, key string) *lint.Entry {
	for i := len(p.Entries) - 1; i >= 0; i-- {
		e := p.Entries[i]
		if !e.Array && lint.LowerASCII(e.Key) == key {
			return e
		}
	}
	return nil
}

// poolInt is the integer php-fpm holds for a pool key: its last line's value,
// or def when the pool does not set it. ok is false when that value is not a
// number php-fpm accepts (fpm-invalid-value reports it).
func poolInt(p *lint.Pool, key string, def int) (n int, e *lint.Entry, ok bool) {
	e = lastEntry(p, key)
	if e == nil {
		return def, nil, true
	}
	n, ok = fpmconf.ParseInt(e.Value)
	return n, e, ok
}

// poolSeconds is poolInt for a time value, in seconds.
func poolSeconds(p *lint.Pool, key string, def int) (n int, e *lint.Entry, ok bool) {
	e = lastEntry(p, key)
	if e == nil {
		return def, nil, true
	}
	n, ok = fpmconf.ParseTime(e.Value)
	return n, e, ok
}

// poolString is the string value of a pool key and whether a line sets it.
func poolString(p *lint.Pool, key string) (string, *lint.Entry) {
	e := lastEntry(p, key)
	if e == nil {
		return "", nil
	}
	return e.Value, e
}

// entryRelated points at a line that explains a finding.
func entryRelated(e *lint.Entry, msg string) lint.Related {
	return lint.Related{Pos: e.Pos, Message: msg}
}

// unquote strips the quotes of a raw INI value.
func unquote(raw string) string {
	if len(raw) >= 2 && (raw[0] == '"' && raw[len(raw)-1] == '"' || raw[0] == '\'' && raw[len(raw)-1] == '\'') {
		return raw[1 : len(raw)-1]
	}
	return raw
}

// quotedList renders names as `a, b or c`.
func quotedList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
