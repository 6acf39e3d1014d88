package lint

import (
	"fmt"
	"os"
	"time"
)

// traceStart is when the process started, near enough: package init.
var traceStart = time.Now()

// tracing is set by NGINX502_LINT_TRACE=1 (docs/performance.md).
var tracing = os.Getenv("NGINX502_LINT_TRACE") != ""

// Tracef writes to stderr, when tracing, the time since the process
// started and the stage just finished: where a run's time goes on a large
// tree.
func Tracef(format string, args ...any) {
	if tracing {
		fmt.Fprintf(os.Stderr, "nginx502-lint: trace: %7.1f ms  %s\n", float64(time.Since(traceStart).Microseconds())/1000, fmt.Sprintf(format, args...))
	}
}
