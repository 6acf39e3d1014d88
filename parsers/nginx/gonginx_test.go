package nginx

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tufanbarisyildirim/gonginx/config"
	gonginx "github.com/tufanbarisyildirim/gonginx/parser"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// TestGonginxDifferential parses every corpus file with gonginx too and
// checks that both read the same directive names and argument values, but
// for the files where gonginx is known to be wrong.
//
// gonginx leaves quotes and escapes in its values, so its values are
// compared after nginx's unquoting. It reorders the key=value flags of an
// upstream's servers (compared as sets) and re-tokenizes Lua code (bodies
// are not compared).
func TestGonginxDifferential(t *testing.T) {
	dir, files := corpusFiles(t)
	var agree, bothRefuse, known int
	for _, rel := range files {
		path := filepath.Join(dir, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if symlinkPlaceholder(path, data) {
			continue
		}
		diff := gonginxDiff(path, data)
		reason, isKnown := gonginxKnownBugs[rel]
		switch {
		case diff == "" && isKnown:
			t.Errorf("%s: gonginx agrees now, drop it from the known bugs (%s)", rel, reason)
		case diff == "bothRefuse":
			bothRefuse++
		case diff == "":
			agree++
		case isKnown:
			known++
		default:
			t.Errorf("%s: %s", rel, diff)
		}
	}
	t.Logf("gonginx differential: %d files agree, %d refused by both, %d differ by known gonginx bugs", agree, bothRefuse, known)
}

// Files where gonginx reads something other than nginx does, by bug.
var gonginxKnownBugs = map[string]string{
	"crossplane/tests/configs/comments-between-args/nginx.conf":                           bugEscapedSpace,
	"nginx-go-crossplane/testdata/configs/comments-between-args/nginx.conf":               bugEscapedSpace,
	"nginx-go-crossplane/testdata/configs/comments-between-args-disable-parse/nginx.conf": bugEscapedSpace,
	"nginx-go-crossplane/testdata/configs/testdata/comments-between-args/nginx.conf":      bugEscapedSpace,
	"perusio-wordpress-nginx/sites-available/wp_supercache.conf":                          bugEscapedSpace,

	"crossplane/tests/configs/messy/nginx.conf":                      bugEscapedBrace,
	"nginx-go-crossplane/testdata/configs/messy/nginx.conf":          bugEscapedBrace,
	"nginx-go-crossplane/testdata/configs/testdata/messy/nginx.conf": bugEscapedBrace,
	"nginx-go-crossplane/testdata/configs/returns/nginx.conf":        bugEscapedBrace,

	"crossplane/tests/configs/lua-block-simple/nginx.conf":                      bugLuaStrings,
	"nginx-go-crossplane/testdata/configs/lua-block-simple/nginx.conf":          bugLuaStrings,
	"nginx-go-crossplane/testdata/configs/lua-block-simple/simple.conf":         bugLuaStrings,
	"nginx-go-crossplane/testdata/configs/testdata/lua-block-simple/nginx.conf": bugLuaStrings,

	"crossplane/tests/configs/lua-block-tricky/nginx.conf":                      bugLuaQuotedName,
	"nginx-go-crossplane/testdata/configs/lua-block-tricky/nginx.conf":          bugLuaQuotedName,
	"nginx-go-crossplane/testdata/configs/testdata/lua-block-tricky/nginx.conf": bugLuaQuotedName,

	"crossplane/tests/configs/non-unicode/nginx.conf": "reads runes: Latin-1 bytes become U+FFFD",

	"crossplane/tests/configs/quote-behavior/nginx.conf":                      bugAfterQuote,
	"nginx-go-crossplane/testdata/configs/quote-behavior/nginx.conf":          bugAfterQuote,
	"nginx-go-crossplane/testdata/configs/testdata/quote-behavior/nginx.conf": bugAfterQuote,
	walf443Syntax + "unclosed_quote/005_no_semicolon/error/nginx.conf":        bugAfterQuote,

	"nginx-go-crossplane/testdata/configs/braces/extra-brace.conf":             bugStrayBrace,
	"nginx-go-crossplane/testdata/configs/testdata/braces/extra-brace.conf":    bugStrayBrace,
	walf443Syntax + "unmatched_braces/003_extra_closing/error/nginx.conf":      bugStrayBrace,
	walf443Syntax + "unmatched_braces/006_missing_opening/error/nginx.conf":    bugStrayBrace,
	walf443Syntax + "unmatched_braces/007_unmatched_location/error/nginx.conf": bugStrayBrace,
}

const (
	bugEscapedSpace  = `splits a word at an escaped space ("a\ b" is one word)`
	bugEscapedBrace  = `takes an escaped brace (\{ \}) as a block brace and refuses the file`
	bugLuaStrings    = "counts braces inside Lua strings and refuses the file"
	bugLuaQuotedName = `parses the Lua code of a quoted "rewrite_by_lua_block" as nginx directives`
	bugAfterQuote    = `accepts text right after a closing quote ("a"b), which nginx refuses`
	bugStrayBrace    = `stops at a stray "}" and drops the rest of the file, which nginx refuses`
)

// gonginxDiff returns "" when both parsers read the same, "bothRefuse" when
// both refuse the file, else the first difference.
func gonginxDiff(path string, data []byte) (diff string) {
	ours, _, ourErr := Parse(path, data)
	theirs, theirErr := gonginxParse(string(data))
	switch {
	case ourErr != nil && theirErr != nil:
		return "bothRefuse"
	case ourErr != nil:
		return fmt.Sprintf("gonginx accepts what we refuse: %v", ourErr)
	case theirErr != nil:
		return fmt.Sprintf("gonginx refuses: %v", theirErr)
	}
	a := strings.Split(strings.Join(flatOurs(ours, ""), "\n"), "\n")
	b := strings.Split(strings.Join(flatGonginx(theirs, ""), "\n"), "\n")
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("entry %d differs:\n  ours:    %s\n  gonginx: %s", i, a[i], b[i])
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d entries, gonginx %d", len(a), len(b))
	}
	return ""
}

