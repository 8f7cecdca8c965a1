//go:build !linux

package loadtest

import "time"

// cpuTime is not measured on this system.
func cpuTime(pid int) (time.Duration, bool) { return 0, false }
