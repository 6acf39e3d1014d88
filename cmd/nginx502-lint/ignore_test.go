package main

import (
	"reflect"
	"testing"
)

func TestInlineIgnores(t *testing.T) {
	const (
		site     = "etc/nginx/sites-available/shop.conf"
		pool     = "etc/php/8.2/fpm/pool.d/shop.conf"
		badPass  = "\t\tfastcgi_pass unix:/run/php/php8.1-fpm-shop.sock;\n"
		goodPass = "\t\tfastcgi_pass unix:/run/php/php8.2-fpm-shop.sock;\n"
	)
	shopSite := readFile(t, shopTree+"/"+site)
	cleanSite := readFile(t, cleanTree+"/"+site)
	cleanPool := readFile(t, cleanTree+"/"+pool)
	deniedPool := edit(t, cleanPool, "listen.group = www-data", "listen.group = shop")

	cases := []struct {
		name  string
		base  string
		files map[string]any
		flags []string
		code  int
		rules []string
		at    []string
	}{
		{
			name: "ignore with a reason", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, badPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmatched -- migrating to 8.2\n"+badPass)},
			code:  0,
		},
		{
			name: "the same, --no-inline-ignores", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, badPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmatched -- migrating to 8.2\n"+badPass)},
			flags: []string{"--no-inline-ignores"},
			code:  1, rules: []string{"fastcgi-pass-unmatched"},
			at: []string{"sites-enabled/shop.conf:14:3: error:"},
		},
		{
			name: "ignore without a reason", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, badPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmatched\n"+badPass)},
			code:  1, rules: []string{"invalid-ignore", "fastcgi-pass-unmatched"},
			at: []string{"sites-enabled/shop.conf:13:3: error: ignore of \"fastcgi-pass-unmatched\" gives no reason", "sites-enabled/shop.conf:14:3: error: no PHP-FPM pool"},
		},
		{
			name: "ignore of an unknown rule", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, badPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmached -- typo\n"+badPass)},
			code:  1, rules: []string{"invalid-ignore", "fastcgi-pass-unmatched"},
			at: []string{`ignore names unknown rule "fastcgi-pass-unmached" (did you mean "fastcgi-pass-unmatched"?)`},
		},
		{
			name: "unused ignore", base: cleanTree,
			files: map[string]any{site: edit(t, cleanSite, goodPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmatched -- was on 8.1\n"+goodPass)},
			code:  1, rules: []string{"unused-ignore"},
			at: []string{"sites-enabled/shop.conf:13:3: warning: ignore of \"fastcgi-pass-unmatched\" matches no finding on the next directive"},
		},
		{
			name: "unused ignore of a disabled rule is not reported", base: cleanTree,
			files: map[string]any{site: edit(t, cleanSite, goodPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmatched -- was on 8.1\n"+goodPass)},
			flags: []string{"--disable", "fastcgi-pass-unmatched"},
			code:  0,
		},
		{
			name: "unused ignore with --no-inline-ignores is not reported", base: cleanTree,
			files: map[string]any{site: edit(t, cleanSite, goodPass, "\t\t# nginx502-lint: ignore fastcgi-pass-unmatched -- was on 8.1\n"+goodPass)},
			flags: []string{"--no-inline-ignores"},
			code:  0,
		},
		{
			name: "trailing ignore on the directive's line", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, badPass, "\t\tfastcgi_pass unix:/run/php/php8.1-fpm-shop.sock; # nginx502-lint: ignore fastcgi-pass-unmatched -- migrating\n")},
			code:  0,
		},
		{
			name: "ignore before the location block covers what is inside", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, "\tlocation ~ \\.php$ {", "\t# nginx502-lint: ignore fastcgi-pass-unmatched -- legacy PHP location\n\tlocation ~ \\.php$ {")},
			code:  0,
		},
		{
			name: "ignore-file", base: shopTree,
			files: map[string]any{site: "# nginx502-lint: ignore-file fastcgi-pass-unmatched -- the whole site moves next week\n" + shopSite},
			code:  0,
		},
		{
			name: "ignore of another rule does not hide the finding", base: shopTree,
			files: map[string]any{site: edit(t, shopSite, badPass, "\t\t# nginx502-lint: ignore timeout-too-low -- slow backend\n"+badPass)},
			code:  1, rules: []string{"unused-ignore", "fastcgi-pass-unmatched"},
		},
		{
			name: "php-fpm ; form", base: cleanTree,
			files: map[string]any{pool: edit(t, deniedPool, "listen.owner = shop\n", "; nginx502-lint: ignore socket-permission-denied -- www-data is in the shop group via ACL\nlisten.owner = shop\n")},
			code:  0,
		},
		{
			name: "php-fpm finding without the ignore", base: cleanTree,
			files: map[string]any{pool: deniedPool},
			code:  1, rules: []string{"socket-permission-denied"},
			at: []string{"etc/php/8.2/fpm/pool.d/shop.conf:7:1: error:"},
		},
		{
			name: "php-fpm ; form without a reason", base: cleanTree,
			files: map[string]any{pool: edit(t, deniedPool, "listen.owner = shop\n", "; nginx502-lint: ignore socket-permission-denied\nlisten.owner = shop\n")},
			code:  1, rules: []string{"invalid-ignore", "socket-permission-denied"},
			at: []string{"etc/php/8.2/fpm/pool.d/shop.conf:7:1: error: ignore of \"socket-permission-denied\" gives no reason", "etc/php/8.2/fpm/pool.d/shop.conf:8:1: error: nginx workers"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := copyTree(t, c.base, c.files)
			args := append([]string{"--format", "gcc", "--root", root}, c.flags...)
			r := lintTree(t, append(args, "/etc/nginx", "/etc/php")...)
			wantCode(t, r, c.code)
			if got := rulesOf(r.stdout); !reflect.DeepEqual(got, c.rules) && (len(got) > 0 || len(c.rules) > 0) {
				t.Errorf("findings %q, want %q:\n%s", got, c.rules, r.stdout)
			}
			wantContains(t, "stdout", r.stdout, c.at...)
		})
	}
}
