package lint

import (
	"encoding/json"
	"iter"
	"slices"
	"strings"
)

// Nginx is the nginx side of the model: the directive tree rooted at the main
// configuration file, plus the facts the rules need, derived once.
type Nginx struct {
	// File is the main configuration file (nginx.conf).
	File string `json:"file"`
	// Root is a synthetic block whose children are the main file's top-level
	// directives (includes expanded in place). Its Name is "".
	Root Directive `json:"root"`
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
	Levels []Directive `json:"-"`

	// indexed says Index has run.
	indexed bool
}

// Index indexes the tree's large blocks by directive name once, so that
// Children, Child and Effective do not scan the http block's thousands of
// servers for every location; Model.Index calls it. The tree must not
// change afterwards.
func (n *Nginx) Index() {
	if !n.indexed && !n.Root.IsZero() {
		n.Root.index()
		n.indexed = true
	}
}

// NginxFile is one nginx file as read, held flat: its text, its words
// (directive names and arguments) and its statements (directives), in file
// order. A file included at several places is read once and shared by a
// Place per place. The parser fills it; rules read it through Directive.
type NginxFile struct {
	// Path is the file as reached (Pos.File of its directives).
	Path string
	// Text is the file's content: words point into it.
	Text string
	// Lines holds the offset in Text of each line's first byte.
	Lines []int32
	Words []Word
	Stmts []Stmt
	// Escaped holds the values that are not a piece of Text as they are
	// (a word with escapes, a directive made by NewDirective).
	Escaped []string
}

// Word is a directive's name or argument in NginxFile.Text.
type Word struct {
	// Off is where the word starts in Text (its opening quote when quoted).
	Off int32
	// Len is the length of the value, which starts after the quote; when
	// Escaped is set the value is NginxFile.Escaped[Len] instead.
	Len     int32
	Quote   byte
	Escaped bool
	// Name is, for a directive's name, its index in the known names
	// (NameID); 0 for other words and unknown names.
	Name uint16
}

// Stmt is one directive of a NginxFile: statements are in file order, a
// block's directives right after it.
type Stmt struct {
	// Word is the index in Words of the directive's name; its NArgs
	// arguments follow it.
	Word  int32
	NArgs int32
	// End is the offset of the ';' or '{' that ends the directive.
	End int32
	// Close is the offset of the '}' of a block; NoBlock for a simple
	// directive, Unclosed for a block the file never closes.
	Close int32
	// Parent is the index of the enclosing block's statement, -1 at the
	// file's top level.
	Parent int32
	// After is the index of the statement after the block's last one
	// (the next one for a simple directive).
	After int32
}

// Stmt.Close of a simple directive and of a block with no '}'.
const (
	NoBlock  = -1
	Unclosed = -2
)

// pos returns the place of offset off in f.
func (f *NginxFile) pos(off int32) Pos {
	if len(f.Lines) == 0 {
		return Pos{File: f.Path}
	}
	line, found := slices.BinarySearch(f.Lines, off)
	if !found {
		line--
	}
	return Pos{File: f.Path, Line: int32(line + 1), Col: off - f.Lines[line] + 1}
}

// Value is the value of word w of f: quotes removed, escapes applied.
func (f *NginxFile) Value(w *Word) string {
	if w.Escaped {
		return f.Escaped[w.Len]
	}
	start := w.Off
	if w.Quote != 0 {
		start++
	}
	return f.Text[start : start+w.Len]
}

// Place is one place where a file is read into the tree: the main file, or
// a file at one of the include directives that read it. The directives of a
// file included at several places are told apart by their Place.
type Place struct {
	File *NginxFile
	// Include is the include directive that read the file here; the zero
	// Directive for the main file.
	Include Directive
	// Expansions are the places of the files each include directive of
	// File read here, by the include's statement index, in order.
	Expansions []Expansion

	// index indexes the large blocks of the file here (Nginx.Index).
	index map[int32]map[string][]Directive
}

// Expansion is what one include directive read at a place.
type Expansion struct {
	At     int32
	Places []*Place
}

// NewPlace returns the place of the main file f, and its root: a synthetic
// block whose children are the file's top-level directives.
func NewPlace(f *NginxFile) (*Place, Directive) {
	p := &Place{File: f}
	return p, Directive{place: p, i: -1}
}

