package rules

import (
	"fmt"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMDuplicateListen finds two pools on the same address.
var FPMDuplicateListen = &lint.Rule{
	ID:       "fpm-duplicate-listen",
	Title:    "two PHP-FPM pools listen on the same address",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `Two pools of one php-fpm with the same listen address make php-fpm refuse to start ("unable to
set listen address as it's already used in another pool"): every site behind it gets 502. Two
php-fpm versions on one address cannot both bind it: the second fails with "Address already in use".
Often a copied pool file whose listen line was not changed.`,
	Bad: `[shop]
listen = /run/php/php8.2-fpm.sock
[blog]
listen = /run/php/php8.2-fpm.sock`,
	Good: `[shop]
listen = /run/php/php8.2-fpm-shop.sock
[blog]
listen = /run/php/php8.2-fpm-blog.sock`,
	Fix:   "Give every pool its own socket path or port, and point each site's fastcgi_pass at its pool.",
	Check: checkFPMDuplicateListen,
}

func checkFPMDuplicateListen(m *lint.Model, r *lint.Reporter) {
	seen := map[string]*lint.Pool{}
	for _, p := range m.Pools() {
		if p.Listen.Value == nil {
			continue
		}
		key := listenAddress(p.Listen)
		if p.Listen.Kind == lint.ListenTCP {
			key = fmt.Sprintf("tcp:%d", p.Listen.Port) // all interfaces overlaps any address
			if p.Listen.Host != "" {
				key += "@" + canonHost(p.Listen.Host)
			}
		}
		first, dup := seen[key]
		if !dup {
			seen[key] = p
			continue
		}
		f := lint.Finding{
			Span:    valueSpan(p.Listen.Value),
			Related: []lint.Related{{Pos: first.Listen.Value.Pos, Message: fmt.Sprintf("%s listens there already", poolLabel(first))}},
		}
		if first.FPM == p.FPM {
			f.Message = fmt.Sprintf("%s listens on %s like %s: php-fpm refuses to start", poolLabel(p), listenDescription(p.Listen), poolLabel(first))
			f.Consequence = fmt.Sprintf("php-fpm does not start: ERROR: [pool %s] unable to set listen address as it's already used in another pool '%s'", p.Name, first.Name)
		} else {
			f.Message = fmt.Sprintf("%s listens on %s like %s of another php-fpm: the one that starts second cannot bind it", poolLabel(p), listenDescription(p.Listen), poolLabel(first))
			f.Consequence = "the second php-fpm does not start: unable to bind listening socket (98: Address already in use)"
		}
		f.Fix = &lint.Fix{Text: "give this pool its own listen address and point its sites' fastcgi_pass at it"}
		r.Report(f)
	}
}
