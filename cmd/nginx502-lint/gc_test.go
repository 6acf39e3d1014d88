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

// gcPercentNow returns GOGC as set, waiting a little for the finalizer
// goroutine to set it to want.
func gcPercentNow(want int) int {
	percent := -1
	for wait := 0; wait < 200 && percent != want; wait++ {
		time.Sleep(10 * time.Millisecond)
		percent = debug.SetGCPercent(-1)
		debug.SetGCPercent(percent)
	}
	return percent
}

// TestDeferGC checks, in a process of its own, that the collector stays
// off while the heap is small, that the end of loading collects a large
// heap only, that past gcFirstHeap it collects and then
// paces itself at gcTightPercent, at gcPercent while the live heap is
// past gcLooseHeap, and at gcTightPercent again when it falls back.
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
			t.Fatalf("%d collections below %d bytes", ms.NumGC, gcFirstHeap)
		}
		collectLoaded() // a small heap: left alone
		for range 24 {  // 32 MB live: the end of loading collects
			keep = append(keep, make([]byte, 1<<20))
		}
		runtime.ReadMemStats(&ms)
		before := ms.NumGC
		collectLoaded()
		runtime.ReadMemStats(&ms)
		if before != 0 || ms.NumGC != 1 {
			t.Fatalf("collectLoaded: %d collections with 8 MB live, %d with 32 MB, want 0 and 1", before, ms.NumGC)
		}
		garbage := func() {
			for range 1000 { // 1 GB of garbage
				b := make([]byte, 1<<20)
				b[0] = 1
			}
		}
		garbage()
		runtime.GC()
		percent := gcPercentNow(gcTightPercent)
		runtime.ReadMemStats(&ms)
		// The next collection is due at about (1 + gcTightPercent/100) ×
		// the 32 MB kept (how large the heap grew meanwhile depends on how
		// the first collections were paced: not asserted).
		if ms.NumGC == 0 || percent != gcTightPercent || ms.NextGC > 48<<20 {
			t.Fatalf("after 1 GB of garbage: %d collections, GOGC %d, next collection at %d MB",
				ms.NumGC, percent, ms.NextGC>>20)
		}
		for range (gcLooseHeap >> 20) + 32 { // past gcLooseHeap live
			keep = append(keep, make([]byte, 1<<20))
		}
		garbage()
		runtime.GC()
		if percent := gcPercentNow(gcPercent); percent != gcPercent {
			t.Fatalf("with %d MB live: GOGC %d, want %d", len(keep), percent, gcPercent)
		}
		clear(keep[32:]) // back under gcLooseHeap: tight again
		keep = keep[:32]
		runtime.GC()
		if percent := gcPercentNow(gcTightPercent); percent != gcTightPercent {
			t.Fatalf("with %d MB live again: GOGC %d, want %d", len(keep), percent, gcTightPercent)
		}
		t.Logf("%d collections", ms.NumGC)
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
