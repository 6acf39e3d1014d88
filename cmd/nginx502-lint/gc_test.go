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
// then paces itself at gcPercent: a heap of garbage stays bounded.
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
		for range 2000 { // 2 GB of garbage
			b := make([]byte, 1<<20)
			b[0] = 1
		}
		time.Sleep(50 * time.Millisecond) // for the finalizer goroutine
		runtime.ReadMemStats(&ms)
		percent := debug.SetGCPercent(gcPercent)
		if ms.NumGC == 0 || percent != gcPercent || ms.HeapSys > 3*gcFreeHeap {
			t.Fatalf("after 2 GB of garbage: %d collections, GOGC %d, heap %d MB", ms.NumGC, percent, ms.HeapSys>>20)
		}
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
