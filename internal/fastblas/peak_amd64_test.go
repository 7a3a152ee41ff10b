//go:build !purego

package fastblas

import "testing"

// BenchmarkPeakFMA measures the float32 FMA rate on 512- and 256-bit
// vectors: the ceiling for every GEMM figure. (Zen 4 executes a 512-bit
// FMA as two 256-bit halves, so there both give 32 FLOP per cycle.) The
// "all" cases run one loop per GOMAXPROCS at once: the machine's peak.
func BenchmarkPeakFMA(b *testing.B) {
	const n = 1 << 20
	for _, tc := range []struct {
		name  string
		level int
		f     func(int)
		flops float64
	}{
		{"zmm", levelAVX512, peakFMA512, n * 12 * 32},
		{"ymm", levelAVX2, peakFMA256, n * 12 * 16},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if bestLevel() < tc.level {
				b.Skip("not supported by this CPU")
			}
			meter := startMeter()
			for b.Loop() {
				tc.f(n)
			}
			meter.report(b, tc.flops)
		})
		b.Run(tc.name+"-all", func(b *testing.B) {
			if bestLevel() < tc.level {
				b.Skip("not supported by this CPU")
			}
			meter := startMeter()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tc.f(n)
				}
			})
			meter.report(b, tc.flops)
		})
	}
}
