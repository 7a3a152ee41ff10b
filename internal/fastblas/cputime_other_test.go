//go:build !unix

package fastblas

// cpuSeconds is not measured here; the CPU-time metric is then omitted.
func cpuSeconds() float64 { return 0 }
