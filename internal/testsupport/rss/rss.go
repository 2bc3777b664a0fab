// Package rss reads a benchmark process's peak resident memory (Linux).
package rss

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// Reset starts the high-water mark afresh (clear_refs 5), so the peak
// reported is the work's (models, libraries and processing), not the
// benchmark's own setup.
func Reset(tb testing.TB) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil && tb != nil {
		tb.Logf("peak RSS not reset: %v", err)
	}
}

// PeakMB is the process's high-water resident set (VmHWM) in MB.
func PeakMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
