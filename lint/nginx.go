package lint

import "strings"

// Nginx is the nginx side of the model: the directive tree rooted at the main
// configuration file, plus the facts the rules need, derived once.
type Nginx struct {
	// File is the main configuration file (nginx.conf).
	File string `json:"file"`
	// Root is a synthetic block whose children are the main file's top-level
	// directives (includes expanded in place). Its Name is "".
	Root *Directive `json:"root"`
	// User is the user and group the worker processes run as.
	User NginxUser `json:"user"`
	// Upstreams are the upstream blocks of the http and stream contexts.
	Upstreams []*Upstream `json:"upstreams"`
	// Hops are every fastcgi_pass, proxy_pass, uwsgi_pass, scgi_pass and
	// grpc_pass, in file order, with their targets resolved.
	Hops []*Hop `json:"hops"`
	// Levels are the blocks of the http context that settings are written
	// at and inherited through: http, server, location, if and
	// limit_except, each before the blocks inside it, in file order.
	Levels []*Directive `json:"-"`

	// indexed says Index has run.
	indexed bool
}

// Index indexes the tree's large blocks by directive name (Directive.Index)
// once; Model.Index calls it. The tree must not change afterwards.
func (n *Nginx) Index() {
	if !n.indexed {
		n.Root.Index()
		n.indexed = true
	}
}

// Directive is one nginx directive: a simple one ending in ';' or a block.
//
// Include directives stay in the tree, and the directives of the files they
// include follow them in the same Block, each with Include pointing at the
// include directive that brought it in. So a rule that walks Block sees
// what nginx sees.
//
// A file included at several places (fastcgi.conf in every PHP location)
// gives each place its own block directives, include directives and
// *_pass directives, whose Parent and Include are those of the place. Its
// other simple directives (fastcgi_param, try_files, …) are one Directive
// that every place's Block holds, with the Parent and Include of the first
// place: for the context of one place, walk down from its block (as
// Effective does) or start from a Hop, never up from such a directive.
// That keeps the model of 10,000 sites at half the directives.
type Directive struct {
	*Statement
	// Block is nil for a simple directive and non-nil (maybe empty) for a block.
	Block []*Directive `json:"block,omitempty"`
	// Parent is the enclosing block; the Root for top-level directives.
	// For a shared simple directive (above), the block of its first place.
	Parent *Directive `json:"-"`
	// Include is the include directive whose file this directive was read
	// from, nil for the main file. Follow Include.Include for the chain.
	// For a shared simple directive, that of its first place.
	Include *Directive `json:"-"`

	// byName indexes a large Block by directive name (see Index).
	byName map[string][]*Directive
}

// Statement is what the file says of a directive: its name, arguments and
// place. Every instance of a file's directive shares it.
type Statement struct {
	Name string `json:"name"`
	Args []Arg  `json:"args,omitempty"`
	// Start is where the name starts; End where the ';' or '{' that ends
	// the directive is, in the same file (Span gives both as a Span).
	Start Pos     `json:"start"`
	End   LineCol `json:"end"`
	// Close is where the closing '}' of a block is (BlockEnd).
	Close LineCol `json:"block_end,omitzero"`
}

// BlockEnd is the position of the closing '}' of a block; the zero Pos
// when there is none.
func (s *Statement) BlockEnd() Pos {
	if s.Close.Line == 0 {
		return Pos{}
	}
	return Pos{File: s.Start.File, Line: s.Close.Line, Col: s.Close.Col}
}

// Span runs from the directive's name to the ';' or '{' that ends it.
func (s *Statement) Span() Span {
	return Span{Start: s.Start, End: Pos{File: s.Start.File, Line: s.End.Line, Col: s.End.Col}}
}

// NewDirective returns a directive with no parent, for tests and for the
// synthetic root (name "").
func NewDirective(name string, args ...Arg) *Directive {
	return &Directive{Statement: &Statement{Name: name, Args: args}}
}

// indexMin is the size from which Index indexes a block.
const indexMin = 32

