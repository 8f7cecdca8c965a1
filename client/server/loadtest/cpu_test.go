package loadtest

import (
	"crypto/sha256"
	"runtime"
	"testing"
	"time"
)

func TestCPUTimeCountsWork(t *testing.T) {
	before, ok := cpuTime(0)
	if !ok {
		if runtime.GOOS == "linux" {
			t.Fatal("no CPU time from /proc on Linux")
		}
		t.Skip("CPU time is read from /proc, on Linux only")
	}
	buf := make([]byte, 1<<20)
	for start := time.Now(); time.Since(start) < 300*time.Millisecond; {
		sha256.Sum256(buf)
	}
	after, _ := cpuTime(0)
	if d := after - before; d < 100*time.Millisecond {
		t.Fatalf("300 ms of hashing counted as %v of CPU", d)
	}
}
