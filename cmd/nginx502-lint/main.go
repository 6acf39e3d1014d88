// Command nginx502-lint finds, before deploy, the nginx and PHP-FPM
// configuration mistakes that end in 502 Bad Gateway and 504 Gateway Timeout.
package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// Most of what a run allocates is the model, which lives to the end, and
// most of the model holds no pointers (the nginx files' text, words and
// statements), so a collection costs little but finds little until the
// parse has left some garbage. So, unless the environment sets GOGC or
// GOMEMLIMIT, the collector waits until the heap reaches gcFirstHeap (an
// editor's run and small trees never do), then keeps the heap within
// gcTightPercent of what is live, and once the live heap passes
// gcLooseHeap paces itself as Go does by default (gcPercent): past that,
// tight pacing walks a large heap again and again (a 26 MB pool file's
// 400,000 entries are mostly pointers). Measured in docs/performance.md.
const (
	gcFirstHeap    = 56 << 20
	gcTightPercent = 25
	gcLooseHeap    = 80 << 20
	gcPercent      = 100
	// gcLoadedHeap is the heap from which the end of loading collects
	// (collectLoaded).
	gcLoadedHeap = 24 << 20
)

// gcDeferred says deferGC set the collector's pacing.
var gcDeferred bool

func main() {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if !gogc && !limit {
		deferGC()
	}
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// deferGC turns the collector off up to gcFirstHeap. A sentinel that each
// collection finalizes sets the pacing for the next one from the heap it
// left live, and a new sentinel for the one after.
func deferGC() {
	gcDeferred = true
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(gcFirstHeap)
	armGC()
}

func armGC() {
	sentinel := new([16]byte) // big enough not to share a tiny block
	runtime.SetFinalizer(sentinel, func(*[16]byte) {
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(live)
		debug.SetMemoryLimit(math.MaxInt64)
		// Set again at every collection: what a collection counts live
		// includes what was allocated while it marked, so one reading
		// too high must not decide for the rest of the run.
		if live[0].Value.Kind() == metrics.KindUint64 && live[0].Value.Uint64() < gcLooseHeap {
			debug.SetGCPercent(gcTightPercent)
		} else {
			debug.SetGCPercent(gcPercent)
		}
		armGC()
	})
}

// collectLoaded collects once the model is loaded, when the loaders'
// working memory (path caches, files read ahead, parse buffers) has just
// become garbage and before the rules add theirs: on 10,000 sites the
// peak falls from 68–73 to 65 MiB at no cost in time. A small heap (an
// editor's file) is left alone, and so is pacing the environment set.
func collectLoaded() {
	if !gcDeferred {
		return
	}
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(heap)
	if heap[0].Value.Kind() == metrics.KindUint64 && heap[0].Value.Uint64() >= gcLoadedHeap {
		runtime.GC()
	}
}
