package rules

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FastCGIScriptFilenameMissing finds PHP locations that do not tell PHP-FPM
// which script to run.
var FastCGIScriptFilenameMissing = &lint.Rule{
	ID:       "fastcgi-script-filename-missing",
	Title:    "fastcgi_pass without SCRIPT_FILENAME: PHP-FPM finds no script",
	Severity: lint.Error,
	Tags:     []string{"fastcgi", "reliability"},
	Doc: `PHP-FPM runs the file named by the SCRIPT_FILENAME parameter. Without it, every PHP request ends
in 404 "File not found." with "Primary script unknown" in nginx's error log — or, when the
parameters lack REQUEST_METHOD too, in an empty 200 page and no log line at all.
Debian's and Ubuntu's fastcgi_params does not set SCRIPT_FILENAME; fastcgi.conf and
snippets/fastcgi-php.conf do. So "include fastcgi_params;" alone is not enough.
fastcgi_param is an array directive: a level that sets any fastcgi_param (a location adding
HTTPS or APP_ENV) replaces the whole list it would inherit, SCRIPT_FILENAME included; the list
(with the files its include lines bring in) is judged where the fastcgi_pass is.
The rule judges the fastcgi_pass lines that reach a PHP-FPM pool of the model, or that look like
PHP (a socket, upstream or location naming php). php-fpm's status and ping pages need
SCRIPT_FILENAME too (any value): without it they answer "File not found." as well. A site file given
alone that sets no fastcgi_param is not judged: the http block it is included in may set them.`,
	Bad: `location ~ \.php$ {
    include fastcgi_params;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}`,
	Good: `location ~ \.php$ {
    include fastcgi_params;
    fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    fastcgi_pass unix:/run/php/php8.2-fpm.sock;
}`,
	Fix:   "Set fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; at the level that holds the other fastcgi_param lines (or include fastcgi.conf instead of fastcgi_params).",
	Check: checkFastCGIScriptFilenameMissing,
}

const scriptFilenameParam = "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;"

func checkFastCGIScriptFilenameMissing(m *lint.Model, r *lint.Reporter) {
	if m.Nginx == nil {
		return
	}
	for _, h := range m.Nginx.Hops {
		if h.Module != "fastcgi" || h.Context != "http" || h.Block.IsZero() || !phpHop(m, h) {
			continue
		}
		set := lint.Effective(h.Block, "fastcgi_param")
		if !paramIn(set.All(), "SCRIPT_FILENAME").IsZero() || !paramIn(set.All(), "PATH_TRANSLATED").IsZero() {
			continue
		}
		if set.IsDefault() && isFragment(m.Nginx.Root) {
			continue // a site file alone: the http level it inherits from is unknown
		}
		r.Report(scriptFilenameFinding(h, set))
	}
}

