//go:build unix

package fastblas

import "syscall"

// cpuSeconds is the CPU time (user and system) this process has used. On a
// shared machine, a benchmark's flops per CPU second do not drop when
// other processes take turns on the cores, as its wall-clock rate does.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