func gonginxParse(s string) (ds []config.IDirective, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	c, err := gonginx.NewStringParser(s, gonginx.WithSkipValidDirectivesErr()).Parse()
	if err != nil {
		return nil, err
	}
	return c.GetDirectives(), nil
}

// flatOurs lists directives one an entry: depth, name, arguments.
func flatOurs(block lint.Directive, indent string) []string {
	var out []string
	for d := range block.Block() {
		args := d.ArgValues()
		if isLuaBlock(d.Name()) && len(args) > 0 {
			args = args[:len(args)-1]
		}
		if d.Name() == "server" && d.Parent().Name() == "upstream" && len(args) > 1 {
			slices.Sort(args[1:])
		}
		sub := indent + entry(d.Name(), args, d.IsBlock())
		if children := flatOurs(d, indent+"  "); len(children) > 0 {
			sub += "\n" + strings.Join(sortedIf(children, d.Name()), "\n")
		}
		out = append(out, sub)
	}
	return out
}

func flatGonginx(ds []config.IDirective, indent string) []string {
	var out []string
	for _, d := range ds {
		var args []string
		for _, p := range d.GetParameters() {
			args = append(args, gonginxValue(p.Value))
		}
		if _, ok := d.(*config.UpstreamServer); ok && len(args) > 1 {
			slices.Sort(args[1:])
		}
		block := d.GetBlock()
		_, lua := d.(*config.LuaBlock)
		isBlock := lua || (block != nil && !isNilBlock(block))
		name := gonginxValue(d.GetName())
		sub := indent + entry(name, args, isBlock)
		if isBlock && !lua {
			if children := flatGonginx(block.GetDirectives(), indent+"  "); len(children) > 0 {
				sub += "\n" + strings.Join(sortedIf(children, name), "\n")
			}
		}
		out = append(out, sub)
	}
	return out
}

// sortedIf sorts the children of http and upstream blocks, which gonginx
// regroups (servers apart from the other directives).
func sortedIf(children []string, name string) []string {
	if name == "http" || name == "upstream" {
		slices.Sort(children)
	}
	return children
}

func isNilBlock(b config.IBlock) bool {
	blk, ok := b.(*config.Block)
	return ok && blk == nil
}

func entry(name string, args []string, block bool) string {
	s := fmt.Sprintf("%q", append([]string{name}, args...))
	if block {
		s += " {"
	}
	return s
}

// gonginxValue applies nginx's unquoting to a raw gonginx token.
func gonginxValue(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return unescape(v)
}
