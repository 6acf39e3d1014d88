package nginx

import (
	"fmt"
	"strings"
	"sync"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// passModule returns the module of a directive that hands a request to a
// backend, or "".
func passModule(name string) string {
	switch name {
	case "fastcgi_pass":
		return "fastcgi"
	case "proxy_pass":
		return "proxy"
	case "uwsgi_pass":
		return "uwsgi"
	case "scgi_pass":
		return "scgi"
	case "grpc_pass":
		return "grpc"
	}
	return ""
}

// dataBlock reports whether a block holds key/value entries, not directives.
func dataBlock(name string) bool {
	switch name {
	case "map", "geo", "types", "split_clients", "charset_map", "match":
		return true
	}
	return false
}

// fillFacts derives the user, the upstreams, the hops and the levels from
// the tree, and indexes it. The last three each walk the whole tree, which
// they only read: they run at once.
func fillFacts(n *lint.Nginx) {
	n.User = nginxUser(n.Root)
	n.Upstreams = upstreams(n.Root)
	https := n.Root.Children("http")
	var wg sync.WaitGroup
	wg.Go(func() { n.Levels = levels(https) })
	wg.Go(n.Index) // writes only the index that Children reads: not used below
	n.Hops = hops(n.Root, n.Upstreams)
	wg.Wait()
}

// levels lists the http context's blocks that settings are inherited
// through.
func levels(https []lint.Directive) []lint.Directive {
	// Counted first, then listed: the list of 10,000 sites' blocks grown
	// by doubling left twice its size behind.
	n := 0
	walkLevels(https, func(lint.Directive) { n++ })
	out := make([]lint.Directive, 0, n)
	walkLevels(https, func(d lint.Directive) { out = append(out, d) })
	return out
}

func walkLevels(https []lint.Directive, fn func(lint.Directive)) {
	for _, h := range https {
		fn(h)
		h.Walk(func(d lint.Directive) bool {
			switch d.Name() {
			case "server", "location", "if", "limit_except":
				if d.IsBlock() {
					fn(d)
				}
				return true
			}
			return false
		})
	}
}

// nginxUser reads the main context's `user name [group];` (ngx_set_user:
// the group defaults to the user's name).
func nginxUser(root lint.Directive) lint.NginxUser {
	u := lint.NginxUser{Name: lint.NginxDefaultUser, Group: lint.NginxDefaultGroup}
	ds := root.Children("user")
	if len(ds) == 0 {
		return u
	}
	d := ds[0] // nginx refuses a second one ("is duplicate")
	u.Directive = d
	if d.NArgs() > 0 {
		u.Name, u.Group = d.Arg(0), d.Arg(0)
	}
	if d.NArgs() > 1 {
		u.Group = d.Arg(1)
	}
	return u
}

// upstreams lists the upstream blocks of the http and stream contexts.
func upstreams(root lint.Directive) []*lint.Upstream {
	out := []*lint.Upstream{}
	for top := range root.Block() {
		ctx := top.Name()
		if ctx != "http" && ctx != "stream" {
			continue
		}
		for _, d := range top.Children("upstream") {
			if !d.IsBlock() {
				continue
			}
			u := &lint.Upstream{Name: d.Arg(0), Context: ctx, Directive: d, Servers: []*lint.UpstreamServer{}}
			for _, s := range d.Children("server") {
				u.Servers = append(u.Servers, upstreamServer(s, ctx))
			}
			out = append(out, u)
		}
	}
	return out
}

// upstreamServer reads `server address [flags];` of an upstream block
// (ngx_http_upstream_server, ngx_stream_upstream_server).
func upstreamServer(s lint.Directive, ctx string) *lint.UpstreamServer {
	us := &lint.UpstreamServer{Directive: s, Pos: s.Pos()}
	if s.NArgs() == 0 {
		us.Target = lint.Target{Kind: lint.TargetInvalid, Problem: `invalid number of arguments in "server" directive`}
		return us
	}
	for i := 1; i < s.NArgs(); i++ {
		switch s.Arg(i) {
		case "down":
			us.Down = true
		case "backup":
			us.Backup = true
		}
	}
	raw := s.Arg(0)
	defaultPort := 80
	if ctx == "stream" {
		defaultPort = 0
	}
	u, problem := parseURL(raw, defaultPort, false)
	switch {
	case problem != "":
		us.Target = invalid(raw, "%s in upstream %q", problem, raw)
	case u.unix:
		us.Target = lint.Target{Kind: lint.TargetUnix, Raw: raw, Path: u.path}
	case u.port == 0:
		us.Target = invalid(raw, "no port in upstream %q", raw)
	default:
		us.Target = lint.Target{Kind: lint.TargetTCP, Raw: raw, Host: u.addr(), Port: u.port}
	}
	return us
}

// hops finds every *_pass directive, in file order, and resolves its target.
func hops(root lint.Directive, ups []*lint.Upstream) []*lint.Hop {
	byName := map[string]*lint.Upstream{}
	for _, u := range ups {
		key := u.Context + "\x00" + lint.LowerASCII(u.Name)
		if byName[key] == nil {
			byName[key] = u
		}
	}
	find := func(ctx, host string) *lint.Upstream { return byName[ctx+"\x00"+lint.LowerASCII(host)] }

	out := []*lint.Hop{}
	root.Walk(func(d lint.Directive) bool {
		name := d.Name()
		module := passModule(name)
		if module == "" {
			return !dataBlock(name)
		}
		ctx := "http"
		if topLevel(d).Name() == "stream" {
			ctx = "stream"
		}
		out = append(out, &lint.Hop{
			Directive: d,
			Pos:       d.Pos(),
			Module:    module,
			Context:   ctx,
			Block:     d.Enclosing("location", "if", "limit_except", "server"),
			Server:    d.Enclosing("server"),
			Target:    passTarget(d, module, ctx, find),
		})
		return false
	})
	return out
}

// topLevel returns the main-context block d is in, the zero Directive for a
// main-context d.
func topLevel(d lint.Directive) lint.Directive {
	var top lint.Directive
	for p := d.Parent(); !p.IsZero() && !p.IsRoot(); p = p.Parent() {
		top = p
	}
	return top
}

// passTarget resolves the address of a *_pass directive as its module does
// (ngx_http_fastcgi_pass, ngx_http_proxy_pass, …, then ngx_parse_url and
// ngx_http_upstream_add).
func passTarget(d lint.Directive, module, ctx string, find func(ctx, host string) *lint.Upstream) lint.Target {
	raw := d.Arg(0)
	if d.NArgs() != 1 {
		return invalid(raw, "invalid number of arguments in %q directive", d.Name())
	}
	if ctx == "stream" && module != "proxy" {
		return invalid(raw, "unknown directive %q in the stream context", d.Name())
	}
	t := lint.Target{Raw: raw}
	rest, defaultPort, uriPart := raw, 0, false
	switch {
	case ctx == "stream":
	case module == "proxy":
		switch {
		case hasPrefixFold(raw, "http://"):
			t.Scheme, rest, defaultPort = "http", raw[7:], 80
		case hasPrefixFold(raw, "https://"):
			t.Scheme, rest, defaultPort = "https", raw[8:], 443
		case !strings.Contains(raw, "$"):
			return invalid(raw, "invalid URL prefix")
		}
		uriPart = true
	case module == "grpc":
		t.Scheme = "grpc"
		switch {
		case hasPrefixFold(raw, "grpc://"):
			rest = raw[7:]
		case hasPrefixFold(raw, "grpcs://"):
			t.Scheme, rest = "grpcs", raw[8:]
		}
	case module == "uwsgi":
		switch {
		case hasPrefixFold(raw, "uwsgi://"):
			t.Scheme, rest = "uwsgi", raw[8:]
		case hasPrefixFold(raw, "suwsgi://"):
			t.Scheme, rest = "suwsgi", raw[9:]
		}
	}
	// Any '$' makes the address a script evaluated per request
	// (ngx_http_script_variables_count), checked before anything else.
	if strings.Contains(raw, "$") {
		t.Kind = lint.TargetVariable
		return t
	}
	u, problem := parseURL(rest, defaultPort, uriPart)
	switch {
	case problem != "":
		return invalid(raw, "%s in upstream %q", problem, rest)
	case u.unix:
		t.Kind, t.Path = lint.TargetUnix, u.path
		return t
	}
	if up := find(ctx, u.host); up != nil {
		if !u.noPort {
			return invalid(raw, "upstream %q may not have port %d", u.host, u.port)
		}
		t.Kind, t.Upstream = lint.TargetUpstream, up
		return t
	}
	if u.port == 0 {
		return invalid(raw, "no port in upstream %q", u.host)
	}
	t.Kind, t.Host, t.Port = lint.TargetTCP, u.addr(), u.port
	return t
}

func invalid(raw, format string, args ...any) lint.Target {
	return lint.Target{Kind: lint.TargetInvalid, Raw: raw, Problem: fmt.Sprintf(format, args...)}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
