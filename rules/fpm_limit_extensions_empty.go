package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMLimitExtensionsEmpty finds pools that run any file as PHP.
var FPMLimitExtensionsEmpty = &lint.Rule{
	ID:               "fpm-limit-extensions-empty",
	Title:            "security.limit_extensions emptied: PHP-FPM runs any file as PHP",
	Severity:         lint.Warning,
	Tags:             []string{"security", "fpm"},
	SecuritySeverity: 8.1,
	Doc: `security.limit_extensions (default ".php .phar") is PHP-FPM's last line of defence: it refuses to
run a script whose name does not end in one of the listed extensions ("Access to the script
'/var/www/uploads/a.jpg' has been denied (see security.limit_extensions)"). Emptying it (also with
no, off or none, which PHP's INI reader turns into an empty value), or listing extensions that are
not PHP (.html, .jpg…), lets PHP-FPM execute any file nginx names: an uploaded image with PHP
inside, reached as /uploads/a.jpg/x.php while cgi.fix_pathinfo = 1 (the default) or through a
location that passes every URI, runs as code on the server. nginx-side existence checks
(php-location-no-existence-check) are the other half of the defence.`,
	Bad:   `security.limit_extensions =`,
	Good:  `security.limit_extensions = .php`,
	Fix:   "Keep security.limit_extensions to PHP extensions (.php, or the default .php .phar).",
	Check: checkFPMLimitExtensionsEmpty,
}

// phpExtension matches the extensions of PHP scripts.
var phpExtension = regexp.MustCompile(`^\.(php\d?|phar|phtml|pht|inc)$`)

// nonPHPExtensions returns the extensions of security.limit_extensions that
// are not PHP ones; all is true when the list is empty (every file runs).
func nonPHPExtensions(v string) (exts []string, all bool) {
	fields := strings.Fields(v)
	if len(fields) == 0 {
		return nil, true
	}
	for _, f := range fields {
		if !phpExtension.MatchString(strings.ToLower(f)) {
			exts = append(exts, f)
		}
	}
	return exts, false
}

func checkFPMLimitExtensionsEmpty(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		v, e := poolString(p, "security.limit_extensions")
		if e == nil {
			continue
		}
		exts, all := nonPHPExtensions(v)
		if !all && len(exts) == 0 {
			continue
		}
		f := lint.Finding{
			Span: entrySpan(e),
			Fix:  &lint.Fix{Text: "list only PHP extensions", Replacement: "security.limit_extensions = .php", Span: entrySpan(e)},
		}
		if all {
			read := ""
			if e.Raw != "" && unquote(e.Raw) != "" {
				read = fmt.Sprintf(" (PHP's INI reader turns %s into an empty value)", e.Raw)
			}
			f.Message = fmt.Sprintf("%s in %s empties the list%s: PHP-FPM will run any file nginx names as PHP, such as an uploaded image reached as /uploads/a.jpg/x.php", entryText(e), poolLabel(p), read)
		} else {
			f.Message = fmt.Sprintf("%s in %s lets PHP-FPM run %s files as PHP: an uploaded file with such a name and PHP code inside runs on the server", entryText(e), poolLabel(p), quotedList(exts))
		}
		r.Report(f)
	}
}
