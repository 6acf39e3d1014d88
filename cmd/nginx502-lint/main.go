// Command nginx502-lint finds, before deploy, the nginx and PHP-FPM
// configuration mistakes that end in 502 Bad Gateway and 504 Gateway Timeout.
package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's GOGC unless the environment sets
// one. Most of what a run allocates is the model, which lives to the end:
// collecting at the default 100 marks it again and again for little
// memory back. On 10,000 sites (docs/performance.md): 588 → 491 ms, peak
// memory 188 → 201 MB.
const gcPercent = 400

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
