package lint

import (
	"cmp"
	"fmt"
	"os"
	"runtime/metrics"
	"slices"
	"time"
)

// traceStart is when the process started, near enough: package init.
var traceStart = time.Now()

// tracing is set by NGINX502_LINT_TRACE=1 (docs/performance.md).
var tracing = os.Getenv("NGINX502_LINT_TRACE") != ""

// traceSlowest writes, when tracing, the rules that took longest.
func traceSlowest(rules []*Rule, took []time.Duration) {
	if !tracing {
		return
	}
	order := make([]int, len(rules))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(took[b], took[a]) })
	for _, i := range order[:min(5, len(order))] {
		fmt.Fprintf(os.Stderr, "nginx502-lint: trace:             rule %s took %.1f ms\n", rules[i].ID, float64(took[i].Microseconds())/1000)
	}
}

// Tracef writes to stderr, when tracing, the time since the process
// started, the memory the heap holds (live or not yet collected) and the
// stage just finished: where a run's time and memory go on a large tree.
func Tracef(format string, args ...any) {
	if tracing {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(sample)
		fmt.Fprintf(os.Stderr, "nginx502-lint: trace: %7.1f ms %4d MB  %s\n", float64(time.Since(traceStart).Microseconds())/1000,
			sample[0].Value.Uint64()>>20, fmt.Sprintf(format, args...))
	}
}
