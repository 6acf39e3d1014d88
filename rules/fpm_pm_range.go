package rules

import (
	"fmt"
	"strings"

	"github.com/nginx502-lint/nginx502-lint/lint"
)

// FPMPMRange finds process manager settings php-fpm refuses.
var FPMPMRange = &lint.Rule{
	ID:       "fpm-pm-range",
	Title:    "pm.start_servers, spare servers or max_children out of range",
	Severity: lint.Error,
	Tags:     []string{"startup", "fpm"},
	Doc: `With pm = dynamic php-fpm checks, in this order, and refuses to start at the first that fails:
pm.min_spare_servers and pm.max_spare_servers are set and positive (they default to 0, so pm =
dynamic without them fails), neither is greater than pm.max_children, max_spare is not below
min_spare, pm.start_servers (when set; else min + (max − min) / 2) lies between them, and
pm.max_spawn_rate is positive. With pm = ondemand, pm.process_idle_timeout must be at least 1s.
The messages are php-fpm's own ("pm.start_servers(10) must not be less than
pm.min_spare_servers(1) and not greater than pm.max_spare_servers(3)"). Typically max_children was
lowered without the other three. Every site behind the php-fpm then answers 502.`,
	Bad: `pm = dynamic
pm.max_children = 5
pm.start_servers = 10
pm.min_spare_servers = 1
pm.max_spare_servers = 3`,
	Good: `pm = dynamic
pm.max_children = 5
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3`,
	Fix:   "Keep 1 ≤ pm.min_spare_servers ≤ pm.start_servers ≤ pm.max_spare_servers ≤ pm.max_children.",
	Check: checkFPMPMRange,
}

// pmSetting is one pm.* value with the line that sets it (nil: default).
type pmSetting struct {
	key   string
	n     int
	entry *lint.Entry
}

func (s pmSetting) text() string {
	if s.entry == nil {
		return fmt.Sprintf("%s = %d (not set)", s.key, s.n)
	}
	return fmt.Sprintf("%s = %d", s.key, s.n)
}

func checkFPMPMRange(m *lint.Model, r *lint.Reporter) {
	for _, p := range m.Pools() {
		pm, pmEntry := poolString(p, "pm")
		switch strings.ToLower(pm) {
		case "dynamic":
			checkDynamic(r, p, pmEntry)
		case "ondemand":
			n, e, ok := poolSeconds(p, "pm.process_idle_timeout", 10)
			if ok && e != nil && n < 1 {
				msg := fmt.Sprintf("pm.process_idle_timeout(%ds) must be greater than 0s", n)
				r.Report(lint.Finding{
					Span:        entrySpan(e),
					Message:     fmt.Sprintf("%s in %s, whose pm = ondemand stops idle workers after it: php-fpm fails with \"[pool %s] %s\"", entryText(e), poolLabel(p), p.Name, msg),
					Consequence: poolFailure(p, "ALERT", msg),
					Fix:         &lint.Fix{Text: "set how long an idle worker lives, 1s or more (the default is 10s)", Replacement: "pm.process_idle_timeout = 10s", Span: entrySpan(e)},
				})
			}
		}
	}
}

// checkDynamic makes php-fpm's checks of pm = dynamic, in its order, and
// reports the first that fails, as php-fpm stops there.
func checkDynamic(r *lint.Reporter, p *lint.Pool, pmEntry *lint.Entry) {
	get := func(key string, def int) (pmSetting, bool) {
		n, e, ok := poolInt(p, key, def)
		return pmSetting{key: key, n: n, entry: e}, ok
	}
	maxChildren, ok1 := get("pm.max_children", 0)
	start, ok2 := get("pm.start_servers", 0)
	minSpare, ok3 := get("pm.min_spare_servers", 0)
	maxSpare, ok4 := get("pm.max_spare_servers", 0)
	spawn, ok5 := get("pm.max_spawn_rate", 32)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || maxChildren.n < 1 {
		return // fpm-invalid-value, fpm-pool-incomplete
	}
	report := func(msg string, at pmSetting, others ...pmSetting) {
		f := lint.Finding{
			Message:     fmt.Sprintf("pm = dynamic in %s with %s: php-fpm fails with \"[pool %s] %s\"", poolLabel(p), describePM(at, others), p.Name, msg),
			Consequence: poolFailure(p, "ALERT", msg),
			Fix:         &lint.Fix{Text: "keep 1 ≤ pm.min_spare_servers ≤ pm.start_servers ≤ pm.max_spare_servers ≤ pm.max_children"},
		}
		switch {
		case at.entry != nil:
			f.Span = entrySpan(at.entry)
		case pmEntry != nil:
			f.Span = entrySpan(pmEntry)
		default:
			f.Span = lint.Span{Start: p.Pos, End: p.Pos}
		}
		for _, o := range others {
			if o.entry != nil && o.entry != at.entry {
				f.Related = append(f.Related, entryRelated(o.entry, entryText(o.entry)))
			}
		}
		r.Report(f)
	}
	switch {
	case minSpare.n <= 0:
		report(fmt.Sprintf("pm.min_spare_servers(%d) must be a positive value", minSpare.n), minSpare)
	case maxSpare.n <= 0:
		report(fmt.Sprintf("pm.max_spare_servers(%d) must be a positive value", maxSpare.n), maxSpare)
	case minSpare.n > maxChildren.n || maxSpare.n > maxChildren.n:
		at := maxSpare
		if minSpare.n > maxChildren.n && maxSpare.n <= maxChildren.n {
			at = minSpare
		}
		report(fmt.Sprintf("pm.min_spare_servers(%d) and pm.max_spare_servers(%d) cannot be greater than pm.max_children(%d)", minSpare.n, maxSpare.n, maxChildren.n),
			at, minSpare, maxSpare, maxChildren)
	case maxSpare.n < minSpare.n:
		report(fmt.Sprintf("pm.max_spare_servers(%d) must not be less than pm.min_spare_servers(%d)", maxSpare.n, minSpare.n), maxSpare, minSpare)
	case start.n > 0 && (start.n < minSpare.n || start.n > maxSpare.n):
		report(fmt.Sprintf("pm.start_servers(%d) must not be less than pm.min_spare_servers(%d) and not greater than pm.max_spare_servers(%d)", start.n, minSpare.n, maxSpare.n),
			start, minSpare, maxSpare)
	case spawn.n < 1:
		report("pm.max_spawn_rate must be a positive value", spawn)
	}
}

// describePM lists the values a check compares: "pm.start_servers = 10,
// pm.min_spare_servers = 1, pm.max_spare_servers = 3".
func describePM(at pmSetting, others []pmSetting) string {
	parts := []string{at.text()}
	for _, o := range others {
		if o.key != at.key {
			parts = append(parts, o.text())
		}
	}
	return strings.Join(parts, ", ")
}
