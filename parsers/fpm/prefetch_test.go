package fpm

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestPrefetchKeepsOrder loads pool files read in parallel and checks that
// the model, the sources and the errors are those of reading them in order:
// sections carried from one file to the next, a syntax error, a file
// included twice, an include= inside a pool file.
func TestPrefetchKeepsOrder(t *testing.T) {
	files := map[string]string{
		"/etc/php/8.2/fpm/php-fpm.conf": "[global]\npid = /run/php.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\ninclude=/etc/php/8.2/fpm/pool.d/01.conf\n",
	}
	for i := range 10 {
		files[fmt.Sprintf("/etc/php/8.2/fpm/pool.d/%02d.conf", i)] = fmt.Sprintf("; pool %d\n[p%d]\nlisten = /run/p%d.sock\npm.max_children = %d\n", i, i, i, i+1)
	}
	files["/etc/php/8.2/fpm/pool.d/04.conf"] = "pm.max_children = 40\n; no section: still [p3]\n"
	files["/etc/php/8.2/fpm/pool.d/06.conf"] = "[p6]\nlisten = \"/run/p6.sock\n"
	files["/etc/php/8.2/fpm/pool.d/08.conf"] = "[p8]\ninclude=/etc/php/8.2/fpm/extra/*.conf\nlisten = /run/p8.sock\n"
	for i := range 5 {
		files[fmt.Sprintf("/etc/php/8.2/fpm/extra/%d.conf", i)] = fmt.Sprintf("env[E%d] = %d\n", i, i)
	}

	load := func(minPrefetch int) string {
		f, sources, err := loadWith(overlay(files), "/etc/php/8.2/fpm/php-fpm.conf", Options{Env: noEnv}, false, minPrefetch)
		out, jerr := json.MarshalIndent(struct {
			FPM     any
			Sources any
			Err     string
		}{f, sources, fmt.Sprint(err)}, "", "  ")
		if jerr != nil {
			t.Fatal(jerr)
		}
		return string(out)
	}
	inOrder, parallel := load(math.MaxInt), load(1)
	if parallel != inOrder {
		t.Errorf("read in parallel:\n%s\nread in order:\n%s", parallel, inOrder)
	}
	for _, want := range []string{`"E4"`, `"value": "40"`, `"Err": "/etc/php/8.2/fpm/pool.d/06.conf:2:`} {
		if !strings.Contains(inOrder, want) {
			t.Errorf("missing %s in:\n%s", want, inOrder)
		}
	}
}
