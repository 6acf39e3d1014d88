package fpm

import (
	"fmt"
	"strings"
	"testing"
)

// TestEntries: every line is kept in file order for the rules, repeated keys
// and array keys included, with the value as written; include= lines are
// listed with the files they read.
func TestEntries(t *testing.T) {
	f := mustLoad(t, map[string]string{
		"/etc/php-fpm.conf":  "[global]\nerror_log = /tmp/$pool.log ; note\ninclude=/etc/pool.d/*.conf\ninclude=/etc/pool.d/*.none\n",
		"/etc/pool.d/a.conf": "[www]\npm.max_requests = 5k\npm.max_requests = 5\nchdir = ~/www\nslowlog = \"/var/log/$pool.slow\"   ; quoted\nenv[EMPTY] =\nphp_flag[display_errors] = maybe\n",
	}, "/etc/php-fpm.conf", Options{Env: noEnv})
	var global []string
	for _, e := range f.GlobalEntries {
		global = append(global, fmt.Sprintf("%s=%q raw=%q at %d:%d value at %d", e.Key, e.Value, e.Raw, e.Pos.Line, e.Pos.Col, e.ValuePos.Col))
	}
	if want := `error_log="/tmp/$pool.log" raw="/tmp/$pool.log" at 2:1 value at 13`; strings.Join(global, "|") != want {
		t.Errorf("global entries %v, want %s", global, want)
	}
	p := pool(t, f, "www")
	var got []string
	for _, e := range p.Entries {
		got = append(got, fmt.Sprintf("%s(%s,%s,%v)=%q raw=%q line %d", e.Key, e.Name, e.Index, e.Array, e.Value, e.Raw, e.Pos.Line))
	}
	want := []string{
		`pm.max_requests(pm.max_requests,,false)="5k" raw="5k" line 2`,
		`pm.max_requests(pm.max_requests,,false)="5" raw="5" line 3`,
		`chdir(chdir,,false)="-1" raw="~/www" line 4`,
		`slowlog(slowlog,,false)="/var/log/www.slow" raw="\"/var/log/$pool.slow\"" line 5`,
		`env[EMPTY](env,EMPTY,true)="" raw="" line 6`,
		`php_flag[display_errors](php_flag,display_errors,true)="maybe" raw="maybe" line 7`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p.Values["pm.max_requests"].Value != "5" {
		t.Errorf("Values keeps the last line: %v", p.Values["pm.max_requests"])
	}
	if len(f.Includes) != 2 || f.Includes[0].Pattern != "/etc/pool.d/*.conf" || f.Includes[0].Pos.Line != 3 ||
		fmt.Sprint(f.Includes[0].Files) != "[/etc/pool.d/a.conf]" || f.Includes[1].Pos.Line != 4 || len(f.Includes[1].Files) != 0 {
		t.Errorf("includes %+v", f.Includes)
	}
}