// scriptFilenameFinding explains where the fastcgi_param list in force
// comes from, and where SCRIPT_FILENAME must go.
func scriptFilenameFinding(h *lint.Hop, set lint.Setting) lint.Finding {
	d := h.Directive
	f := lint.Finding{
		Span:        d.Span(),
		Consequence: "404 \"File not found.\" for every PHP request; error.log: FastCGI sent in stderr: \"Primary script unknown\" while reading response header from upstream",
		Fix:         &lint.Fix{Text: "set " + strings.TrimSuffix(scriptFilenameParam, ";") + " where the other fastcgi_param lines are (or include fastcgi.conf, which sets it)"},
	}
	why := "PHP-FPM cannot tell which script to run and answers every request with 404 \"File not found.\" (\"Primary script unknown\")"
	if paramIn(set.All(), "REQUEST_METHOD").IsZero() {
		// Without REQUEST_METHOD either, PHP-FPM runs nothing and says
		// nothing: a blank page.
		why = "PHP-FPM cannot tell which script to run and answers every request with an empty page (200, no output)"
		f.Consequence = "an empty 200 page for every PHP request, and no line in any error log"
	}
	if set.IsDefault() {
		f.Message = fmt.Sprintf("fastcgi_pass %s with no fastcgi_param at all: nginx sends no SCRIPT_FILENAME, so %s", h.Target.Raw, why)
		if h.Block.Name() == "location" {
			f.Fix = &lint.Fix{Text: "include fastcgi.conf (it sets SCRIPT_FILENAME) next to fastcgi_pass", Replacement: "include fastcgi.conf;\n" + d.String(), Span: d.Span()}
		}
		return f
	}
	// The line that brings the list in at its level: the fastcgi_param
	// itself, or the include at that level that read it.
	anchor := broughtBy(set.Level, set.Last())
	from := "the fastcgi_param lines in force here"
	if anchor.Name() == "include" {
		from = fmt.Sprintf("the fastcgi_param lines in force here, from include %s,", anchor.Arg(0))
	}
	f.Message = fmt.Sprintf("%s do not set SCRIPT_FILENAME, so %s", from, why)
	if anchor.Name() == "include" && strings.HasSuffix(anchor.Arg(0), "fastcgi_params") {
		f.Message += " (fastcgi_params does not set it; fastcgi.conf does)"
	}
	if set.Level != h.Block {
		f.Related = append(f.Related, lint.Related{Pos: anchor.Pos(), Message: fmt.Sprintf("the fastcgi_param list in force comes from this %s level", set.Level.Name())})
	}
	f.Fix = &lint.Fix{
		Text:        "add " + scriptFilenameParam + " after " + strings.TrimSuffix(anchor.String(), ";"),
		Replacement: anchor.String() + "\n" + scriptFilenameParam,
		Span:        anchor.Span(),
	}
	if hidden, at := inheritedScriptFilename(set.Level); !hidden.IsZero() {
		f.Message = fmt.Sprintf("the fastcgi_param lines of this %s replace the whole list it would inherit, SCRIPT_FILENAME included (nginx does not merge fastcgi_param lists), so %s", set.Level.Name(), why)
		f.Related = append(f.Related, lint.Related{Pos: hidden.Pos(), Message: "SCRIPT_FILENAME set here is not inherited: " + strings.TrimSuffix(hidden.String(), ";")})
		f.Fix = &lint.Fix{Text: fmt.Sprintf("include the whole list again in this %s, before its own fastcgi_param lines, or move those lines up to where the list is", set.Level.Name())}
		// The inherited list came in through an include: repeat it.
		outer := broughtBy(at, hidden)
		if first := set.Directives()[0]; outer.Name() == "include" && first.Include().IsZero() {
			f.Fix.Replacement = outer.String() + "\n" + first.String()
			f.Fix.Span = first.Span()
		}
	}
	return f
}

// inheritedScriptFilename finds a SCRIPT_FILENAME an outer level sets that
// level's own fastcgi_param lines hide, and that outer level.
func inheritedScriptFilename(level lint.Directive) (hidden, at lint.Directive) {
	if level.Name() == "http" {
		return lint.Directive{}, lint.Directive{}
	}
	for p := level.Parent(); !p.IsZero(); p = p.Parent() {
		if d := paramIn(slices.Values(p.Children("fastcgi_param")), "SCRIPT_FILENAME"); !d.IsZero() {
			return d, p
		}
		if p.Name() == "http" {
			break
		}
	}
	return lint.Directive{}, lint.Directive{}
}

// broughtBy returns the line written in block itself that brings d, one
// of its directives, into it: d, or the include whose file (or a file that
// one includes) holds d. The directives an include reads follow it in the
// block, and the block's own lines are in its own file.
func broughtBy(block, d lint.Directive) lint.Directive {
	children := block.BlockList()
	i := slices.Index(children, d)
	file := block.Pos().File
	for ; i >= 0; i-- {
		if c := children[i]; c.Pos().File == file {
			if c.Name() == "include" {
				return c
			}
			break
		}
	}
	return d
}

// paramIn returns the last fastcgi_param of ds that sets name (nginx sends
// every one, and PHP-FPM keeps the last), or the zero Directive.
func paramIn(ds iter.Seq[lint.Directive], name string) lint.Directive {
	var last lint.Directive
	for d := range ds {
		if d.Arg(0) == name {
			last = d
		}
	}
	return last
}

// phpHop reports whether a fastcgi_pass goes to PHP: it reaches a pool of
// the model, or its address, upstream or location names php.
func phpHop(m *lint.Model, h *lint.Hop) bool {
	if len(hopPools(m, h)) > 0 {
		return true
	}
	if strings.Contains(strings.ToLower(h.Target.Raw), "php") {
		return true
	}
	if loc := h.Directive.Enclosing("location"); !loc.IsZero() {
		return strings.Contains(strings.ToLower(strings.Join(loc.ArgValues(), " ")), "php")
	}
	return false
}

// hopPools returns the pools of the model a fastcgi_pass reaches, directly
// or through its upstream. It lists h's backends only: listing every hop's
// for each hop allocated quadratically (10,000 PHP sites took minutes).
func hopPools(m *lint.Model, h *lint.Hop) []*lint.Pool {
	var out []*lint.Pool
	for b := range hopBackends(h) {
		if p := matchPool(m, *b.target); p != nil {
			out = append(out, p)
		}
	}
	return out
}
