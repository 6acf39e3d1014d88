package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

// FPMInvalidValue finds PHP-FPM values php-fpm cannot read.
var FPMInvalidValue = &lint.Rule{
	ID:       "fpm-invalid-value",
	Title:    "PHP-FPM value php-fpm cannot read",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `php-fpm reads each value as its directive's type and refuses to start at the first one it cannot
read ("unable to parse value for entry 'pm.max_requests': is not a valid number (greater or equal
than zero)"): every site behind it answers 502. It is strict:
numbers are digits only (no 5k, 5.0, "5 000" or +5); times are a number with an optional s, m, h or
d, lowercase (30x, 5S and an empty value fail); booleans are yes/no, on/off, true/false, 1/0 — but a
quoted "Yes" or "maybe" or 2 fails; pm is static, dynamic or ondemand; log_level, syslog.facility
and rlimit_core take their own words; env[NAME] needs a value; php_flag[] needs a boolean.
A later line with a good value does not help: php-fpm stops at the first bad one.`,
	Bad: `[www]
pm.max_requests = 5k`,
	Good: `[www]
pm.max_requests = 5000`,
	Fix:   "Write the value in the form php-fpm reads: the message says which.",
	Check: checkFPMInvalidValue,
}

func checkFPMInvalidValue(m *lint.Model, r *lint.Reporter) {
	for l := range fpmLines(m) {
		e := l.entry
		if e.Array {
			if msg := fpmconf.ArrayValueError(e.Name, e.Index, e.Value); msg != "" {
				r.Report(arrayValueFinding(l, msg))
			}
			continue
		}
		global := l.pool == nil
		msg := fpmconf.ValueError(global, e.Key, e.Value)
		if msg == "" || strings.HasPrefix(msg, "unknown entry") || strings.Contains(msg, "$pool") {
			continue // fpm-unknown-key and fpm-pool-variable-in-global
		}
		kind, _ := fpmconf.PoolKey(e.Key)
		if global {
			kind, _ = fpmconf.GlobalKey(e.Key)
		}
		what, fix, replacement := describeBadValue(kind, e)
		f := lint.Finding{
			Span:        entrySpan(e),
			Message:     fmt.Sprintf("%s in %s %s: php-fpm fails with %q; %s", entryText(e), l.section(), what, msg, fix),
			Consequence: readFailure(e, msg),
			Fix:         &lint.Fix{Text: fix},
		}
		if replacement != "" {
			f.Fix.Replacement = e.Key + " = " + replacement
			f.Fix.Span = entrySpan(e)
		}
		r.Report(f)
	}
}

var (
	numberWithUnit = regexp.MustCompile(`^\d+\s*[kKmMgG]$`)
	spacedNumber   = regexp.MustCompile(`^-?\d+(\s+\d+)+$`)
	roundFloat     = regexp.MustCompile(`^(-?\d+)\.0*$`)
)

// describeBadValue says what is wrong with a value of a kind, what to write
// instead, and the value to write when there is one obvious.
func describeBadValue(kind fpmconf.KeyKind, e *lint.Entry) (what, fix, replacement string) {
	v := e.Value
	switch kind {
	case fpmconf.KeyInt, fpmconf.KeyRlimit:
		what = "is not a whole number"
		fix = "write digits only"
		switch {
		case numberWithUnit.MatchString(v):
			fix = "php-fpm takes no units here: write the number in full"
		case spacedNumber.MatchString(v):
			fix = "write the digits without blanks"
			replacement = strings.Join(strings.Fields(v), "")
		case roundFloat.MatchString(v):
			fix = "write a whole number"
			replacement = roundFloat.FindStringSubmatch(v)[1]
		case kind == fpmconf.KeyRlimit:
			fix = "write a number of 0 or more, or unlimited"
		}
	case fpmconf.KeyTime:
		what = "is not a time"
		fix = "write a number of seconds, or a number followed by s, m, h or d"
		if v == "" {
			what = "has no value"
		} else if last := v[len(v)-1]; strings.IndexByte("SMHD", last) >= 0 {
			fix = "the unit must be lowercase"
			replacement = v[:len(v)-1] + strings.ToLower(string(last))
		}
	case fpmconf.KeyBool:
		what = "is not a boolean"
		fix = "write yes or no"
		if word := strings.ToLower(unquote(e.Raw)); e.Raw != unquote(e.Raw) {
			switch word {
			case "yes", "on", "true", "1":
				fix, replacement = "write it without quotes", "yes"
			case "no", "off", "false", "0", "none":
				fix, replacement = "write it without quotes", "no"
			}
		}
	case fpmconf.KeyPM:
		what, fix = "is not a process manager", "write static, dynamic or ondemand"
	case fpmconf.KeyLogLevel:
		what, fix = "is not a log level", "write debug, notice, warning, error or alert"
	case fpmconf.KeyFacility:
		what, fix = "is not a syslog facility", "write daemon (the default), user, local0 … local7 or another facility syslog(3) names"
	default:
		what, fix = "is refused", "correct the value"
	}
	return what, fix, replacement
}

// arrayValueFinding reports a name[key] line php-fpm refuses.
func arrayValueFinding(l fpmLine, msg string) lint.Finding {
	e := l.entry
	f := lint.Finding{
		Span:        entrySpan(e),
		Consequence: readFailure(e, msg),
	}
	switch e.Name {
	case "env":
		f.Message = fmt.Sprintf("%s in %s has no value: php-fpm fails with %q; give it a value, or remove the line", entryText(e), l.section(), msg)
		f.Fix = &lint.Fix{Text: "give the variable a value, or remove the line"}
	case "php_flag", "php_admin_flag":
		f.Message = fmt.Sprintf("%s in %s is not a boolean: php-fpm fails with %q; write on or off", entryText(e), l.section(), msg)
		f.Fix = &lint.Fix{Text: "write on or off"}
	default:
		f.Message = fmt.Sprintf("%s in %s is refused: php-fpm fails with %q", entryText(e), l.section(), msg)
		f.Fix = &lint.Fix{Text: "write access.suppress_path[] = /path, one path per line"}
	}
	return f
}
