package fastblas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
)

// levels are the kernel levels this CPU can run, slowest first.
func levels() []int {
	var ls []int
	for l := levelGo; l <= bestLevel(); l++ {
		ls = append(ls, l)
	}
	return ls
}

// withLevel runs f with the kernels of level l, and restores the default.
func withLevel(t *testing.T, l int, f func()) {
	t.Helper()
	prev := setLevel(l)
	defer setLevel(prev)
	f()
}

func withThreads(n int, f func()) {
	prev := SetThreads(n)
	defer SetThreads(prev)
	f()
}

// gemmCase is one product to check against the reference.
type gemmCase struct {
	tA, tB      blas.Transpose
	m, n, k     int
	alpha, beta float64
	padA, padB  int // extra elements per stored row beyond the minimum
	padC        int
}

func (c gemmCase) String() string {
	return fmt.Sprintf("%c%c/m=%d,n=%d,k=%d/alpha=%g,beta=%g/pad=%d,%d,%d",
		byte(c.tA), byte(c.tB), c.m, c.n, c.k, c.alpha, c.beta, c.padA, c.padB, c.padC)
}

// layout returns the stored rows of A and B and the leading dimensions of
// A, B and C (row-major, with the case's padding).
func (c gemmCase) layout() (rowsA, rowsB, lda, ldb, ldc int) {
	rowsA, colsA := c.m, c.k
	if c.tA != blas.NoTrans {
		rowsA, colsA = c.k, c.m
	}
	rowsB, colsB := c.k, c.n
	if c.tB != blas.NoTrans {
		rowsB, colsB = c.n, c.k
	}
	return rowsA, rowsB, max(1, colsA+c.padA), max(1, colsB+c.padB), max(1, c.n+c.padC)
}

// randomSlice fills n elements uniformly in [-1, 1).
func randomSlice[T Float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// checkCase runs one case with the current kernels and compares every
// element with the reference, and checks that the padding of C is left
// alone and that a beta of zero never reads C.
func checkCase[T Float](t *testing.T, rng *rand.Rand, tc gemmCase) {
	t.Helper()
	rowsA, rowsB, lda, ldb, ldc := tc.layout()
	a := randomSlice[T](rng, max(0, rowsA*lda))
	b := randomSlice[T](rng, max(0, rowsB*ldb))
	c := randomSlice[T](rng, max(0, tc.m*ldc))
	if tc.beta == 0 {
		// BLAS does not read C when beta is zero: NaNs must not leak.
		for i := range c {
			c[i] = T(math.NaN())
		}
	}
	orig := append([]T(nil), c...)
	alpha, beta := T(tc.alpha), T(tc.beta)
	want, bound := refGemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, c, ldc)

	require.NoError(t, Gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, c, ldc))

	bad := 0
	for i := 0; i < tc.m; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if j >= tc.n {
				if !(got == orig[i*ldc+j] || math.IsNaN(float64(got)) && math.IsNaN(float64(orig[i*ldc+j]))) {
					t.Errorf("%v: C[%d][%d] is padding past n but changed from %v to %v", tc, i, j, orig[i*ldc+j], got)
					bad++
				}
				continue
			}
			w, e := want[i*tc.n+j], bound[i*tc.n+j]
			if !(math.Abs(float64(got)-w) <= e) {
				t.Errorf("%v: C[%d][%d] = %v, want %v ± %.3g", tc, i, j, got, w, e)
				bad++
			}
			if bad > 5 {
				t.FailNow()
			}
		}
	}
}

// shapeCases are the shapes of the table test: empty and single elements,
// sizes around the register tiles of every kernel (4, 6, 8, 14, 16, 32),
// and sizes past the cache blocks (k > 256, n > 512) so that every loop
// of the driver runs more than once with a partial last block.
var shapeCases = [][3]int{
	{0, 0, 0}, {0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {1, 1, 1}, {1, 7, 1}, {7, 1, 1},
	{1, 1, 300}, {2, 3, 4}, {3, 33, 5}, {13, 31, 7}, {14, 32, 16}, {15, 33, 17},
	{28, 64, 9}, {29, 65, 33}, {6, 16, 8}, {7, 17, 3}, {12, 8, 5}, {5, 12, 19},
	{43, 97, 61}, {17, 530, 23}, {31, 47, 600}, {90, 70, 257},
	{50, 16, 40}, {49, 6, 300}, {75, 15, 17}, // the narrow tile (n <= 16)
}

func TestGemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	transposes := []blas.Transpose{blas.NoTrans, blas.Trans}
	scalars := [][2]float64{{1, 0}, {1, 1}, {-0.75, 0.5}, {2.5, -1.25}, {0, 0.5}, {0, 0}}
	for _, l := range levels() {
		for _, threads := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/threads=%d", levelNames[l], threads), func(t *testing.T) {
				withLevel(t, l, func() {
					withThreads(threads, func() {
						for i, s := range shapeCases {
							for _, tA := range transposes {
								for _, tB := range transposes {
									ab := scalars[(i+int(tA)+2*int(tB))%len(scalars)]
									tc := gemmCase{tA: tA, tB: tB, m: s[0], n: s[1], k: s[2], alpha: ab[0], beta: ab[1],
										padA: i % 3, padB: (i + 1) % 4, padC: i % 2 * 3}
									checkCase[float32](t, rng, tc)
									checkCase[float64](t, rng, tc)
								}
							}
						}
					})
				})
			})
		}
	}
}

