package fastblas

import (
	"fmt"
	"testing"
)

// BenchmarkTile measures one micro-kernel call on panels that stay in L1:
// the ceiling the blocked GEMM can approach.
func BenchmarkTile(b *testing.B) {
	for _, l := range levels() {
		ks := kernels32[l]
		const k = 256
		a := make([]float32, k*ks.mr)
		bp := make([]float32, k*ks.nr)
		c := make([]float32, ks.mr*ks.nr)
		b.Run(fmt.Sprintf("%s/%dx%dx%d", levelNames[l], ks.mr, ks.nr, k), func(b *testing.B) {
			meter := startMeter()
			for b.Loop() {
				ks.tile(k, &a[0], &bp[0], &c[0], ks.nr, 1, 1, ks.mr, ks.nr)
			}
			meter.report(b, 2*float64(ks.mr*ks.nr*k))
		})
	}
}
