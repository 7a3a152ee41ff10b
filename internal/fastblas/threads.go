package fastblas

import (
	"runtime"
	"sync/atomic"
)

// threadSetting is the number of goroutines a GEMM may use; 0 means
// runtime.GOMAXPROCS(0), read at each call so that a later change of
// GOMAXPROCS is honoured.
var threadSetting atomic.Int64

// SetThreads sets how many goroutines one GEMM may use and returns the
// previous setting (0 for the default). n <= 0 restores the default,
// runtime.GOMAXPROCS(0).
// Small products always run on the calling goroutine, because starting
// goroutines would cost more than it saves.
func SetThreads(n int) (previous int) {
	if n < 0 {
		n = 0
	}
	return int(threadSetting.Swap(int64(n)))
}

// Threads reports how many goroutines one GEMM may use now.
func Threads() int {
	if n := threadSetting.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}
