package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/nginx502-lint/nginx502-lint/lint/linttest"
)

// editorTree is the shop tree (shop.conf's fastcgi_pass names php8.1) with
// a too short timeout in sites-available/default as well: findings in two
// site files.
func editorTree(t *testing.T) string {
	t.Helper()
	def := readFile(t, shopTree+"/etc/nginx/sites-available/default")
	return copyTree(t, shopTree, map[string]any{
		"etc/nginx/sites-available/default": edit(t, def, "\t\tfastcgi_pass", "\t\tfastcgi_read_timeout 1s;\n\t\tfastcgi_pass"),
	})
}

func TestEditorMode(t *testing.T) {
	root := editorTree(t)
	before := hashTree(t, root)

	full := lintTree(t, "--format", "gcc", "--root", root, "/etc/nginx", "/etc/php")
	wantCode(t, full, 1)
	wantContains(t, "full run", full.stdout, "sites-enabled/shop.conf:13:3: error:", "sites-enabled/default:9:3: warning:")

	cases := []struct {
		name  string
		file  string
		code  int
		rules []string // the findings, in order
		at    []string // in stdout
		not   []string // not in stdout
	}{
		{
			// found with the pools of /etc/php: the whole stack is loaded
			name: "site with a fastcgi_pass no pool listens on", file: "/etc/nginx/sites-available/shop.conf", code: 1,
			rules: []string{"fastcgi-pass-unmatched"},
			at:    []string{"etc/nginx/sites-available/shop.conf:13:3: error:", "etc/php/8.2/fpm/pool.d/shop.conf:6:1: note: pool [shop]"},
			not:   []string{"default", "timeout"},
		},
		{
			name: "the same site through its sites-enabled link", file: "/etc/nginx/sites-enabled/shop.conf", code: 1,
			rules: []string{"fastcgi-pass-unmatched"},
			at:    []string{"etc/nginx/sites-enabled/shop.conf:13:3: error:"},
			not:   []string{"sites-available/shop.conf:13", "timeout"},
		},
		{
			name: "the other site", file: "/etc/nginx/sites-available/default", code: 1,
			rules: []string{"timeout-chain-inverted", "timeout-too-low"},
			at:    []string{"etc/nginx/sites-available/default:9:3: warning:"},
			not:   []string{"fastcgi-pass-unmatched", "shop.conf:13"},
		},
		{
			name: "a file without findings", file: "/etc/nginx/conf.d/status.conf", code: 0,
			at:  []string{"no problems found"},
			not: []string{"fastcgi-pass-unmatched", "timeout"},
		},
		{
			name: "a snippet included by both sites", file: "/etc/nginx/snippets/fastcgi-php.conf", code: 0,
			at: []string{"no problems found"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := lintTree(t, "--format", "gcc", "--root", root, c.file)
			wantCode(t, r, c.code)
			if got := rulesOf(r.stdout); !reflect.DeepEqual(got, c.rules) && (len(got) > 0 || len(c.rules) > 0) {
				t.Errorf("findings %q, want %q:\n%s", got, c.rules, r.stdout)
			}
			text := lintTree(t, "--root", root, c.file)
			wantContains(t, "text output", r.stdout+text.stdout, c.at...)
			wantNotContains(t, "gcc output", r.stdout, c.not...)
		})
	}
	wantUnchanged(t, root, before)
}