// TestGemmRandomShapes draws shapes, transposes, scalars and padding at
// random, to catch combinations the table misses.
func TestGemmRandomShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	transposes := []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans}
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l, func() {
				for range 40 {
					tc := gemmCase{
						tA: transposes[rng.IntN(3)], tB: transposes[rng.IntN(3)],
						m: 1 + rng.IntN(70), n: 1 + rng.IntN(90), k: 1 + rng.IntN(80),
						alpha: math.Round(8*(2*rng.Float64()-1)) / 4, beta: float64(rng.IntN(3)) / 2,
						padA: rng.IntN(5), padB: rng.IntN(5), padC: rng.IntN(5),
					}
					withThreads(1+rng.IntN(3), func() {
						checkCase[float32](t, rng, tc)
						checkCase[float64](t, rng, tc)
					})
				}
			})
		})
	}
}

// TestGemmLargeParallel checks a product large enough to be split between
// goroutines in both directions and blocked in every dimension.
func TestGemmLargeParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l, func() {
				withThreads(4, func() {
					checkCase[float32](t, rng, gemmCase{tA: blas.NoTrans, tB: blas.Trans, m: 150, n: 1100, k: 300, alpha: 1, beta: 0.5, padC: 1})
					checkCase[float64](t, rng, gemmCase{tA: blas.Trans, tB: blas.NoTrans, m: 301, n: 40, k: 520, alpha: -1, beta: 0})
				})
			})
		})
	}
}

func TestPartitionCoversC(t *testing.T) {
	for _, tc := range []struct{ m, n, k, mr, nr, threads, wantParts int }{
		{1, 1, 1, 14, 32, 2, 1},
		{1024, 1024, 1024, 14, 32, 2, 4},
		{1024, 1024, 1024, 14, 32, 1, 1},
		{36864, 6, 25, 14, 32, 2, 4},
		{6, 36864, 25, 14, 32, 2, 4},
		{14, 64, 2000, 14, 32, 4, 2}, // only two tiles
		{100, 100, 100, 4, 4, 3, 6},
		{300, 500, 200, 14, 32, 6, 12},
		{16, 16, 16, 4, 4, 2, 1}, // too small to be worth a goroutine
	} {
		t.Run(fmt.Sprintf("%v", tc), func(t *testing.T) {
			parts := partition(tc.m, tc.n, tc.k, tc.mr, tc.nr, tc.threads)
			assert.Len(t, parts, tc.wantParts)
			seen := make([]int, tc.m*tc.n)
			for _, p := range parts {
				require.True(t, p.i0 < p.i1 && p.j0 < p.j1, "empty part %v", p)
				assert.Zero(t, p.i0%tc.mr, "part %v does not start on a row tile", p)
				assert.Zero(t, p.j0%tc.nr, "part %v does not start on a column tile", p)
				for i := p.i0; i < p.i1; i++ {
					for j := p.j0; j < p.j1; j++ {
						seen[i*tc.n+j]++
					}
				}
			}
			for i, s := range seen {
				require.Equal(t, 1, s, "element %d of C is covered %d times", i, s)
			}
		})
	}
}

func TestThreadsSetting(t *testing.T) {
	prev := SetThreads(3)
	defer SetThreads(prev)
	assert.Equal(t, 3, Threads())
	assert.Equal(t, 3, SetThreads(-1))
	assert.Positive(t, Threads(), "the default is GOMAXPROCS")
}

func TestKernelName(t *testing.T) {
	assert.Contains(t, []string{"go", "avx2", "avx512"}, Kernel())
	withLevel(t, levelGo, func() { assert.Equal(t, "go", Kernel()) })
}
