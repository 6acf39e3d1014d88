package main

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestDeferGC checks, in a process of its own, that the collector stays
// off while the heap is small, and that past gcFreeHeap it collects and
// then paces itself at gcPercent.
func TestDeferGC(t *testing.T) {
	if os.Getenv("NGINX502_GC_CHILD") == "1" {
		deferGC()
		var keep [][]byte
		for range 8 { // 8 MB live, no collection yet
			keep = append(keep, make([]byte, 1<<20))
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.NumGC != 0 {
			t.Fatalf("%d collections below %d bytes", ms.NumGC, gcFreeHeap)
		}
		for range 1000 { // 1 GB of garbage
			b := make([]byte, 1<<20)
			b[0] = 1
		}
		percent := -1
		for wait := 0; wait < 200 && percent != gcPercent; wait++ {
			time.Sleep(10 * time.Millisecond) // for the finalizer goroutine
			percent = debug.SetGCPercent(-1)
			debug.SetGCPercent(percent)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		// Collections happened and the pacing is GOGC=gcPercent again: the
		// next one is due at about (1 + gcPercent/100) × the 8 MB kept.
		// (How large the heap grew meanwhile depends on how the first
		// collections were paced, allocations during marking counting as
		// marked: not asserted.)
		if ms.NumGC == 0 || percent != gcPercent || ms.NextGC > 64<<20 {
			t.Fatalf("after 1 GB of garbage: %d collections, GOGC %d, next collection at %d MB, heap %d MB",
				ms.NumGC, percent, ms.NextGC>>20, ms.HeapSys>>20)
		}
		t.Logf("%d collections, next at %d MB, heap %d MB", ms.NumGC, ms.NextGC>>20, ms.HeapSys>>20)
		runtime.KeepAlive(keep)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeferGC$", "-test.v")
	cmd.Env = append(os.Environ(), "NGINX502_GC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDeferGC") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