// Directive returns the directive of statement i of the file at p.
func (p *Place) Directive(i int32) Directive { return Directive{place: p, i: i} }

// Directive is one nginx directive at one place of the tree, a simple one
// ending in ';' or a block: a handle on a statement of a file, compared
// with ==. The zero Directive is no directive (IsZero).
//
// Include directives stay in the tree, and the directives of the files they
// include follow them in the same Block, each with Include returning the
// include directive that brought it in. So a rule that walks Block sees
// what nginx sees. A file included at several places gives a Directive per
// place, each with the Parent and Include of its place; Statement tells
// that they are one line of one file.
type Directive struct {
	place *Place
	i     int32 // -1: the synthetic root of a main file
}

// StatementID names one directive of one file, whatever the place.
type StatementID struct {
	File  *NginxFile
	Index int32
}

// IsZero reports whether d is no directive.
func (d Directive) IsZero() bool { return d.place == nil }

// IsRoot reports whether d is the synthetic root of the tree.
func (d Directive) IsRoot() bool { return d.place != nil && d.i < 0 }

// Statement names the line of the file d is, the same at every place the
// file is included.
func (d Directive) Statement() StatementID {
	if d.place == nil {
		return StatementID{}
	}
	return StatementID{File: d.place.File, Index: d.i}
}

// Place is where d's file is read into the tree.
func (d Directive) Place() *Place { return d.place }

func (d Directive) stmt() *Stmt { return &d.place.File.Stmts[d.i] }

// Name is the directive's name; "" for the root and for no directive.
func (d Directive) Name() string {
	if d.place == nil || d.i < 0 {
		return ""
	}
	f := d.place.File
	w := &f.Words[f.Stmts[d.i].Word]
	if w.Name != 0 {
		return directiveNames[w.Name]
	}
	return f.Value(w)
}

// NArgs is the number of arguments.
func (d Directive) NArgs() int {
	if d.place == nil || d.i < 0 {
		return 0
	}
	return int(d.stmt().NArgs)
}

// Arg returns the value of argument i, or "" when there is none.
func (d Directive) Arg(i int) string {
	if i < 0 || i >= d.NArgs() {
		return ""
	}
	f := d.place.File
	return f.Value(&f.Words[int(f.Stmts[d.i].Word)+1+i])
}

// ArgQuote returns the quote of argument i, a double or single quote; 0
// when it was not quoted or there is none.
func (d Directive) ArgQuote(i int) byte {
	if i < 0 || i >= d.NArgs() {
		return 0
	}
	f := d.place.File
	return f.Words[int(f.Stmts[d.i].Word)+1+i].Quote
}

// ArgPos returns where argument i starts, or where the directive does when
// it has no argument i.
func (d Directive) ArgPos(i int) Pos {
	if i < 0 || i >= d.NArgs() {
		return d.Pos()
	}
	f := d.place.File
	return f.pos(f.Words[int(f.Stmts[d.i].Word)+1+i].Off)
}

// Args returns the arguments with their quotes and places.
func (d Directive) Args() []Arg {
	n := d.NArgs()
	if n == 0 {
		return nil
	}
	args := make([]Arg, n)
	for i := range args {
		p := d.ArgPos(i)
		args[i] = Arg{Value: d.Arg(i), LineCol: p.LineCol(), Quote: d.ArgQuote(i)}
	}
	return args
}

// ArgValues returns the argument values.
func (d Directive) ArgValues() []string {
	vs := make([]string, d.NArgs())
	for i := range vs {
		vs[i] = d.Arg(i)
	}
	return vs
}

// Pos is where the directive's name starts; the zero Pos for the root.
func (d Directive) Pos() Pos {
	if d.place == nil || d.i < 0 {
		return Pos{}
	}
	f := d.place.File
	return f.pos(f.Words[f.Stmts[d.i].Word].Off)
}

// Span runs from the directive's name to the ';' or '{' that ends it.
func (d Directive) Span() Span {
	if d.place == nil || d.i < 0 {
		return Span{}
	}
	return Span{Start: d.Pos(), End: d.place.File.pos(d.stmt().End)}
}