// Index indexes the large blocks under d by directive name, so that
// Children, Child and Effective do not scan the http block's thousands of
// servers for every location. Call it once the tree is complete; the tree
// must not change afterwards.
func (d *Directive) Index() {
	if len(d.Block) >= indexMin {
		d.byName = make(map[string][]*Directive)
		for _, c := range d.Block {
			d.byName[c.Name] = append(d.byName[c.Name], c)
		}
	}
	for _, c := range d.Block {
		if c.Block != nil {
			c.Index()
		}
	}
}

// Arg is one argument of a directive, with quotes and escapes as nginx
// leaves them: quotes removed, `\"` `\'` `\\` unescaped and `\t` `\r` `\n`
// turned into a tab, CR and LF (in quoted and unquoted words alike), other
// backslash sequences kept.
//
// Line and Col are where it starts in the directive's file: a file name in
// each of the hundreds of thousands of arguments of a large tree would be
// 16 bytes each. Directive.ArgPos gives the whole position.
type Arg struct {
	Value string `json:"value"`
	LineCol
	// Quote is '"' or '\'' when the argument was quoted, 0 otherwise.
	Quote byte `json:"quote,omitempty"`
}

// ArgPos returns where argument i starts, or where the directive does when
// it has no argument i.
func (d *Directive) ArgPos(i int) Pos {
	if i < 0 || i >= len(d.Args) || d.Args[i].Line == 0 {
		return d.Start
	}
	return Pos{File: d.Start.File, Line: d.Args[i].Line, Col: d.Args[i].Col}
}

// Pos is where the directive's name starts.
func (d *Directive) Pos() Pos { return d.Start }

// IsBlock reports whether d has a block ({ … }).
func (d *Directive) IsBlock() bool { return d.Block != nil }

// Arg returns the value of argument i, or "" when there is none.
func (d *Directive) Arg(i int) string {
	if i < 0 || i >= len(d.Args) {
		return ""
	}
	return d.Args[i].Value
}

// ArgValues returns the argument values.
func (d *Directive) ArgValues() []string {
	vs := make([]string, len(d.Args))
	for i, a := range d.Args {
		vs[i] = a.Value
	}
	return vs
}

// String renders the directive as it would be written (without its block).
func (d *Directive) String() string {
	var b strings.Builder
	b.WriteString(d.Name)
	for _, a := range d.Args {
		b.WriteByte(' ')
		if a.Quote != 0 || a.Value == "" || strings.ContainsAny(a.Value, " \t\r\n;{}#") ||
			a.Value[0] == '"' || a.Value[0] == '\'' || hasEscape(a.Value) {
			q := a.Quote
			if q == 0 {
				q = '"'
			}
			b.WriteByte(q)
			writeQuoted(&b, a.Value, q)
			b.WriteByte(q)
		} else {
			b.WriteString(a.Value)
		}
	}
	if d.IsBlock() {
		b.WriteString(" { … }")
	} else {
		b.WriteByte(';')
	}
	return b.String()
}

// writeQuoted writes v between quotes q so that nginx reads v back: the
// quote and the escapes nginx would apply (\" \' \\ \t \r \n) are escaped,
// any other backslash is kept as it is (a regex's \.).
func writeQuoted(b *strings.Builder, v string, q byte) {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case q:
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			if escapes(v, i) {
				b.WriteString(`\\`)
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
}

// escapes reports whether nginx would read the backslash at v[i] as the
// start of an escape (\" \' \\ \t \r \n), or it ends the value.
func escapes(v string, i int) bool {
	return i+1 == len(v) || strings.IndexByte("\"'\\trn", v[i+1]) >= 0
}

// LowerASCII lowers the ASCII letters of s and nothing else, as nginx
// (ngx_strlow, ngx_strncasecmp) and php-fpm (strcasecmp) compare names:
// unlike strings.ToLower it keeps every other byte, invalid UTF-8
// included, so offsets in the result are offsets in s.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hasEscape reports whether v has a backslash that must be escaped.
func hasEscape(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && escapes(v, i) {
			return true
		}
	}
	return false
}

