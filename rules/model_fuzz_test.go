package rules_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint"
	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
	"github.com/nginx502-lint/nginx502-lint/parsers"
	"github.com/nginx502-lint/nginx502-lint/rules"
)

// FuzzModel fuzzes both sides of the model at once: an nginx.conf, a pool
// file and a php.ini, beside a fixed php-fpm.conf that includes the pool
// and fixed /etc/passwd and /etc/group, loaded as the CLI loads /etc/nginx
// and /etc/php. The loaders' own targets fuzz one side each; here the
// rules that join the sides (fastcgi_pass matched to pools, socket
// permissions for nginx's user, the timeout chain, which pools run a PHP
// location) meet fuzzed values on both. Beyond "no panic": no rule fails
// with an internal error, and every error, finding and related place
// names a file of the tree, a line and a column inside it.
//
//	go test ./rules -run '^$' -fuzz '^FuzzModel$' -fuzztime 5m
//
// Seeds are the pairs of nginx.conf and pool file of testdata/rules.
func FuzzModel(f *testing.F) {
	f.Add([]byte("user www-data;\nevents {}\nhttp {\n\tserver {\n\t\tlisten 80;\n\t\tlocation ~ \\.php$ {\n\t\t\tinclude fastcgi.conf;\n\t\t\tfastcgi_pass unix:/run/php/php8.2-fpm.sock;\n\t\t\tfastcgi_read_timeout 30s;\n\t\t}\n\t}\n}\n"),
		[]byte("[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = shop\nlisten.mode = 0600\npm = static\npm.max_children = 5\nrequest_terminate_timeout = 120s\n"),
		[]byte("max_execution_time = 30\n"))
	f.Add([]byte("events {}\nhttp { upstream php { server 127.0.0.1:9000; server unix:/run/php/a.sock backup; } server { location / { fastcgi_pass php; } } }\n"),
		[]byte("[a]\nlisten = 127.0.0.1:9000\nlisten.allowed_clients = 10.0.0.1\n[b]\nlisten = /run/php/a.sock\nlisten.acl_users = nobody\n"), []byte(nil))
	cases, err := filepath.Glob("../testdata/rules/*/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, dir := range cases {
		conf, err := os.ReadFile(filepath.Join(dir, "etc/nginx/nginx.conf"))
		if err != nil {
			continue
		}
		pools, _ := filepath.Glob(filepath.Join(dir, "etc/php/*/fpm/pool.d/*.conf"))
		var pool, ini []byte
		if len(pools) > 0 {
			pool, _ = os.ReadFile(pools[0])
			ini, _ = os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(pools[0])), "php.ini"))
		}
		f.Add(conf, pool, ini)
	}
	root := f.TempDir() // empty: only the overlay exists under it
	fixed := map[string]string{
		"/etc/php/8.2/fpm/php-fpm.conf": "[global]\npid = /run/php/php8.2-fpm.pid\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
		"/etc/nginx/fastcgi.conf":       "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\nfastcgi_param QUERY_STRING $query_string;\n",
		"/etc/passwd":                   "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nshop:x:1001:1001::/var/www/shop:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
		"/etc/group":                    "root:x:0:\nwww-data:x:33:shop\nshop:x:1001:\nnogroup:x:65534:\n",
	}
	f.Fuzz(func(t *testing.T, conf, pool, ini []byte) {
		if bytes.Contains(conf, []byte("..")) || bytes.Contains(pool, []byte("..")) {
			// "../../.." climbs out of --root (FS.Path joins and cleans):
			// the host's files are no input of this target.
			t.Skip()
		}
		files := map[string][]byte{
			root + "/etc/nginx/nginx.conf":            conf,
			root + "/etc/php/8.2/fpm/pool.d/www.conf": pool,
			root + "/etc/php/8.2/fpm/php.ini":         ini,
		}
		for p, content := range fixed {
			files[root+p] = []byte(content)
		}
		m, err := parsers.Load(parsers.Options{
			Paths:   []string{"/etc/nginx/nginx.conf", "/etc/php/8.2/fpm/php-fpm.conf"},
			Root:    root,
			Overlay: files,
			Env:     func(string) (string, bool) { return "", false },
		})
		pc := linttest.NewPositions(t, files)
		pc.LoadErrors(err)
		if m == nil {
			t.Fatal("no model")
		}
		pc.Sources(m.Sources)
		pc.Findings(lint.Run(m, rules.All()))
	})
}
