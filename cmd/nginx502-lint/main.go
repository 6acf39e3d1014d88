// Command nginx502-lint finds, before deploy, the nginx and PHP-FPM
// configuration mistakes that end in 502 Bad Gateway and 504 Gateway Timeout.
package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
)

// Most of what a run allocates is the model, which lives to the end: a
// garbage collection finds little to free and costs a pass over all of it.
// So, unless the environment sets GOGC or GOMEMLIMIT, the collector waits
// until the heap reaches gcFreeHeap (most trees never do: 10,000 sites
// peak at about 145 MB), and from the first collection on paces itself as
// Go does by default (GOGC=gcPercent): past that size memory matters more.
// On 10,000 sites (docs/performance.md): 331 → 277 ms, peak memory 122 →
// 145 MB against GOGC=100 from the start; on a 24 MB pool file, 1.05 s
// and 330 MB this way, 1.05–1.13 s and 312 MB with GOGC=100.
const (
	gcFreeHeap = 256 << 20
	gcPercent  = 100
)

func main() {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if !gogc && !limit {
		deferGC()
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// deferGC turns the collector off up to gcFreeHeap; the first collection
// finalizes a sentinel, which puts the usual pacing back.
func deferGC() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(gcFreeHeap)
	sentinel := new([16]byte) // big enough not to share a tiny block
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		debug.SetGCPercent(gcPercent)
		debug.SetMemoryLimit(math.MaxInt64)
	})
}
