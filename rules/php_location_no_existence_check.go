package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// PHPLocationNoExistenceCheck finds PHP locations that let PHP-FPM run an
// uploaded file as code.
var PHPLocationNoExistenceCheck = &lint.Rule{
	ID:               "php-location-no-existence-check",
	Title:            "PHP location without an existence check: uploaded files can run as PHP",
	Severity:         lint.Error,
	Tags:             []string{"security", "fastcgi", "cross-file"},
	SecuritySeverity: 9.0,
	Doc: `A location ~ \.php$ that passes every matching URI to PHP-FPM, without checking that the script
exists, also passes /uploads/avatar.jpg/x.php. SCRIPT_FILENAME is then
/var/www/uploads/avatar.jpg/x.php, which does not exist, and PHP with cgi.fix_pathinfo = 1 (its
default) walks back to /var/www/uploads/avatar.jpg and runs it: an image with PHP code inside,
uploaded through any avatar or attachment form, executes on the server. A location that passes
every URI (location / { fastcgi_pass … }) runs /uploads/avatar.jpg directly.
PHP-FPM's security.limit_extensions (default ".php .phar") refuses such files ("Access denied."),
so the hole is open when the pool behind empties that list or adds non-PHP extensions.
The rule reports an error when the pool it reaches (in the model) is open that way, and a note when
no pool was given to tell; it is silent when the pool keeps limit_extensions to PHP, or sets
cgi.fix_pathinfo = 0 for a location that only passes .php URIs.
These count as an existence check: try_files in the location (try_files $uri =404;, or
try_files $fastcgi_script_name =404; as Debian's snippets/fastcgi-php.conf does), if (!-f …) or
if (!-e …) with return or rewrite in the location or around it, the fastcgi_pass inside
if (-f …). Exact (=), named and internal locations, regexes that only match given scripts
(^/index\.php), and a SCRIPT_FILENAME that names a fixed file are not concerned.
fastcgi_split_path_info alone is no check: it only splits the URI.`,
	Bad: `location ~ \.php$ {
    include fastcgi.conf;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}`,
	Good: `location ~ \.php$ {
    try_files $uri =404;
    include fastcgi.conf;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}`,
	Fix:   "Add try_files $uri =404; (or try_files $fastcgi_script_name =404; with fastcgi_split_path_info) to the PHP location, keep security.limit_extensions = .php, and set cgi.fix_pathinfo = 0.",
	Check: checkPHPLocationNoExistenceCheck,
}

// uriScriptVars are the variables that make SCRIPT_FILENAME follow the URI.
var uriScriptVars = []string{"$fastcgi_script_name", "$uri", "$document_uri", "$request_filename", "$request_uri"}

func checkPHPLocationNoExistenceCheck(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	for _, h := range m.Nginx.Hops {
		if h.Module != "fastcgi" || h.Context != "http" || h.Block.IsZero() {
			continue
		}
		loc := h.Directive.Enclosing("location")
		if loc.IsZero() || !loc.Child("internal").IsZero() {
			continue
		}
		lm, ok := parseLocation(loc)
		if !ok || lm.modifier == "=" || lm.modifier == "@" || lm.regex() && onlyNamedScripts(lm.path) {
			continue
		}
		script := paramIn(lint.Effective(h.Block, "fastcgi_param").All(), "SCRIPT_FILENAME")
		if script.IsZero() || !followsURI(script.Arg(1)) || existenceChecked(h, loc) {
			continue
		}
		pools := hopPools(m, h)
		if len(pools) == 0 {
			if phpHop(m, h) {
				r.Report(uncheckedNote(h, loc, lm))
			}
			continue
		}
		for _, p := range pools {
			if f, open := uncheckedFinding(h, loc, lm, p); open {
				r.Report(f)
				break
			}
		}
	}
}

// onlyNamedScripts reports whether a location regex only matches scripts it
// names (^/index\.php, ^/(app|config)\.php): anchored, with no wildcard
// before \.php, so no upload directory can match.
func onlyNamedScripts(re string) bool {
	re = strings.TrimPrefix(re, "(?i)")
	if !strings.HasPrefix(re, "^") {
		return false
	}
	head := re
	if i := strings.Index(lint.LowerASCII(re), `\.php`); i >= 0 {
		head = re[:i]
	}
	return !regexWildcard.MatchString(head)
}

// regexWildcard finds a part of a regex that matches any directory.
var regexWildcard = regexp.MustCompile(`\.[*+?]|\.\{|\\[SWw][*+]|\[\^?[^\]]*\][*+]|\)[*+]`)

// followsURI reports whether a SCRIPT_FILENAME value is built from the URI.
func followsURI(v string) bool {
	for _, u := range uriScriptVars {
		if strings.Contains(v, u) {
			return true
		}
	}
	return false
}

// existenceChecked reports whether nginx checks that the script exists
// before the fastcgi_pass: try_files in the location (or the if around the
// pass), an if (!-f …)/(!-e …) with return or rewrite there or around it,
// or the pass inside if (-f …).
func existenceChecked(h *lint.Hop, loc lint.Directive) bool {
	inLocation := true
	for b := h.Directive.Parent(); !b.IsZero(); b = b.Parent() {
		if inLocation && !b.Child("try_files").IsZero() {
			return true
		}
		if b.Name() == "if" && fileTest(b) == "-f" {
			return true
		}
		for _, i := range b.Children("if") {
			if t := fileTest(i); (t == "!-f" || t == "!-e") && (!i.Child("return").IsZero() || !i.Child("rewrite").IsZero()) {
				return true
			}
		}
		if b == loc {
			inLocation = false
		}
		if b.Name() == "server" {
			break
		}
	}
	return false
}

