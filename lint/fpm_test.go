package lint_test

import (
	"reflect"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/parsers/fpm"
	"github.com/nginx502-lint/nginx502-lint/parsers/source"
)

func TestAccountsInGroup(t *testing.T) {
	// as read from /etc/passwd and /etc/group
	acc := &lint.Accounts{
		Source: []string{"/etc/group", "/etc/passwd"},
		Users: map[string]string{
			"www-data": "www-data",
			"nginx":    "nginx",
			"alice":    "staff",
			"orphan":   "", // primary GID not in /etc/group
		},
		Members: map[string][]string{
			"www-data": {"alice"},
			"sockets":  {"bob", "nginx"},
		},
	}
	cases := []struct {
		name        string
		acc         *lint.Accounts
		user, group string
		in, known   bool
	}{
		{"primary group named like the user", acc, "www-data", "www-data", true, true},
		{"primary group named otherwise", acc, "alice", "staff", true, true},
		{"supplementary member", acc, "alice", "www-data", true, true},
		{"member among several", acc, "nginx", "sockets", true, true},
		{"known user, not a member", acc, "nginx", "www-data", false, true},
		{"known user, unknown group", acc, "alice", "nosuchgroup", false, true},
		{"primary GID without a group line", acc, "orphan", "staff", false, true},
		{"unknown user", acc, "ghost", "www-data", false, false},
		{"unknown user listed as member", acc, "bob", "sockets", true, true},
		{"no account files: own-name group", nil, "www-data", "www-data", true, true},
		{"no account files: other group", nil, "www-data", "shop", false, false},
		{"empty accounts: other group", &lint.Accounts{}, "nginx", "www-data", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, known := c.acc.InGroup(c.user, c.group)
			if in != c.in || known != c.known {
				t.Errorf("InGroup(%q, %q) = %v, %v; want %v, %v", c.user, c.group, in, known, c.in, c.known)
			}
		})
	}
}

func TestPoolGet(t *testing.T) {
	listen := &lint.Value{Key: "listen", Value: "/run/php/www.sock", Pos: lint.Pos{File: "www.conf", Line: 3, Col: 1}}
	mode := &lint.Value{Key: "listen.mode", Value: "0666", Pos: lint.Pos{File: "www.conf", Line: 4, Col: 1}}
	p := &lint.Pool{Name: "www", Values: map[string]*lint.Value{"listen": listen, "listen.mode": mode}}

	cases := []struct {
		key         string
		want        *lint.Value // nil: no value at all
		set         bool
		wantDefault bool
	}{
		{"listen", listen, true, false},
		{"listen.mode", mode, true, false}, // set beats the default 0660
		{"listen.backlog", &lint.Value{Key: "listen.backlog", Value: lint.PoolDefaults["listen.backlog"], Default: true}, false, true},
		{"request_terminate_timeout", &lint.Value{Key: "request_terminate_timeout", Value: "0", Default: true}, false, true},
		{"clear_env", &lint.Value{Key: "clear_env", Value: "1", Default: true}, false, true},
		{"pm.max_children", nil, false, false}, // no default: php-fpm refuses the pool
		{"user", nil, false, false},
	}
	for _, c := range cases {
		got := p.Get(c.key)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Get(%q) = %+v, want %+v", c.key, got, c.want)
		}
		if c.want != nil && !c.wantDefault && got != c.want {
			t.Errorf("Get(%q) returns a copy, not the pool's value", c.key)
		}
		if got != nil && got.Default != c.wantDefault {
			t.Errorf("Get(%q).Default = %v, want %v", c.key, got.Default, c.wantDefault)
		}
		if got != nil && got.Default && got.Pos.IsValid() {
			t.Errorf("Get(%q): a default has a position %v", c.key, got.Pos)
		}
		if p.Set(c.key) != c.set {
			t.Errorf("Set(%q) = %v, want %v", c.key, p.Set(c.key), c.set)
		}
	}
}

