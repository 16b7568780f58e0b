//go:build unix

package scan

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used so far: a benchmark metric
// that, unlike wall time, other processes on a shared machine barely disturb.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
