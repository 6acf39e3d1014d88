// Package triage explains an nginx error log with the configuration: it
// groups the upstream errors of parsers/errorlog by cause and upstream,
// finds the fastcgi_pass / proxy_pass (or upstream server) each came from
// — the hop whose address is the logged upstream, in the server whose
// server_name is the logged server, in the location the request matches —
// and names the rules of the linter that predict the error, with their
// findings on that configuration when they fire.
package triage

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/errorlog"
)

// Group is the log entries of one cause on one upstream.
type Group struct {
	Cause errorlog.Cause
	// Status is what the clients got: 502 or 504.
	Status int
	// Upstream is scheme://address as logged (fastcgi://unix:/run/x.sock).
	Upstream string
	// Target is the parsed upstream.
	Target errorlog.Upstream
	Count  int
	// First and Last are the first and last entries (time and place).
	First *errorlog.Entry
	Last  *errorlog.Entry
	// Message is the first entry's message (without *N).
	Message string
	// Servers and Requests count the entries by server name and request
	// line, most frequent first.
	Servers  []Count
	Requests []Count
	// Explanation says what the error means.
	Explanation string
	// Rules are the configuration rules that predict this error;
	// LiveRules the --live rules that check it on the host.
	Rules     []string
	LiveRules []string
	// Rule is the rule shown with the group: the first of Rules that fires
	// here, else the first of Rules ("" when none applies).
	Rule string
	// Places are the configuration lines the entries came from.
	Places []*Place
	// Findings are the findings of Rules on those lines.
	Findings []lint.Finding
}

// Count is a value and how many entries had it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Place is a configuration line that passed requests to the upstream.
type Place struct {
	// Pos is the line holding the address: the *_pass directive, or the
	// upstream's server line.
	Pos lint.Pos `json:"pos"`
	// Directive is that line as written.
	Directive string `json:"directive"`
	// Hop is the *_pass directive when Pos is an upstream server line.
	Hop *lint.Pos `json:"hop,omitempty"`
	// HopDirective is that *_pass line.
	HopDirective string `json:"hop_directive,omitempty"`
	// Server is the server block's first server_name ("" when none);
	// Location the location's arguments ("~ \.php$").
	Server   string `json:"server"`
	Location string `json:"location,omitempty"`
	// Count is how many entries were traced to this place.
	Count int `json:"count"`
	// Guess is true when the log's server name matched no server of the
	// hops with this address: every such hop is listed.
	Guess bool `json:"guess,omitempty"`

	hop    *lint.Hop
	server *lint.UpstreamServer
}