// fileTest returns the file test of an if condition: "-f", "!-f", "-e",
// "!-e", or "".
func fileTest(i lint.Directive) string {
	cond := strings.TrimPrefix(strings.Join(i.ArgValues(), " "), "(")
	for _, t := range []string{"!-f", "!-e", "-f", "-e"} {
		if strings.HasPrefix(strings.TrimSpace(cond), t) {
			return t
		}
	}
	return ""
}

// fixPathinfo reports whether PHP's cgi.fix_pathinfo is on in a pool, with
// the value and where it is set (nil for PHP's default).
func fixPathinfo(p *lint.Pool) (on bool, v *lint.Value) {
	v = p.PHPSetting("cgi.fix_pathinfo")
	if v == nil {
		return true, nil
	}
	switch strings.ToLower(strings.TrimSpace(v.Value)) {
	case "0", "", "off", "false", "no", "none":
		return false, v
	}
	return true, v
}

// uncheckedFinding reports an unchecked location whose pool runs non-PHP
// files; open is false when the pool is protected.
func uncheckedFinding(h *lint.Hop, loc lint.Directive, lm locationMatch, p *lint.Pool) (lint.Finding, bool) {
	limit := p.Get("security.limit_extensions")
	exts, all := nonPHPExtensions(limit.Value)
	if !all && len(exts) == 0 {
		return lint.Finding{}, false
	}
	pathinfo, fpv := fixPathinfo(p)
	passesAll := !lm.regex()
	if !pathinfo && !passesAll {
		return lint.Finding{}, false
	}
	runs, setting := "any file", "security.limit_extensions is empty"
	if !all {
		runs, setting = quotedList(exts)+" files", "security.limit_extensions = "+strings.TrimSpace(limit.Value)
	}
	how := fmt.Sprintf("a request for /uploads/avatar.jpg/x.php makes PHP-FPM run /uploads/avatar.jpg (cgi.fix_pathinfo = %s)", fixPathinfoText(fpv))
	if passesAll {
		how = "a request for /uploads/avatar.jpg makes PHP-FPM run it"
	}
	f := lint.Finding{
		Span: loc.Span(),
		Message: fmt.Sprintf("location %s passes requests to PHP-FPM without checking that the script exists, and %s runs %s as PHP (%s): %s — an uploaded file with PHP code inside runs on the server",
			strings.Join(loc.ArgValues(), " "), poolLabel(p), runs, setting, how),
		Consequence: "remote code execution: any user who can upload a file (an avatar, an attachment) runs PHP code as the pool's user",
		Fix:         existenceFix(h, loc),
	}
	if !limit.Default {
		f.Related = append(f.Related, lint.Related{Pos: limit.Pos, Message: "PHP-FPM runs " + runs + " as PHP: " + setting})
	}
	if fpv != nil && fpv.Pos.IsValid() && !passesAll {
		f.Related = append(f.Related, lint.Related{Pos: fpv.Pos, Message: "cgi.fix_pathinfo = " + fpv.Value + " makes PHP run the file before the /x.php"})
	}
	f.Related = append(f.Related, lint.Related{Pos: h.Pos, Message: "fastcgi_pass " + h.Target.Raw + " reaches " + poolLabel(p)})
	return f, true
}

func fixPathinfoText(v *lint.Value) string {
	if v == nil || v.Default {
		return "1, PHP's default"
	}
	return v.Value
}

// uncheckedNote reports an unchecked location whose pool is not known.
func uncheckedNote(h *lint.Hop, loc lint.Directive, lm locationMatch) lint.Finding {
	example := "/uploads/avatar.jpg/x.php"
	if !lm.regex() {
		example = "/uploads/avatar.jpg"
	}
	return lint.Finding{
		Severity: lint.Note,
		Span:     loc.Span(),
		Message: fmt.Sprintf("location %s passes requests to PHP-FPM without checking that the script exists: a request for %s reaches PHP-FPM, and only the pool's security.limit_extensions (default .php .phar) keeps an uploaded image from running as PHP (no PHP-FPM pool of the model is behind fastcgi_pass %s to tell)",
			strings.Join(loc.ArgValues(), " "), example, h.Target.Raw),
		Fix: existenceFix(h, loc),
	}
}

// existenceFix proposes the try_files line, written before the fastcgi_pass
// when that is in the location itself and no split path info is in force.
func existenceFix(h *lint.Hop, loc lint.Directive) *lint.Fix {
	if split := lint.Effective(h.Block, "fastcgi_split_path_info"); !split.IsDefault() {
		return &lint.Fix{Text: "add try_files $fastcgi_script_name =404; to the location, after fastcgi_split_path_info (save $fastcgi_path_info first with set $path_info $fastcgi_path_info; and pass PATH_INFO $path_info, as Debian's snippets/fastcgi-php.conf does)"}
	}
	if h.Block != loc {
		return &lint.Fix{Text: "add try_files $uri =404; to the location"}
	}
	return &lint.Fix{
		Text:        "add try_files $uri =404; before fastcgi_pass",
		Replacement: "try_files $uri =404;\n" + h.Directive.String(),
		Span:        h.Directive.Span(),
	}
}
