package fastblas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product of the benchmarks, named after where it occurs.
type benchShape struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}

// benchShapes are square products and the GEMMs of Gorgonia's Conv2d
// (patches (B·H·W)×(C·kh·kw) times the filter transposed, then the weight
// gradient) and Linear layers for the models tanren ships.
var benchShapes = []benchShape{
	{"square256", blas.NoTrans, blas.NoTrans, 256, 256, 256},
	{"square1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
	{"square1024NT", blas.NoTrans, blas.Trans, 1024, 1024, 1024},
	{"square1024TN", blas.Trans, blas.NoTrans, 1024, 1024, 1024},
	{"lenet-conv1-fwd", blas.NoTrans, blas.Trans, 64 * 24 * 24, 6, 25},
	{"lenet-conv2-fwd", blas.NoTrans, blas.Trans, 64 * 8 * 8, 16, 150},
	{"lenet-conv1-filter-x-col", blas.NoTrans, blas.NoTrans, 6, 64 * 24 * 24, 25},
	{"resnet-3x3-64-fwd", blas.NoTrans, blas.Trans, 16 * 28 * 28, 64, 576},
	{"resnet-3x3-64-dW", blas.Trans, blas.NoTrans, 64, 576, 16 * 28 * 28},
	{"resnet-3x3-64-dX", blas.NoTrans, blas.NoTrans, 16 * 28 * 28, 576, 64},
	{"resnet-3x3-256-fwd", blas.NoTrans, blas.Trans, 16 * 7 * 7, 256, 2304},
	{"resnet-3x3-256-filter-x-col", blas.NoTrans, blas.NoTrans, 256, 784, 2304},
	{"mlp-784-256-b64", blas.NoTrans, blas.NoTrans, 64, 256, 784},
	{"small64", blas.NoTrans, blas.NoTrans, 64, 64, 64},
}

func benchOperands[T Float](s benchShape) (a []T, lda int, b []T, ldb int, c []T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lda, ldb = s.k, s.n
	if s.tA != blas.NoTrans {
		lda = s.m
	}
	if s.tB != blas.NoTrans {
		ldb = s.k
	}
	return randomSlice[T](rng, s.m*s.k), lda, randomSlice[T](rng, s.k*s.n), ldb, make([]T, s.m*s.n)
}

// flopMeter reports a benchmark's GFLOP/s of wall-clock time and, where
// the CPU time is known, GFLOP per CPU second divided by the thread count:
// close to what the wall-clock rate would be on idle cores.
type flopMeter struct {
	cpu0 float64
}

func startMeter() flopMeter { return flopMeter{cpu0: cpuSeconds()} }

func (f flopMeter) report(b *testing.B, flopsPerOp float64) {
	flops := flopsPerOp * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuSeconds() - f.cpu0; cpu > 0 && f.cpu0 > 0 {
		b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
	}
}

func shapeFlops(s benchShape) float64 { return 2 * float64(s.m) * float64(s.n) * float64(s.k) }

// BenchmarkSgemm compares fastblas's Sgemm with Gonum's. Use -cpu 1,2 to
// measure one and two threads (the default thread count is GOMAXPROCS).
func BenchmarkSgemm(b *testing.B) {
	impls := []struct {
		name string
		f    func(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	}{
		{"fastblas", Implementation{}.Sgemm},
		{"gonum", gonum.Implementation{}.Sgemm},
	}
	for _, s := range benchShapes {
		a, lda, bb, ldb, c := benchOperands[float32](s)
		for _, impl := range impls {
			b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", s.name, s.m, s.n, s.k, impl.name), func(b *testing.B) {
				meter := startMeter()
				for b.Loop() {
					impl.f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				}
				meter.report(b, shapeFlops(s))
			})
		}
	}
}

// BenchmarkDgemm is BenchmarkSgemm for float64, on the square sizes.
func BenchmarkDgemm(b *testing.B) {
	impls := []struct {
		name string
		f    func(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
	}{
		{"fastblas", Implementation{}.Dgemm},
		{"gonum", gonum.Implementation{}.Dgemm},
	}
	for _, s := range benchShapes[:2] {
		a, lda, bb, ldb, c := benchOperands[float64](s)
		for _, impl := range impls {
			b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", s.name, s.m, s.n, s.k, impl.name), func(b *testing.B) {
				meter := startMeter()
				for b.Loop() {
					impl.f(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
				}
				meter.report(b, shapeFlops(s))
			})
		}
	}
}

// BenchmarkSgemmKernels measures each kernel level on sgemm 1024³, to
// compare the AVX2 and pure-Go paths with the AVX-512 one on one machine.
func BenchmarkSgemmKernels(b *testing.B) {
	s := benchShapes[1]
	a, lda, bb, ldb, c := benchOperands[float32](s)
	for _, l := range levels() {
		b.Run(levelNames[l], func(b *testing.B) {
			prev := setLevel(l)
			defer setLevel(prev)
			meter := startMeter()
			for b.Loop() {
				Implementation{}.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bb, ldb, 0, c, s.n)
			}
			meter.report(b, shapeFlops(s))
		})
	}
}