// Build groups entries by cause and upstream, in order of count (then of
// first appearance), and ties each group to the configuration of m (nil
// when no configuration was read) and to the findings of the rules on m.
func Build(entries []errorlog.Entry, m *lint.Model, findings []lint.Finding) []*Group {
	type key struct {
		cause errorlog.Cause
		up    string
	}
	byKey := map[key]*Group{}
	var groups []*Group
	members := map[*Group][]*errorlog.Entry{}
	for i := range entries {
		e := &entries[i]
		t := e.Target()
		up := t.Address()
		if t.Scheme != "" {
			up = t.Scheme + "://" + up
		}
		k := key{e.Cause, up}
		g := byKey[k]
		if g == nil {
			g = &Group{Cause: e.Cause, Status: e.Cause.Status(), Upstream: up, Target: t, First: e, Message: e.Message}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.Count++
		if g.Last == nil || !e.Time.Before(g.Last.Time) {
			g.Last = e
		}
		if e.Time.Before(g.First.Time) {
			g.First = e
		}
		members[g] = append(members[g], e)
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	for _, g := range groups {
		es := members[g]
		g.Servers = counts(es, func(e *errorlog.Entry) string { return e.Server })
		g.Requests = counts(es, func(e *errorlog.Entry) string { return e.Request })
		module := moduleOf(g.Target.Scheme)
		c := causes[g.Cause]
		g.Explanation, g.Rules, g.LiveRules = c.explain, ruleIDs(g.Cause, module), append([]string{}, c.live...)
		if module != "fastcgi" && c.explainProxy != "" {
			g.Explanation = c.explainProxy
		}
		if g.Cause == errorlog.CausePermission && !g.Target.IsUnix() {
			g.Explanation = "a TCP connect() denied by this host: SELinux (httpd_can_network_connect off, the port not labelled http_port_t), not a file permission"
			g.Rules, g.LiveRules = nil, []string{"live-selinux-blocks"}
		}
		if m != nil && m.Nginx != nil {
			g.Places = places(m, g, es, module)
			g.Findings = relevant(m, g, findings)
		}
		if len(g.Rules) > 0 {
			g.Rule = g.Rules[0]
			for _, id := range g.Rules {
				if hasRule(g.Findings, id) {
					g.Rule = id
					break
				}
			}
		}
	}
	return groups
}

func hasRule(fs []lint.Finding, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}

// counts tallies a field of the entries, most frequent first, then in
// order of first appearance.
func counts(es []*errorlog.Entry, field func(*errorlog.Entry) string) []Count {
	index := map[string]int{}
	var out []Count
	for _, e := range es {
		v := field(e)
		if i, ok := index[v]; ok {
			out[i].Count++
			continue
		}
		index[v] = len(out)
		out = append(out, Count{Value: v, Count: 1})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// places traces each entry to the hops whose address is the group's
// upstream: in the server named by the entry, in the location its request
// matches when the server has several such hops.
func places(m *lint.Model, g *Group, es []*errorlog.Entry, module string) []*Place {
	cands := candidates(m, g.Target, module)
	if len(cands) == 0 {
		return nil
	}
	var out []*Place
	byPos := map[lint.Pos]*Place{}
	add := func(c *Place, guess bool) {
		p := byPos[c.Pos]
		if p == nil {
			cp := *c
			cp.Guess = guess
			p = &cp
			byPos[c.Pos] = p
			out = append(out, p)
		}
		p.Guess = p.Guess && guess
		p.Count++
	}
	for _, e := range es {
		var inServer []*Place
		for _, c := range cands {
			if serverMatches(c.hop.Server, e.Server) {
				inServer = append(inServer, c)
			}
		}
		if len(inServer) == 0 {
			for _, c := range cands {
				add(c, true)
			}
			continue
		}
		for _, c := range byLocation(inServer, requestPath(e.Request)) {
			add(c, false)
		}
	}
	return out
}

// candidates lists the places whose address is the upstream: a hop's own
// target, a server of the upstream a hop names, or — for an upstream's
// name ("no live upstreams") — the hops that name it.
func candidates(m *lint.Model, up errorlog.Upstream, module string) []*Place {
	var out []*Place
	for _, h := range m.Nginx.Hops {
		if h.Module != module || h.Context != "http" {
			continue
		}
		t := h.Target
		switch {
		case up.IsName():
			if t.Kind == lint.TargetUpstream && t.Upstream != nil && t.Upstream.Name == up.Host {
				out = append(out, newPlace(h, nil))
			}
		case t.Kind == lint.TargetUpstream && t.Upstream != nil:
			for _, s := range t.Upstream.Servers {
				if sameAddress(s.Target, up) {
					out = append(out, newPlace(h, s))
				}
			}
		case sameAddress(t, up):
			out = append(out, newPlace(h, nil))
		}
	}
	return out
}

func newPlace(h *lint.Hop, s *lint.UpstreamServer) *Place {
	p := &Place{Pos: h.Pos, Directive: h.Directive.String(), hop: h, server: s}
	if s != nil {
		hp := h.Pos
		p.Pos, p.Directive = s.Pos, s.Directive.String()
		p.Hop, p.HopDirective = &hp, h.Directive.String()
	}
	if !h.Server.IsZero() {
		if sn := h.Server.Child("server_name"); !sn.IsZero() {
			p.Server = sn.Arg(0)
		}
	}
	if loc := h.Directive.Enclosing("location"); !loc.IsZero() {
		p.Location = strings.Join(loc.ArgValues(), " ")
	}
	return p
}

// sameAddress compares a configured target with a logged upstream: unix
// paths cleaned; TCP by port, and by host when the configuration names an
// address (nginx logs the address a name resolved to, so a host name
// matches any address on the port).
func sameAddress(t lint.Target, up errorlog.Upstream) bool {
	switch t.Kind {
	case lint.TargetUnix:
		return up.IsUnix() && path.Clean(t.Path) == path.Clean(up.Path)
	case lint.TargetTCP:
		if up.IsUnix() || t.Port != up.Port {
			return false
		}
		host := lint.LowerASCII(strings.Trim(t.Host, "[]"))
		logged := lint.LowerASCII(up.Host)
		switch host {
		case logged:
			return true
		case "localhost":
			return logged == "127.0.0.1" || logged == "::1"
		}
		return !isIP(host)
	}
	return false
}

func isIP(h string) bool {
	if strings.Contains(h, ":") {
		return true
	}
	for _, part := range strings.Split(h, ".") {
		if part == "" || strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return strings.Count(h, ".") == 3
}

// serverMatches reports whether the server block is the one nginx names in
// the log: its first server_name (nginx logs that one), or any of its
// names; "" for a server without server_name.
func serverMatches(server lint.Directive, logged string) bool {
	if server.IsZero() {
		return false
	}
	var names []string
	for _, sn := range server.Children("server_name") {
		names = append(names, sn.ArgValues()...)
	}
	if len(names) == 0 {
		return logged == ""
	}
	for _, n := range names {
		if n == logged {
			return true
		}
	}
	return false
}

// requestPath is the path of a request line "GET /a.php?x=1 HTTP/1.1".
func requestPath(req string) string {
	f := strings.Fields(req)
	if len(f) < 2 {
		return ""
	}
	p, _, _ := strings.Cut(f[1], "?")
	return p
}

// byLocation keeps the places inside the location nginx picks for uri in
// their server; all of them when that cannot be told.
func byLocation(ps []*Place, uri string) []*Place {
	if len(ps) < 2 || uri == "" {
		return ps
	}
	loc := findLocation(ps[0].hop.Server, uri)
	if loc.IsZero() {
		return ps
	}
	var out []*Place
	for _, p := range ps {
		for d := p.hop.Directive.Parent(); !d.IsZero(); d = d.Parent() {
			if d == loc {
				out = append(out, p)
				break
			}
		}
	}
	if len(out) == 0 {
		return ps
	}
	return out
}

// String renders a place for messages: `fastcgi_pass unix:…; (server
// shop.example.com, location ~ \.php$)`.
func (p *Place) String() string {
	var where []string
	if p.Server != "" {
		where = append(where, "server "+p.Server)
	}
	if p.Location != "" {
		where = append(where, "location "+p.Location)
	}
	s := p.Directive
	if p.HopDirective != "" {
		s += " of " + p.HopDirective
	}
	if len(where) > 0 {
		s += " (" + strings.Join(where, ", ") + ")"
	}
	return s
}

// relevant returns the findings of the group's rules that concern its
// places. On the nginx side that is the hop, the upstream server or block,
// a directive in force at the hop (a setting of an enclosing block), and
// the user directive; on the PHP-FPM side, the pool listening on the
// upstream (its values, its php-fpm.conf and php.ini). A finding is kept
// when its position, or a place it relates, is on the nginx side; or when
// it touches the pool and names no nginx line other than these (a finding
// about another location that shares the pool is not this one's).
func relevant(m *lint.Model, g *Group, findings []lint.Finding) []lint.Finding {
	if len(g.Places) == 0 || len(g.Rules) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, id := range g.Rules {
		want[id] = true
	}
	nginxSide := map[lint.Pos]bool{}
	defaultBuffer := false
	for _, p := range g.Places {
		h := p.hop
		nginxSide[h.Pos] = true
		if p.server != nil {
			nginxSide[p.server.Pos] = true
		}
		if t := h.Target; t.Kind == lint.TargetUpstream && t.Upstream != nil && !t.Upstream.Directive.IsZero() {
			nginxSide[t.Upstream.Directive.Pos()] = true
			for d := range t.Upstream.Directive.Block() {
				nginxSide[d.Pos()] = true
			}
		}
		for b := h.Directive.Parent(); !b.IsZero(); b = b.Parent() {
			for d := range b.Block() {
				if !d.IsBlock() {
					nginxSide[d.Pos()] = true
				}
			}
		}
		if lint.Effective(h.Block, h.Module+"_buffer_size").IsDefault() {
			defaultBuffer = true
		}
	}
	if u := m.Nginx.User.Directive; !u.IsZero() {
		nginxSide[u.Pos()] = true
	}
	poolSide := map[lint.Pos]bool{}
	for _, p := range m.Pools() {
		if listensOn(p, g.Target) {
			addPool(poolSide, p)
		}
	}
	isNginx := func(pos lint.Pos) bool {
		s := m.Source(pos.File)
		return s != nil && s.Kind == lint.KindNginx
	}
	var out []lint.Finding
	for _, f := range findings {
		if !want[f.Rule] {
			continue
		}
		positions := []lint.Pos{f.Span.Start}
		for _, r := range f.Related {
			positions = append(positions, r.Pos)
		}
		here, pool, elsewhere := false, false, false
		for _, pos := range positions {
			switch {
			case nginxSide[pos]:
				here = true
			case poolSide[pos]:
				pool = true
			case isNginx(pos):
				elsewhere = true
			}
		}
		// One note covers every location left at the 4k default.
		if here || (pool && !elsewhere) || (f.Rule == "buffer-size-default" && defaultBuffer) {
			out = append(out, f)
		}
	}
	return out
}

func addPool(at map[lint.Pos]bool, p *lint.Pool) {
	at[p.Pos] = true
	for _, v := range p.Values {
		at[v.Pos] = true
	}
	for _, v := range p.PHPValues {
		at[v.Pos] = true
	}
	if f := p.FPM; f != nil {
		for _, v := range f.Global {
			at[v.Pos] = true
		}
		if f.PHPIni != nil {
			for _, v := range f.PHPIni.Values {
				at[v.Pos] = true
			}
		}
	}
}

// listensOn reports whether a pool listens on the logged upstream.
func listensOn(p *lint.Pool, up errorlog.Upstream) bool {
	l := p.Listen
	switch {
	case l.Value == nil:
		return false
	case up.IsUnix():
		return l.Kind == lint.ListenUnix && path.Clean(l.Path) == path.Clean(up.Path)
	case up.Port != 0:
		return l.Kind == lint.ListenTCP && l.Port == up.Port && (l.Host == "" || l.Host == up.Host || l.Host == "localhost")
	}
	return false
}

// Summary says in one line what the groups hold: "19 upstream errors
// (18 × 502, 1 × 504) in 11 groups".
func Summary(groups []*Group) string {
	total, by := 0, map[int]int{}
	for _, g := range groups {
		total += g.Count
		by[g.Status] += g.Count
	}
	if total == 0 {
		return "no upstream errors"
	}
	var parts []string
	for _, s := range []int{502, 504} {
		if by[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d × %d", by[s], s))
		}
	}
	return fmt.Sprintf("%s (%s) in %s", plural(total, "upstream error"), strings.Join(parts, ", "), plural(len(groups), "group"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