// BlockEnd is the position of the closing '}' of a block; the zero Pos
// when there is none.
func (d Directive) BlockEnd() Pos {
	if d.place == nil || d.i < 0 || d.stmt().Close < 0 {
		return Pos{}
	}
	return d.place.File.pos(d.stmt().Close)
}

// IsBlock reports whether d has a block ({ … }).
func (d Directive) IsBlock() bool {
	if d.place == nil {
		return false
	}
	return d.i < 0 || d.stmt().Close != NoBlock
}

// Parent is the enclosing block; the root for top-level directives, the
// zero Directive for the root.
func (d Directive) Parent() Directive {
	if d.place == nil || d.i < 0 {
		return Directive{}
	}
	if parent := d.stmt().Parent; parent >= 0 {
		return Directive{place: d.place, i: parent}
	}
	if inc := d.place.Include; !inc.IsZero() {
		return inc.Parent()
	}
	return Directive{place: d.place, i: -1}
}

// Include is the include directive whose file this directive was read
// from; the zero Directive for the main file's. Follow Include().Include()
// for the chain.
func (d Directive) Include() Directive {
	if d.place == nil {
		return Directive{}
	}
	return d.place.Include
}

// Block yields the directives of d's block in file order, those of its
// includes' files right after each include directive.
func (d Directive) Block() iter.Seq[Directive] {
	return func(yield func(Directive) bool) {
		if d.place != nil {
			d.place.children(d.i, yield)
		}
	}
}

// children yields the directives in the block of statement i (-1: the
// top level), includes expanded; false when yield stopped.
func (p *Place) children(i int32, yield func(Directive) bool) bool {
	c, end, k := p.block(i)
	for c < end {
		if !yield(Directive{place: p, i: c}) {
			return false
		}
		for _, q := range p.expandedAt(&k, c) {
			if !q.children(-1, yield) {
				return false
			}
		}
		c = p.File.Stmts[c].After
	}
	return true
}

// walk is Directive.Walk for the block of statement i (-1: the top level).
func (p *Place) walk(i int32, fn func(Directive) bool) {
	c, end, k := p.block(i)
	for c < end {
		st := &p.File.Stmts[c]
		if fn(Directive{place: p, i: c}) && st.Close != NoBlock {
			p.walk(c, fn)
		}
		for _, q := range p.expandedAt(&k, c) {
			q.walk(-1, fn)
		}
		c = st.After
	}
}