func TestPoolPHPSetting(t *testing.T) {
	iniMax := &lint.Value{Key: "max_execution_time", Value: "60", Pos: lint.Pos{File: "php.ini", Line: 4, Col: 1}}
	iniMem := &lint.Value{Key: "memory_limit", Value: "128M", Pos: lint.Pos{File: "php.ini", Line: 5, Col: 1}}
	iniOB := &lint.Value{Key: "output_buffering", Value: "4096", Pos: lint.Pos{File: "php.ini", Line: 6, Col: 1}}
	f := &lint.FPM{PHPIni: &lint.PHPIni{Files: []string{"php.ini"}, Values: map[string]*lint.Value{
		"max_execution_time": iniMax, "memory_limit": iniMem, "output_buffering": iniOB,
	}}}
	adminPos := lint.Pos{File: "www.conf", Line: 10, Col: 1}
	userPos := lint.Pos{File: "www.conf", Line: 11, Col: 1}
	p := &lint.Pool{Name: "www", FPM: f, PHPValues: map[string]*lint.PHPValue{
		"max_execution_time": {Key: "php_admin_value[max_execution_time]", Name: "max_execution_time", Value: "300", Admin: true, Pos: adminPos},
		"memory_limit":       {Key: "php_value[memory_limit]", Name: "memory_limit", Value: "256M", Pos: userPos},
	}}
	bare := &lint.Pool{Name: "bare", FPM: &lint.FPM{}}
	orphan := &lint.Pool{Name: "orphan"} // no FPM at all

	cases := []struct {
		name    string
		pool    *lint.Pool
		setting string
		want    *lint.Value
	}{
		{"php_admin_value beats php.ini", p, "max_execution_time", &lint.Value{Key: "php_admin_value[max_execution_time]", Value: "300", Pos: adminPos}},
		{"php_value beats php.ini", p, "memory_limit", &lint.Value{Key: "php_value[memory_limit]", Value: "256M", Pos: userPos}},
		{"php.ini beats PHP's default", p, "output_buffering", iniOB},
		{"PHP's default", p, "cgi.fix_pathinfo", &lint.Value{Key: "cgi.fix_pathinfo", Value: "1", Default: true}},
		{"nothing known", p, "opcache.enable", nil},
		{"no php.ini: default", bare, "max_execution_time", &lint.Value{Key: "max_execution_time", Value: "30", Default: true}},
		{"no FPM: default", orphan, "max_execution_time", &lint.Value{Key: "max_execution_time", Value: "30", Default: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.pool.PHPSetting(c.setting)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("PHPSetting(%q) = %+v, want %+v", c.setting, got, c.want)
			}
		})
	}
}

// TestPoolPHPSettingParsed checks the precedence on a pool file read by the
// real parser: php_admin_value wins over a php_value of the same setting
// written before it, and the pool wins over php.ini.
func TestPoolPHPSettingParsed(t *testing.T) {
	const pool = "/cfg/php/pool.d/www.conf"
	fsys := &source.FS{Overlay: map[string][]byte{pool: []byte(`[www]
user = www-data
listen = /run/php/www.sock
pm = static
pm.max_children = 2
php_value[max_execution_time] = 10
php_admin_value[max_execution_time] = 20
php_value[memory_limit] = 64M
`)}}
	f, _, err := fpm.LoadPool(fsys, pool, fpm.Options{Prefix: "/usr", Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Pools) != 1 {
		t.Fatalf("%d pools, want 1", len(f.Pools))
	}
	f.PHPIni = &lint.PHPIni{Values: map[string]*lint.Value{
		"max_execution_time": {Key: "max_execution_time", Value: "90"},
		"memory_limit":       {Key: "memory_limit", Value: "512M"},
		"max_input_time":     {Key: "max_input_time", Value: "45"},
	}}
	p := f.Pools[0]
	cases := []struct {
		setting, key, value string
		line                int32
	}{
		{"max_execution_time", "php_admin_value[max_execution_time]", "20", 7},
		{"memory_limit", "php_value[memory_limit]", "64M", 8},
		{"max_input_time", "max_input_time", "45", 0},
	}
	for _, c := range cases {
		v := p.PHPSetting(c.setting)
		if v == nil || v.Key != c.key || v.Value != c.value || v.Pos.Line != c.line {
			t.Errorf("PHPSetting(%q) = %+v, want %s = %s at line %d", c.setting, v, c.key, c.value, c.line)
		}
	}
}

func TestListenAllInterfaces(t *testing.T) {
	cases := []struct {
		l    lint.Listen
		want bool
	}{
		{lint.Listen{Kind: lint.ListenTCP, Port: 9000}, true},
		{lint.Listen{Kind: lint.ListenTCP, Host: "127.0.0.1", Port: 9000}, false},
		{lint.Listen{Kind: lint.ListenUnix, Path: "/run/php/www.sock"}, false},
		{lint.Listen{}, false},
	}
	for _, c := range cases {
		if got := c.l.AllInterfaces(); got != c.want {
			t.Errorf("%+v.AllInterfaces() = %v, want %v", c.l, got, c.want)
		}
	}
}

func TestModelPoolsAndSource(t *testing.T) {
	www, shop, blog := &lint.Pool{Name: "www"}, &lint.Pool{Name: "shop"}, &lint.Pool{Name: "blog"}
	m := &lint.Model{
		FPMs:    []*lint.FPM{{Pools: []*lint.Pool{www, shop}}, {}, {Pools: []*lint.Pool{blog}}},
		Sources: []*lint.Source{{Path: "a.conf"}, {Path: "b.conf"}},
	}
	if got := m.Pools(); !reflect.DeepEqual(got, []*lint.Pool{www, shop, blog}) {
		t.Errorf("Pools() = %v, want every pool of every FPM in order", got)
	}
	if got := (&lint.Model{}).Pools(); len(got) != 0 {
		t.Errorf("Pools() of an empty model = %v", got)
	}
	if s := m.Source("b.conf"); s != m.Sources[1] {
		t.Errorf("Source(b.conf) = %v", s)
	}
	if s := m.Source("c.conf"); s != nil {
		t.Errorf("Source(c.conf) = %v, want nil", s)
	}
	if got := lint.SortedKeys(map[string]int{"b": 1, "a": 2, "c": 3}); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("SortedKeys = %v", got)
	}
}
