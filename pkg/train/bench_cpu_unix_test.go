//go:build unix

package train

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) the process has used so far: on a shared machine it
// varies less than the wall time, since the time spent waiting for a core is not counted.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
