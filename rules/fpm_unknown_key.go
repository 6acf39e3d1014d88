package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/fpmconf"
)

// FPMUnknownKey finds PHP-FPM directives php-fpm does not know where they are.
var FPMUnknownKey = &lint.Rule{
	ID:       "fpm-unknown-key",
	Title:    "PHP-FPM directive php-fpm does not know in its section",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `php-fpm refuses to start at the first line whose directive it does not know in that section:
"unknown entry 'pm.max_childs'". Every site behind it then answers 502. This happens with a typo
(pm.max_childs, pm-max-children), a [global] directive written in a pool (process_control_timeout,
emergency_restart_threshold, log_level) or a pool directive in [global] (pm.max_children; also a
pool file whose lines come before its first [name] header, read in the [global] section of the file
that includes it). Names are case-insensitive, but include= must be lowercase.
php-fpm 8.2's directives are checked (Linux build with ACL and AppArmor support, as Debian's).`,
	Bad: `[www]
pm.max_childs = 10`,
	Good: `[www]
pm.max_children = 10`,
	Fix:   "Correct the name (the closest known directive is suggested), or move the line to the section it belongs to.",
	Check: checkFPMUnknownKey,
}

func checkFPMUnknownKey(m *lint.Model, r *lint.Reporter) {
	for l := range fpmLines(m) {
		e := l.entry
		if e.Array {
			continue // the loader refuses unknown name[key] lines
		}
		global := l.pool == nil
		if known(global, e.Key) {
			continue
		}
		f := lint.Finding{
			Span:        entrySpan(e),
			Consequence: readFailure(e, fmt.Sprintf("unknown entry '%s'", e.Key)),
		}
		where := "in " + l.section()
		if global && e.Pos.File != l.fpm.File {
			where = "in [global] (no [name] header comes before it, so php-fpm reads it in the [global] section of the file that includes this one)"
		}
		lower := lint.LowerASCII(e.Key)
		why := fmt.Sprintf("php-fpm fails with \"unknown entry '%s'\"", e.Key)
		switch {
		case lower == "include":
			f.Message = fmt.Sprintf("%q %s: only a lowercase include= includes files; %s", e.Key, where, why)
			f.Fix = &lint.Fix{Text: "write include in lowercase", Replacement: "include = " + e.Raw, Span: entrySpan(e)}
		case fpmconf.KnownArrayKey(lower):
			f.Message = fmt.Sprintf("%s %s needs a name in brackets: %s", lower, where, why)
			f.Fix = &lint.Fix{Text: fmt.Sprintf("write %s[name] = value", lower)}
		case global && fpmconf.KnownPoolKey(e.Key):
			f.Message = fmt.Sprintf("%s is a pool directive, but this line is %s: %s", e.Key, where, why)
			f.Fix = &lint.Fix{Text: "move the line into the pool's section, after its [name] header"}
			if e.Pos.File != l.fpm.File {
				f.Fix.Text = "start the file with the pool's [name] header"
			}
		case !global && fpmconf.KnownGlobalKey(e.Key):
			f.Message = fmt.Sprintf("%s is a [global] directive, but this line is %s: %s", e.Key, where, why)
			f.Fix = &lint.Fix{Text: "move the line to the [global] section of php-fpm.conf"}
		default:
			f.Message = fmt.Sprintf("unknown directive %s %s: %s", e.Key, where, why)
			if s := closestKey(global, e.Key); s != "" {
				f.Message += "; did you mean " + s + "?"
				f.Fix = &lint.Fix{Text: "write " + s, Replacement: s + " = " + e.Raw, Span: entrySpan(e)}
			} else {
				f.Fix = &lint.Fix{Text: "remove the line, or write the name of a php-fpm directive of " + l.section()}
			}
		}
		r.Report(f)
	}
}

// known says whether php-fpm knows key in [global] or in a pool.
func known(global bool, key string) bool {
	if global {
		return fpmconf.KnownGlobalKey(key)
	}
	return fpmconf.KnownPoolKey(key)
}

// maxKeyEdits is how far a misspelt directive may be from the one suggested.
const maxKeyEdits = 3

// separators makes pm-max-children and pm_max.children the same words.
var separators = strings.NewReplacer("-", ".", "_", ".")

// closestKey returns the directive of the section nearest to a misspelt
// name: the same words with other separators (pm-max-children), or within a
// few edits (pm.max_childs); "" when none is near.
func closestKey(global bool, name string) string {
	keys := fpmconf.PoolKeys()
	if global {
		keys = fpmconf.GlobalKeys()
	}
	n := lint.LowerASCII(name)
	words := separators.Replace(n)
	best, bestD := "", maxKeyEdits+1
	for _, k := range keys {
		d := lint.EditDistanceWithin(n, k, maxKeyEdits)
		if separators.Replace(k) == words {
			d = 0
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" || bestD*3 > len(n) {
		return ""
	}
	return best
}
