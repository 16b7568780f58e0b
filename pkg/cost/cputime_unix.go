//go:build unix

package cost

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time (user + system, all threads) this process has used so far.
func processCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