// block returns the first statement of the block of statement i (-1: the
// top level), the index after its last one, and the first of p's
// expansions that can be in it.
func (p *Place) block(i int32) (first, end int32, k int) {
	if i < 0 {
		return 0, int32(len(p.File.Stmts)), 0
	}
	first, end = i+1, p.File.Stmts[i].After
	// The first expansion at or after first: most places have one to
	// three, so a search by halves only beyond a few.
	lo, hi := 0, len(p.Expansions)
	for hi-lo > 4 {
		mid := int(uint(lo+hi) >> 1)
		if p.Expansions[mid].At < first {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	for lo < hi && p.Expansions[lo].At < first {
		lo++
	}
	return first, end, lo
}

// expandedAt returns the places of what the include at statement c read,
// if it is one; the expansions are in statement order, and *k walks them
// along with c.
func (p *Place) expandedAt(k *int, c int32) []*Place {
	for *k < len(p.Expansions) && p.Expansions[*k].At < c {
		*k++
	}
	if *k < len(p.Expansions) && p.Expansions[*k].At == c {
		return p.Expansions[*k].Places
	}
	return nil
}

// BlockList returns the directives of d's block (Block) as a new slice.
func (d Directive) BlockList() []Directive { return slices.Collect(d.Block()) }

// indexMin is the size from which Index indexes a block.
const indexMin = 32

// index indexes the large blocks under d by directive name, so that
// Children, Child and Effective do not scan the http block's thousands of
// servers for every location.
func (d Directive) index() {
	n := 0
	for c := range d.Block() {
		n++
		if c.IsBlock() {
			c.index()
		}
	}
	if n < indexMin {
		return
	}
	counts := make(map[string]int)
	for c := range d.Block() {
		counts[c.Name()]++
	}
	byName := make(map[string][]Directive, len(counts))
	for c := range d.Block() {
		name := c.Name()
		if byName[name] == nil {
			byName[name] = make([]Directive, 0, counts[name])
		}
		byName[name] = append(byName[name], c)
	}
	if d.place.index == nil {
		d.place.index = make(map[int32]map[string][]Directive)
	}
	d.place.index[d.i] = byName
}

func (d Directive) byName() map[string][]Directive {
	if d.place == nil || d.place.index == nil {
		return nil
	}
	return d.place.index[d.i]
}

// NewDirective returns a directive with no parent and no place in a file,
// for tests and for messages that show a directive rewritten.
func NewDirective(name string, args ...string) Directive {
	f := &NginxFile{Escaped: append([]string{name}, args...)}
	for i := range f.Escaped {
		f.Words = append(f.Words, Word{Len: int32(i), Escaped: true})
	}
	f.Stmts = []Stmt{{NArgs: int32(len(args)), Close: NoBlock, Parent: -1, After: 1}}
	return Directive{place: &Place{File: f}}
}

// Arg is one argument of a directive, with quotes and escapes as nginx
// leaves them: quotes removed, `\"` `\'` `\\` unescaped and `\t` `\r` `\n`
// turned into a tab, CR and LF (in quoted and unquoted words alike), other
// backslash sequences kept. Line and Col are where it starts in the
// directive's file.
type Arg struct {
	Value string `json:"value"`
	LineCol
	// Quote is '"' or '\'' when the argument was quoted, 0 otherwise.
	Quote byte `json:"quote,omitempty"`
}

// String renders the directive as it would be written (without its block).
func (d Directive) String() string {
	var b strings.Builder
	b.WriteString(d.Name())
	for _, a := range d.Args() {
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
// The slice may be shared: do not write to it.
func (d Directive) Children(name string) []Directive {
	if idx := d.byName(); idx != nil {
		cs := idx[name]
		return cs[:len(cs):len(cs)]
	}
	if d.place == nil {
		return nil
	}
	match := matcher(name)
	n := 0
	d.place.named(d.i, match, func(Directive) { n++ })
	if n == 0 {
		return nil
	}
	out := make([]Directive, 0, n)
	d.place.named(d.i, match, func(c Directive) { out = append(out, c) })
	return out
}

// Child returns the last directive named name directly inside d's block,
// or the zero Directive.
func (d Directive) Child(name string) Directive {
	if idx := d.byName(); idx != nil {
		if cs := idx[name]; len(cs) > 0 {
			return cs[len(cs)-1]
		}
		return Directive{}
	}
	var last Directive
	if d.place != nil {
		d.place.named(d.i, matcher(name), func(c Directive) { last = c })
	}
	return last
}

// nameMatch tells the directives of one name: by its index among the known
// names when it is one (no bytes compared), by the bytes of the name word
// otherwise.
type nameMatch struct {
	name string
	id   uint16
}

func matcher(name string) nameMatch { return nameMatch{name: name, id: NameID(name)} }

func (m nameMatch) matches(f *NginxFile, st *Stmt) bool {
	w := &f.Words[st.Word]
	if m.id != 0 {
		return w.Name == m.id
	}
	// A known name is always marked: an unmarked word is another name or
	// one with escapes, which no known name has.
	return w.Name == 0 && f.Value(w) == m.name
}

// named calls fn for the directives that m matches in the block of
// statement i (-1: the top level), includes expanded, in order.
func (p *Place) named(i int32, m nameMatch, fn func(Directive)) {
	f := p.File
	c, end, k := p.block(i)
	for c < end {
		st := &f.Stmts[c]
		if m.matches(f, st) {
			fn(Directive{place: p, i: c})
		}
		for _, q := range p.expandedAt(&k, c) {
			q.named(-1, m, fn)
		}
		c = st.After
	}
}

// Walk calls fn for d's children depth-first in file order; when fn returns
// false the children of that directive are skipped.
func (d Directive) Walk(fn func(Directive) bool) {
	if d.place != nil {
		d.place.walk(d.i, fn)
	}
}

// Enclosing returns the nearest enclosing block named one of names, or the
// zero Directive.
func (d Directive) Enclosing(names ...string) Directive {
	for p := d.Parent(); !p.IsZero(); p = p.Parent() {
		if slices.Contains(names, p.Name()) {
			return p
		}
	}
	return Directive{}
}

// Context returns the names of the enclosing blocks from the outside in,
// e.g. ["http", "server", "location"]. The Root has none.
func (d Directive) Context() []string {
	var names []string
	for p := d.Parent(); !p.IsZero() && !p.IsRoot(); p = p.Parent() {
		names = append(names, p.Name())
	}
	slices.Reverse(names)
	return names
}

// IncludeChain returns the include directives that led to d, innermost
// first; empty for a directive of the main file.
func (d Directive) IncludeChain() []Directive {
	var chain []Directive
	for inc := d.Include(); !inc.IsZero(); inc = inc.Include() {
		chain = append(chain, inc)
	}
	return chain
}

// jsonDirective is how the model's JSON shows a directive.
type jsonDirective struct {
	Name     string      `json:"name"`
	Args     []Arg       `json:"args,omitempty"`
	Start    Pos         `json:"start"`
	End      LineCol     `json:"end"`
	BlockEnd LineCol     `json:"block_end,omitzero"`
	Block    []Directive `json:"block,omitempty"`
}

// MarshalJSON shows the directive with its block, includes expanded.
func (d Directive) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	v := jsonDirective{Name: d.Name(), Args: d.Args(), Start: d.Pos(), End: d.Span().End.LineCol(), BlockEnd: d.BlockEnd().LineCol()}
	if d.IsBlock() {
		v.Block = d.BlockList()
		if v.Block == nil {
			v.Block = []Directive{}
		}
	}
	return json.Marshal(v)
}

// NginxUser is the account nginx's worker processes run as.
type NginxUser struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	// Directive is the `user` directive, nil when nginx's compiled default
	// (nobody) applies or the user is overridden.
	Directive Directive `json:"-"`
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
	Directive Directive         `json:"-"`
	Servers   []*UpstreamServer `json:"servers"`
}

// UpstreamServer is a `server` line of an upstream block.
type UpstreamServer struct {
	Directive Directive `json:"-"`
	Pos       Pos       `json:"pos"`
	// Target is a unix socket or host:port (never an upstream).
	Target Target `json:"target"`
	Down   bool   `json:"down,omitempty"`
	Backup bool   `json:"backup,omitempty"`
}

// Hop is one place where nginx passes a request to a backend.
type Hop struct {
	// Directive is the fastcgi_pass, proxy_pass, … directive.
	Directive Directive `json:"-"`
	Pos       Pos       `json:"pos"`
	// Module is "fastcgi", "proxy", "uwsgi", "scgi" or "grpc".
	Module string `json:"module"`
	// Context is "http" or "stream".
	Context string `json:"context"`
	// Block is the innermost enclosing location, if, limit_except or server.
	Block Directive `json:"-"`
	// Server is the enclosing server block (zero only in broken trees).
	Server Directive `json:"-"`
	Target Target    `json:"target"`
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
	// Level is the block that sets the directive (the location itself, or
	// the server or http it inherits it from); zero when nginx's default
	// applies.
	Level Directive
	name  string
	last  Directive
}

// IsDefault reports whether no level sets the directive.
func (s Setting) IsDefault() bool { return s.Level.IsZero() }

// Directives are the directives in force: one for a plain directive (the
// last one set), several for an array directive such as fastcgi_param.
// Empty when nginx's default applies.
func (s Setting) Directives() []Directive {
	if s.Level.IsZero() {
		return nil
	}
	return s.Level.Children(s.name)
}

// All yields the directives in force (Directives) one by one.
func (s Setting) All() iter.Seq[Directive] {
	return func(yield func(Directive) bool) {
		if idx := s.Level.byName(); idx != nil {
			for _, d := range idx[s.name] {
				if !yield(d) {
					return
				}
			}
			return
		}
		for c := range s.Level.Block() {
			if c.Name() == s.name && !yield(c) {
				return
			}
		}
	}
}

// Last returns the directive in force for a non-array directive, or the
// zero Directive.
func (s Setting) Last() Directive { return s.last }

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
func Effective(block Directive, name string) Setting {
	for level := block; !level.IsZero(); level = level.Parent() {
		if last := level.Child(name); !last.IsZero() {
			return Setting{Level: level, name: name, last: last}
		}
		if !Inherited(name) || level.IsRoot() {
			break
		}
		if n := level.Name(); n == "http" || n == "stream" {
			break
		}
	}
	return Setting{}
}
