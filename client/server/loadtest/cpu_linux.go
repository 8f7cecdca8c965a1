package loadtest

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTime is the CPU time (user and system) process pid has used so far,
// from /proc; pid 0 is this process. ok is false when it cannot be read.
func cpuTime(pid int) (d time.Duration, ok bool) {
	p := "self"
	if pid != 0 {
		p = strconv.Itoa(pid)
	}
	data, err := os.ReadFile("/proc/" + p + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces: count from its ")".
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const clockTick = 100 // USER_HZ: 100 on every Linux Go supports
	return time.Duration(utime+stime) * time.Second / clockTick, true
}