// TestEditorModeNotIncluded edits a site that is not enabled: nothing in
// the tree reads it, so only its syntax is checked, and the run says so.
func TestEditorModeNotIncluded(t *testing.T) {
	root := copyTree(t, cleanTree, map[string]any{
		"etc/nginx/sites-available/new.conf":    "server {\n\tlisten 80;\n\tlocation ~ \\.php$ {\n\t\tfastcgi_pass unix:/run/php/php7.0-fpm.sock;\n\t}\n}\n",
		"etc/nginx/sites-available/broken.conf": "server {\n\tlisten 80;\n\tlocation ~ \\.php$ {\n\t\tfastcgi_pass unix:/run/php/php7.0-fpm.sock;\n\t}\n",
	})
	r := lintTree(t, "--root", root, "/etc/nginx/sites-available/new.conf")
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "no problems found", "skipped: ", "etc/nginx/sites-available/new.conf is not included from nginx.conf or php-fpm.conf: only its syntax was checked")
	r = lintTree(t, "--format", "gcc", "--root", root, "/etc/nginx/sites-available/broken.conf")
	wantCode(t, r, 2)
	wantContains(t, "stdout", r.stdout, "etc/nginx/sites-available/broken.conf:6:1: error: unexpected end of file")
}

// TestEditorModePool gives one pool file of a tree: php-fpm.conf above it
// is loaded with every pool, and nginx in front of it.
func TestEditorModePool(t *testing.T) {
	t.Run("duplicate listen found with the other pool", func(t *testing.T) {
		shopPool := readFile(t, cleanTree+"/etc/php/8.2/fpm/pool.d/shop.conf")
		root := copyTree(t, cleanTree, map[string]any{
			"etc/php/8.2/fpm/pool.d/shop.conf": edit(t, shopPool, "listen = /run/php/php8.2-fpm-shop.sock", "listen = /run/php/php8.2-fpm.sock"),
		})
		// php-fpm reads shop.conf first: www.conf's listen is the duplicate
		r := lintTree(t, "--format", "gcc", "--root", root, "/etc/php/8.2/fpm/pool.d/www.conf")
		wantCode(t, r, 1)
		wantContains(t, "stdout", r.stdout,
			"etc/php/8.2/fpm/pool.d/www.conf:5:1: error: pool [www] (php-fpm 8.2) listens on unix socket /run/php/php8.2-fpm.sock like pool [shop]",
			"etc/php/8.2/fpm/pool.d/shop.conf:6:1: note:")
		wantNotContains(t, "stdout", r.stdout, "fastcgi-pass-unmatched") // nginx.conf's findings are not this file's

		r = lintTree(t, "--root", root, "/etc/php/8.2/fpm/pool.d/shop.conf")
		wantCode(t, r, 0)
		wantContains(t, "stdout", r.stdout, "no problems found")
	})
	t.Run("socket permission found with nginx's user", func(t *testing.T) {
		shopPool := readFile(t, cleanTree+"/etc/php/8.2/fpm/pool.d/shop.conf")
		root := copyTree(t, cleanTree, map[string]any{
			"etc/php/8.2/fpm/pool.d/shop.conf": edit(t, shopPool, "listen.group = www-data", "listen.group = shop"),
		})
		r := lintTree(t, "--format", "gcc", "--root", root, "/etc/php/8.2/fpm/pool.d/shop.conf")
		wantCode(t, r, 1)
		if got := rulesOf(r.stdout); !reflect.DeepEqual(got, []string{"socket-permission-denied"}) {
			t.Errorf("findings %q, want socket-permission-denied:\n%s", got, r.stdout)
		}
		wantContains(t, "stdout", r.stdout, "etc/php/8.2/fpm/pool.d/shop.conf:7:1: error:", "etc/nginx/nginx.conf:1:1: note: nginx workers run as www-data:www-data")
	})
	t.Run("a pool file outside any tree", func(t *testing.T) {
		root := linttest.WriteTree(t, map[string]any{
			"srv/www.conf": "[www]\nuser = www-data\nlisten = /run/php/www.sock\nlisten.mode = 0666\npm = static\npm.max_children = 2\n",
		})
		r := lintTree(t, "--format", "gcc", "--root", root, "/srv/www.conf")
		if r.code == 2 {
			t.Fatalf("a lone pool file does not load:\n%s", r)
		}
		wantContains(t, "stdout", r.stdout, "srv/www.conf:4:1: warning:", "[socket-world-writable]")
	})
}

