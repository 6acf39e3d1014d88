// Package e2e is the proof harness of the rules: its tests start real nginx
// and real php-fpm on the server trees in testdata/stacks and show that each
// configuration the linter flags really fails the way the finding says, and
// that the fix really serves.
//
// The tests only run with NGINX502_E2E=1 (as root, with Debian's nginx and
// php-fpm8.2 installed); otherwise they skip:
//
//	NGINX502_E2E=1 go test ./e2e
//	NGINX502_E2E=1 go test ./e2e -update   # rewrite docs/evidence.md and testdata/logs/e2e-error.log
//
// Each stack is a directory testdata/stacks/<rule-id>/<variant>-broken or
// -fixed laid out like a Debian host (etc/nginx, etc/php/8.2/fpm, etc/passwd,
// etc/group, var/www/html) plus an expect.yml; see stack_test.go for the
// format and for how a stack is moved into a temporary prefix.
package e2e
