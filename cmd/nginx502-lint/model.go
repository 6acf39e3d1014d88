package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/config"
	"github.com/nginx502-lint/nginx502-lint/parsers"
)

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

// summary says in one line what was loaded.
func summary(m *lint.Model) string {
	var parts []string
	if ng := m.Nginx; ng != nil {
		servers := 0
		ng.Root.Walk(func(d lint.Directive) bool {
			if d.Name() == "server" && d.IsBlock() {
				servers++
			}
			return true
		})
		parts = append(parts, fmt.Sprintf("nginx: %s, %s, %s", plural(servers, "server"), plural(len(ng.Hops), "backend hop"), plural(len(ng.Upstreams), "upstream")))
	}
	for _, f := range m.FPMs {
		name := "php-fpm"
		if f.Version != "" {
			name += " " + f.Version
		}
		parts = append(parts, fmt.Sprintf("%s: %s", name, plural(len(f.Pools), "pool")))
	}
	return fmt.Sprintf("loaded %s (%s)", plural(len(m.Sources), "file"), strings.Join(parts, "; "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func modelAction(c *cli.Context) error {
	opts, err := loadOptions(c, &settings{cfg: &config.Config{}})
	if err != nil {
		return usageError(c, "%v", err)
	}
	model, err := parsers.Load(opts)
	if err != nil {
		printLoadErrors(c.App.Writer, err)
		return exitCode(exitError)
	}
	switch c.String("format") {
	case "json":
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		return enc.Encode(modelView(model))
	case "text":
		printModel(c.App.Writer, model)
		return nil
	}
	fmt.Fprintf(c.App.ErrWriter, "nginx502-lint: unknown --format %q for model (want text or json)\n", c.String("format"))
	return exitCode(exitError)
}

// The JSON view of the model: what the linter believes, with positions.
type (
	jsonModel struct {
		Sources  []*lint.Source `json:"sources"`
		Nginx    *jsonNginx     `json:"nginx,omitempty"`
		FPM      []*lint.FPM    `json:"fpm,omitempty"`
		Accounts *lint.Accounts `json:"accounts,omitempty"`
	}
	jsonNginx struct {
		File      string           `json:"file"`
		User      jsonUser         `json:"user"`
		Upstreams []*lint.Upstream `json:"upstreams"`
		Hops      []jsonHop        `json:"hops"`
		Tree      []lint.Directive `json:"tree"`
	}
	jsonUser struct {
		Name    string    `json:"name"`
		Group   string    `json:"group"`
		Pos     *lint.Pos `json:"pos,omitempty"`
		Default bool      `json:"default,omitempty"`
	}
	jsonHop struct {
		*lint.Hop
		In        string                 `json:"in"`
		Include   []lint.Pos             `json:"include_chain,omitempty"`
		Effective map[string]jsonSetting `json:"effective"`
	}
	jsonSetting struct {
		Values []string   `json:"values,omitempty"`
		At     []lint.Pos `json:"at,omitempty"`
		Level  string     `json:"level,omitempty"`
	}
)

// hopSettings are the inherited directives shown for each hop, by module.
var hopSettings = map[string][]string{
	"fastcgi": {"fastcgi_buffer_size", "fastcgi_buffers", "fastcgi_busy_buffers_size", "fastcgi_read_timeout", "fastcgi_send_timeout", "fastcgi_connect_timeout", "fastcgi_keep_conn", "fastcgi_param"},
	"proxy":   {"proxy_buffer_size", "proxy_buffers", "proxy_busy_buffers_size", "proxy_read_timeout", "proxy_send_timeout", "proxy_connect_timeout", "proxy_http_version"},
	"uwsgi":   {"uwsgi_buffer_size", "uwsgi_buffers", "uwsgi_read_timeout"},
	"scgi":    {"scgi_buffer_size", "scgi_buffers", "scgi_read_timeout"},
	"grpc":    {"grpc_buffer_size", "grpc_read_timeout"},
}

func modelView(m *lint.Model) jsonModel {
	v := jsonModel{Sources: m.Sources, FPM: m.FPMs, Accounts: m.Accounts}
	if ng := m.Nginx; ng != nil {
		jn := &jsonNginx{File: ng.File, Upstreams: ng.Upstreams, Tree: ng.Root.BlockList(), Hops: []jsonHop{}}
		if jn.Tree == nil {
			jn.Tree = []lint.Directive{}
		}
		jn.User = jsonUser{Name: ng.User.Name, Group: ng.User.Group, Default: ng.User.Directive.IsZero()}
		if d := ng.User.Directive; !d.IsZero() {
			p := d.Pos()
			jn.User.Pos = &p
		}
		for _, h := range ng.Hops {
			jh := jsonHop{Hop: h, In: blockPath(h.Block), Effective: map[string]jsonSetting{}}
			for _, inc := range h.Directive.IncludeChain() {
				jh.Include = append(jh.Include, inc.Pos())
			}
			for _, name := range hopSettings[h.Module] {
				s := lint.Effective(h.Block, name)
				if s.IsDefault() {
					continue
				}
				js := jsonSetting{Level: blockPath(s.Level)}
				for _, d := range s.Directives() {
					js.Values = append(js.Values, strings.Join(d.ArgValues(), " "))
					js.At = append(js.At, d.Pos())
				}
				jh.Effective[name] = js
			}
			jn.Hops = append(jn.Hops, jh)
		}
		v.Nginx = jn
	}
	return v
}

// blockPath names a block by its chain: `http > server example.com > location ~ \.php$`.
func blockPath(b lint.Directive) string {
	var parts []string
	for d := b; !d.IsZero() && !d.IsRoot(); d = d.Parent() {
		label := d.Name()
		switch d.Name() {
		case "server":
			if sn := d.Child("server_name"); !sn.IsZero() && sn.NArgs() > 0 {
				label += " " + sn.Arg(0)
			}
		default:
			if d.NArgs() > 0 {
				label += " " + strings.Join(d.ArgValues(), " ")
			}
		}
		parts = append([]string{label}, parts...)
	}
	return strings.Join(parts, " > ")
}

func printModel(w io.Writer, m *lint.Model) {
	fmt.Fprintln(w, summary(m))
	fmt.Fprintln(w, "\nfiles:")
	for _, s := range m.Sources {
		if s.RealPath != "" && s.RealPath != s.Path {
			fmt.Fprintf(w, "  %-8s %s -> %s\n", s.Kind, s.Path, s.RealPath)
		} else {
			fmt.Fprintf(w, "  %-8s %s\n", s.Kind, s.Path)
		}
	}
	if ng := m.Nginx; ng != nil {
		fmt.Fprintf(w, "\nnginx %s\n", ng.File)
		if !ng.User.Directive.IsZero() {
			fmt.Fprintf(w, "  workers run as %s:%s (%s)\n", ng.User.Name, ng.User.Group, ng.User.Directive.Pos())
		} else {
			fmt.Fprintf(w, "  workers run as %s:%s (no user directive: nginx's default)\n", ng.User.Name, ng.User.Group)
		}
		for _, u := range ng.Upstreams {
			fmt.Fprintf(w, "  upstream %s (%s) %s\n", u.Name, u.Context, u.Directive.Pos())
			for _, s := range u.Servers {
				fmt.Fprintf(w, "    server %s%s %s\n", targetString(s.Target), flags(s), s.Pos)
			}
		}
		for _, h := range ng.Hops {
			fmt.Fprintf(w, "  %s_pass %s -> %s\n    in %s\n", h.Module, h.Pos, targetString(h.Target), blockPath(h.Block))
		}
	}
	for _, f := range m.FPMs {
		fmt.Fprintf(w, "\nphp-fpm %s (version %q, prefix %s)\n", f.File, f.Version, f.Prefix)
		if f.PHPIni != nil {
			fmt.Fprintf(w, "  php.ini: %s\n", strings.Join(f.PHPIni.Files, ", "))
		}
		for _, p := range f.Pools {
			fmt.Fprintf(w, "  pool [%s] %s\n", p.Name, p.Pos)
			if p.Listen.Value == nil {
				fmt.Fprintln(w, "    listen: (none)")
				continue
			}
			fmt.Fprintf(w, "    listen %s %s\n", listenString(p.Listen), p.Listen.Value.Pos)
			for _, k := range []string{"user", "group", "listen.owner", "listen.group", "listen.mode", "listen.acl_users", "listen.acl_groups", "listen.allowed_clients", "pm", "pm.max_children", "request_terminate_timeout"} {
				if v, ok := p.Values[k]; ok {
					fmt.Fprintf(w, "    %s = %s %s\n", k, v.Value, v.Pos)
				}
			}
		}
	}
}

func flags(s *lint.UpstreamServer) string {
	var f string
	if s.Down {
		f += " down"
	}
	if s.Backup {
		f += " backup"
	}
	return f
}

func targetString(t lint.Target) string {
	switch t.Kind {
	case lint.TargetUnix:
		return "unix socket " + t.Path
	case lint.TargetTCP:
		return fmt.Sprintf("tcp %s:%d", t.Host, t.Port)
	case lint.TargetUpstream:
		return "upstream " + t.Upstream.Name
	case lint.TargetVariable:
		return "unresolvable: contains a variable (" + t.Raw + ")"
	case lint.TargetInvalid:
		return "invalid: " + t.Problem
	}
	return t.Raw
}

func listenString(l lint.Listen) string {
	if l.Kind == lint.ListenUnix {
		return "unix socket " + l.Path
	}
	if l.Host == "" {
		return fmt.Sprintf("tcp *:%d (all interfaces)", l.Port)
	}
	return fmt.Sprintf("tcp %s:%d", l.Host, l.Port)
}
