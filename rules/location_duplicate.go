package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// LocationDuplicate finds two locations of one block with the same match.
var LocationDuplicate = &lint.Rule{
	ID:       "location-duplicate",
	Title:    "two locations with the same match in one server",
	Severity: lint.Error,
	Tags:     []string{"startup", "nginx"},
	Doc: `nginx -t fails when a server (or a location) holds two prefix locations with the same path
(location /x and location /x, or ^~ /x and /x) or two exact ones (location = /x twice):
"duplicate location \"/x\"". The reload is refused; a fresh start leaves every site down. An exact
and a prefix location of one path may coexist, and so may regex and named locations. This happens
when a snippet with a location is included twice, or a location is copied into a site that
already has it.`,
	Bad: `location /app/ { … }
location /app/ { … }`,
	Good: `location /app/ { … }
location = /app/ { … }`,
	Fix:   "Merge the two locations into one, or remove the include that repeats it.",
	Check: checkLocationDuplicate,
}

// locationMatch is how a location matches: its modifier ("", "=", "^~",
// "~", "~*" or "@") and its path, regex or name.
type locationMatch struct {
	modifier, path string
}

// parseLocation reads `location [modifier] path` as ngx_http_core_location,
// including the forms where the modifier sticks to the path (=/x, ~\.php$).
func parseLocation(d lint.Directive) (locationMatch, bool) {
	switch d.NArgs() {
	case 2:
		switch m := d.Arg(0); m {
		case "=", "^~", "~", "~*":
			return locationMatch{m, d.Arg(1)}, true
		}
	case 1:
		p := d.Arg(0)
		switch {
		case strings.HasPrefix(p, "="):
			return locationMatch{"=", p[1:]}, true
		case strings.HasPrefix(p, "^~"):
			return locationMatch{"^~", p[2:]}, true
		case strings.HasPrefix(p, "~*"):
			return locationMatch{"~*", p[2:]}, true
		case strings.HasPrefix(p, "~"):
			return locationMatch{"~", p[1:]}, true
		case strings.HasPrefix(p, "@"):
			return locationMatch{"@", p}, true
		}
		return locationMatch{"", p}, true
	}
	return locationMatch{}, false
}

func (l locationMatch) regex() bool { return l.modifier == "~" || l.modifier == "~*" }

// nginxServers returns every http server block; for a site file given alone
// (no http block), its top-level servers.
func nginxServers(m *lint.Model) []lint.Directive {
	if m.Nginx == nil {
		return nil
	}
	var out []lint.Directive
	for _, h := range m.Nginx.Root.Children("http") {
		servers := h.Children("server")
		out = slices.Grow(out, len(servers))
		for _, s := range servers {
			if s.IsBlock() {
				out = append(out, s)
			}
		}
	}
	if isFragment(m.Nginx.Root) {
		for _, s := range m.Nginx.Root.Children("server") {
			if s.IsBlock() {
				out = append(out, s)
			}
		}
	}
	return out
}

func checkLocationDuplicate(m *lint.Model, r *lint.Reporter) {
	var check func(block lint.Directive)
	check = func(block lint.Directive) {
		// ngx_http_join_exact_locations: two exact, or two inclusive
		// (prefix or ^~), locations of the same path.
		seen := map[string]lint.Directive{}
		for _, d := range block.Children("location") {
			if !d.IsBlock() {
				continue
			}
			check(d)
			l, ok := parseLocation(d)
			if !ok || l.regex() || l.modifier == "@" {
				continue
			}
			kind := "inclusive"
			if l.modifier == "=" {
				kind = "exact"
			}
			key := kind + "\x00" + l.path
			what := "prefix"
			if kind == "exact" {
				what = "exact"
			}
			first, dup := seen[key]
			if !dup {
				seen[key] = d
				continue
			}
			emerg := fmt.Sprintf("duplicate location %q", l.path)
			f := lint.Finding{
				Span:        d.Span(),
				Message:     fmt.Sprintf("location %s repeats the %s path %q of a location before it in this %s: nginx -t fails with %q", strings.Join(d.ArgValues(), " "), what, l.path, block.Name(), emerg),
				Related:     []lint.Related{{Pos: first.Pos(), Message: "the same match: location " + strings.Join(first.ArgValues(), " ")}},
				Consequence: fmt.Sprintf("nginx -t fails: [emerg] %s in %s:%d; the reload is refused, a fresh start leaves every site down", emerg, d.Pos().File, d.Pos().Line),
				Fix:         &lint.Fix{Text: "merge the two locations into one, or drop the include that repeats it"},
			}
			if inc, firstInc := d.Include(), first.Include(); !inc.IsZero() && !firstInc.IsZero() && inc.Arg(0) == firstInc.Arg(0) {
				f.Message += fmt.Sprintf(" (include %s brings it in twice)", inc.Arg(0))
			}
			r.Report(f)
		}
	}
	for _, s := range nginxServers(m) {
		check(s)
	}
}
