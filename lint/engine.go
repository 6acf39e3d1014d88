package lint

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"
)

// Run checks the model with every rule and returns the findings sorted by
// position, then rule, with duplicates removed: a location reached through
// several servers or include sites is reported once.
//
// A rule that panics does not take the run down: its panic becomes an error
// finding of that rule, so a bug in one check is visible and the others
// still run.
func Run(m *Model, rules []*Rule) []Finding { return RunWithOptions(m, rules, nil) }

// RunWithOptions is Run with per-rule options, keyed by rule ID.
func RunWithOptions(m *Model, rules []*Rule, options map[string]map[string]string) []Finding {
	m.Index()
	Tracef("model indexed")
	results := make([][]Finding, len(rules))
	took := make([]time.Duration, len(rules))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, rule := range rules {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			results[i] = check(m, rule, options[rule.ID])
			took[i] = time.Since(start)
		}()
	}
	wg.Wait()
	traceSlowest(rules, took)
	var all []Finding
	for _, fs := range results {
		all = append(all, fs...)
	}
	SortFindings(all)
	return Dedupe(all)
}

func check(m *Model, rule *Rule, options map[string]string) (findings []Finding) {
	r := NewReporter(rule, options)
	defer func() {
		if p := recover(); p != nil {
			findings = append(r.Findings(), Finding{
				Rule: rule.ID, Severity: Error,
				Message: fmt.Sprintf("internal error in rule %s: %v (please report this bug)", rule.ID, p),
			})
		}
	}()
	rule.Check(m, r)
	return r.Findings()
}

// SortFindings orders findings by file, line, column, then rule and message.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Span.Start != b.Span.Start {
			return a.Span.Start.Before(b.Span.Start)
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// Dedupe drops findings equal in rule, position and message to the one
// before them; fs must be sorted.
func Dedupe(fs []Finding) []Finding {
	out := fs[:0]
	for i, f := range fs {
		if i > 0 {
			p := out[len(out)-1]
			if p.Rule == f.Rule && p.Span.Start == f.Span.Start && p.Message == f.Message {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}
