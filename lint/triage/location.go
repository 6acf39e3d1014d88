package triage

import (
	"regexp"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// findLocation picks the location of block (a server, or a location with
// nested ones) that nginx uses for uri: an exact (=) match; else the
// longest prefix, searched again inside; that prefix at once when it is ^~;
// else the first regular expression (~, ~*) that matches, nested ones of the
// prefix first; else the prefix. The zero Directive when none matches.
func findLocation(block lint.Directive, uri string) lint.Directive {
	if block.IsZero() {
		return lint.Directive{}
	}
	var prefix lint.Directive
	prefixLen := -1
	var regexes []lint.Directive
	for _, loc := range block.Children("location") {
		mod, pat := locationArgs(loc)
		switch mod {
		case "=":
			if uri == pat {
				return loc
			}
		case "", "^~":
			if strings.HasPrefix(uri, pat) && len(pat) > prefixLen {
				prefix, prefixLen = loc, len(pat)
			}
		case "~", "~*":
			regexes = append(regexes, loc)
		}
	}
	var nested lint.Directive
	if !prefix.IsZero() {
		nested = findLocation(prefix, uri)
		if !nested.IsZero() {
			if mod, _ := locationArgs(nested); mod != "" && mod != "^~" {
				return nested // an exact or regex match inside the prefix
			}
		}
		if mod, _ := locationArgs(prefix); mod == "^~" {
			return orElse(nested, prefix)
		}
	}
	for _, loc := range regexes {
		mod, pat := locationArgs(loc)
		if mod == "~*" {
			pat = "(?i)" + pat
		}
		if re, err := regexp.Compile(pat); err == nil && re.MatchString(uri) {
			return loc
		}
	}
	if !prefix.IsZero() {
		return orElse(nested, prefix)
	}
	return lint.Directive{}
}

func orElse(a, b lint.Directive) lint.Directive {
	if !a.IsZero() {
		return a
	}
	return b
}

// locationArgs splits `location [=|^~|~|~*] pattern`, and `location =/x`;
// a named location (@x) has the modifier "@".
func locationArgs(loc lint.Directive) (mod, pat string) {
	switch loc.NArgs() {
	case 0:
		return "@", ""
	case 1:
		a := loc.Arg(0)
		switch {
		case strings.HasPrefix(a, "@"):
			return "@", a
		case strings.HasPrefix(a, "="):
			return "=", a[1:]
		}
		return "", a
	}
	return loc.Arg(0), loc.Arg(1)
}