// TestStdinFilename lints an editor's unsaved buffer: the file on disk
// stays as it is, the finding follows the buffer.
func TestStdinFilename(t *testing.T) {
	const status = "/etc/nginx/conf.d/status.conf" // included directly, not through a link
	onDisk := readFile(t, cleanTree+status)
	broken := edit(t, onDisk, "php8.2-fpm.sock", "php8.1-fpm.sock")
	slow := edit(t, onDisk, "\t\tfastcgi_pass", "\t\tfastcgi_read_timeout 1s;\n\t\tfastcgi_pass")
	before := hashTree(t, shopTree)

	cases := []struct {
		name   string
		buffer string
		paths  []string
		code   int
		rules  []string
		at     []string
	}{
		{"broken buffer, whole stack given", broken, []string{"/etc/nginx", "/etc/php"}, 1, []string{"fastcgi-pass-unmatched"}, []string{"etc/nginx/conf.d/status.conf:8:3: error: no PHP-FPM pool listens on unix:/run/php/php8.1-fpm.sock"}},
		{"fixed buffer, whole stack given", onDisk, []string{"/etc/nginx", "/etc/php"}, 0, nil, nil},
		{"broken buffer alone", broken, nil, 1, []string{"fastcgi-pass-unmatched"}, []string{"etc/nginx/conf.d/status.conf:8:3: error:"}},
		{"fixed buffer alone", onDisk, nil, 0, nil, nil},
		{"slow buffer alone", slow, nil, 1, []string{"timeout-chain-inverted", "timeout-too-low"}, []string{"etc/nginx/conf.d/status.conf:8:3: warning: fastcgi_read_timeout 1s"}},
		// a new file that an include glob (conf.d/*.conf) will match is linted as if saved
		{"new file not yet on disk", broken, nil, 1, []string{"fastcgi-pass-unmatched"}, []string{"etc/nginx/conf.d/new.conf:8:3: error:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := status
			if strings.HasPrefix(c.name, "new file") {
				name = "/etc/nginx/conf.d/new.conf"
			}
			args := append([]string{"--no-config", "--format", "gcc", "--root", shopTree, "--stdin-filename", name}, c.paths...)
			r := runCLI(t, c.buffer, args...)
			wantCode(t, r, c.code)
			if got := rulesOf(r.stdout); !reflect.DeepEqual(got, c.rules) && (len(got) > 0 || len(c.rules) > 0) {
				t.Errorf("findings %q, want %q:\n%s", got, c.rules, r.stdout)
			}
			wantContains(t, "stdout", r.stdout, c.at...)
			// shop.conf's own error is not the edited file's
			wantNotContains(t, "stdout", r.stdout, "shop.conf:13")
		})
	}
	wantUnchanged(t, shopTree, before)
}

// TestStdinFilenameThroughLink edits sites-available/shop.conf, which nginx
// reaches through the sites-enabled/shop.conf link: the buffer is what is
// read, and findings are named as the editor named the file.
func TestStdinFilenameThroughLink(t *testing.T) {
	const site = "/etc/nginx/sites-available/shop.conf"
	before := hashTree(t, shopTree)
	broken := readFile(t, shopTree+site)
	fixed := edit(t, broken, "php8.1-fpm-shop.sock", "php8.2-fpm-shop.sock")
	moved := "\n\n" + broken // the finding two lines down

	r := runCLI(t, broken, "--no-config", "--root", shopTree, "--stdin-filename", site)
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, "etc/nginx/sites-available/shop.conf:13:3: error:")

	r = runCLI(t, moved, "--no-config", "--root", shopTree, "--stdin-filename", site)
	wantCode(t, r, 1)
	wantContains(t, "stdout", r.stdout, "etc/nginx/sites-available/shop.conf:15:3: error:")

	r = runCLI(t, fixed, "--no-config", "--root", shopTree, "--stdin-filename", site)
	wantCode(t, r, 0)
	wantContains(t, "stdout", r.stdout, "no problems found")
	wantUnchanged(t, shopTree, before)
}