// Children returns the directives named name directly inside d's block.
// The slice may share memory with the block: do not write to it.
func (d *Directive) Children(name string) []*Directive {
	if d.byName != nil {
		cs := d.byName[name]
		return cs[:len(cs):len(cs)]
	}
	// The directives of one name usually stand together (a list of
	// fastcgi_param): then the answer is a piece of the block.
	first := -1
	for i, c := range d.Block {
		if c.Name == name {
			first = i
			break
		}
	}
	if first < 0 {
		return nil
	}
	end := first + 1
	for end < len(d.Block) && d.Block[end].Name == name {
		end++
	}
	more := 0
	for _, c := range d.Block[end:] {
		if c.Name == name {
			more++
		}
	}
	if more == 0 {
		return d.Block[first:end:end]
	}
	out := make([]*Directive, 0, end-first+more)
	out = append(out, d.Block[first:end]...)
	for _, c := range d.Block[end:] {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Child returns the last directive named name directly inside d's block.
func (d *Directive) Child(name string) *Directive {
	if d.byName != nil {
		if cs := d.byName[name]; len(cs) > 0 {
			return cs[len(cs)-1]
		}
		return nil
	}
	for i := len(d.Block) - 1; i >= 0; i-- {
		if d.Block[i].Name == name {
			return d.Block[i]
		}
	}
	return nil
}

// Walk calls fn for d's children depth-first in file order; when fn returns
// false the children of that directive are skipped.
func (d *Directive) Walk(fn func(*Directive) bool) {
	for _, c := range d.Block {
		if fn(c) && c.Block != nil {
			c.Walk(fn)
		}
	}
}

// Enclosing returns the nearest enclosing block named one of names, or nil.
// For a shared simple directive it answers for its first place only (see
// Directive).
func (d *Directive) Enclosing(names ...string) *Directive {
	for p := d.Parent; p != nil; p = p.Parent {
		for _, n := range names {
			if p.Name == n {
				return p
			}
		}
	}
	return nil
}

// Context returns the names of the enclosing blocks from the outside in,
// e.g. ["http", "server", "location"]. The Root has none. For a shared
// simple directive, those of its first place (see Directive).
func (d *Directive) Context() []string {
	var names []string
	for p := d.Parent; p != nil && p.Parent != nil; p = p.Parent {
		names = append(names, p.Name)
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return names
}

// IncludeChain returns the include directives that led to d, innermost
// first; empty for a directive of the main file. For a shared simple
// directive, those of its first place (see Directive).
func (d *Directive) IncludeChain() []*Directive {
	var chain []*Directive
	for inc := d.Include; inc != nil; inc = inc.Include {
		chain = append(chain, inc)
	}
	return chain
}

// NginxUser is the account nginx's worker processes run as.
type NginxUser struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	// Directive is the `user` directive, nil when nginx's compiled default
	// (nobody) applies or the user is overridden.
	Directive *Directive `json:"-"`
	// Override names where the user was set instead of nginx.conf (the
	// linter's configuration file), "" when nginx.conf says it.
	Override string `json:"override,omitempty"`
}

// Default user and group of nginx's worker processes when nginx.conf has no
// `user` directive (Debian's and nginx.org's builds).
const (
	NginxDefaultUser  = "nobody"
	NginxDefaultGroup = "nogroup"
)

// Upstream is an upstream { … } block.
type Upstream struct {
	Name string `json:"name"`
	// Context is "http" or "stream": the two have separate name spaces.
	Context   string            `json:"context"`
	Directive *Directive        `json:"-"`
	Servers   []*UpstreamServer `json:"servers"`
}

// UpstreamServer is a `server` line of an upstream block.
type UpstreamServer struct {
	Directive *Directive `json:"-"`
	Pos       Pos        `json:"pos"`
	// Target is a unix socket or host:port (never an upstream).
	Target Target `json:"target"`
	Down   bool   `json:"down,omitempty"`
	Backup bool   `json:"backup,omitempty"`
}

// Hop is one place where nginx passes a request to a backend.
type Hop struct {
	// Directive is the fastcgi_pass, proxy_pass, … directive.
	Directive *Directive `json:"-"`
	Pos       Pos        `json:"pos"`
	// Module is "fastcgi", "proxy", "uwsgi", "scgi" or "grpc".
	Module string `json:"module"`
	// Context is "http" or "stream".
	Context string `json:"context"`
	// Block is the innermost enclosing location, if, limit_except or server.
	Block *Directive `json:"-"`
	// Server is the enclosing server block (nil only in broken trees).
	Server *Directive `json:"-"`
	Target Target     `json:"target"`
}

// TargetKind says what a backend address resolved to.
type TargetKind string

const (
	TargetUnix     TargetKind = "unix"     // unix:/path
	TargetTCP      TargetKind = "tcp"      // host:port or address:port
	TargetUpstream TargetKind = "upstream" // an upstream block of that name
	TargetVariable TargetKind = "variable" // contains $var: only known at run time
	TargetInvalid  TargetKind = "invalid"  // nginx -t refuses it; Problem says why
)

// Target is a resolved backend address.
type Target struct {
	Kind TargetKind `json:"kind"`
	// Raw is the argument as written.
	Raw string `json:"raw"`
	// Scheme is the scheme of proxy_pass/grpc_pass (http, https, grpc, grpcs).
	Scheme string `json:"scheme,omitempty"`
	// Path is the socket path of a unix target, as written (relative paths
	// stay relative: nginx resolves them against its working directory).
	Path string `json:"path,omitempty"`
	// Host and Port of a TCP target. Port is 0 when none was given.
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	// Upstream is the block a TargetUpstream names.
	Upstream *Upstream `json:"upstream,omitempty"`
	// Problem explains a TargetInvalid.
	Problem string `json:"problem,omitempty"`
}

// Setting is the effective value of a directive at some level of the tree,
// and where it comes from.
type Setting struct {
	// Directives are the directives in force: one for a plain directive
	// (the last one set), several for an array directive such as
	// fastcgi_param. Empty when nginx's default applies.
	Directives []*Directive
	// Level is the block that sets them (the location itself, or the
	// server or http it inherits them from); nil for the default.
	Level *Directive
}

// IsDefault reports whether no level sets the directive.
func (s Setting) IsDefault() bool { return len(s.Directives) == 0 }

// Last returns the directive in force for a non-array directive, or nil.
func (s Setting) Last() *Directive {
	if len(s.Directives) == 0 {
		return nil
	}
	return s.Directives[len(s.Directives)-1]
}

// notInherited lists directives that nginx does not merge from an outer level
// into an inner one: handlers and rewrite-module instructions.
var notInherited = map[string]bool{
	"fastcgi_pass": true, "proxy_pass": true, "uwsgi_pass": true, "scgi_pass": true,
	"grpc_pass": true, "memcached_pass": true, "try_files": true, "return": true,
	"rewrite": true, "set": true, "break": true, "if": true, "location": true,
	"server": true, "include": true, "listen": true, "server_name": true,
	"limit_except": true, "alias": true, "internal": true,
}

// Inherited reports whether nginx merges directive name from http into server
// and from server into location when the inner level does not set it.
func Inherited(name string) bool { return !notInherited[name] }

// Effective returns the setting of directive name in force at block (a
// location, if, server or http block): the nearest enclosing level that sets
// it, all of its occurrences there. Array directives (fastcgi_param,
// proxy_set_header, add_header, …) are thus replaced wholesale by the first
// level that sets any. Inheritance stops at the http or stream block.
func Effective(block *Directive, name string) Setting {
	for level := block; level != nil; level = level.Parent {
		if set := level.Children(name); len(set) > 0 {
			return Setting{Directives: set, Level: level}
		}
		if !Inherited(name) || level.Name == "http" || level.Name == "stream" || level.Parent == nil {
			break
		}
	}
	return Setting{}
}
