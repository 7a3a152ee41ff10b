package fastblas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
)

// TestGemmSharedAMatchesGemm compares GemmSharedA with one single-threaded
// Gemm per pair, which packs and multiplies the same blocks in the same
// order: the results must be bit-identical. The shapes include partial
// tiles and products blocked in every dimension (several blocks of A), with
// every transpose, padding and a beta that reads C.
func TestGemmSharedAMatchesGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 4))
	shapes := append([][3]int{{1, 1, 1}, {3, 0, 2}, {5, 3, 0}, {64, 196, 576}, {300, 40, 700}, {7, 1100, 9}}, shapeCases[8:]...)
	for _, l := range levels() {
		t.Run(levelNames[l], func(t *testing.T) {
			withLevel(t, l, func() {
				withThreads(1, func() {
					for i, s := range shapes {
						tc := gemmCase{tA: []blas.Transpose{blas.NoTrans, blas.Trans}[i%2], tB: []blas.Transpose{blas.NoTrans, blas.Trans}[i/2%2],
							m: s[0], n: s[1], k: s[2], alpha: 1.5, beta: float64(i % 3), padA: i % 3, padB: (i + 1) % 4, padC: i % 2}
						checkSharedA[float32](t, rng, tc, 1+i%4)
						checkSharedA[float64](t, rng, tc, 1+i%4)
					}
				})
			})
		})
	}
}

func checkSharedA[T Float](t *testing.T, rng *rand.Rand, tc gemmCase, pairs int) {
	t.Helper()
	rowsA, rowsB, lda, ldb, ldc := tc.layout()
	a := randomSlice[T](rng, rowsA*lda)
	bs, cs, want := make([][]T, pairs), make([][]T, pairs), make([][]T, pairs)
	for i := range bs {
		bs[i] = randomSlice[T](rng, rowsB*ldb)
		cs[i] = randomSlice[T](rng, tc.m*ldc)
		want[i] = append([]T(nil), cs[i]...)
		require.NoError(t, Gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, bs[i], ldb, T(tc.beta), want[i], ldc))
	}
	require.NoError(t, GemmSharedA(tc.tA, tc.tB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, bs, ldb, T(tc.beta), cs, ldc))
	for i := range cs {
		assert.Equal(t, want[i], cs[i], fmt.Sprintf("%v, pair %d of %d", tc, i, pairs))
	}
}

func TestGemmSharedAErrors(t *testing.T) {
	a, b, c := make([]float32, 6), make([]float32, 6), make([]float32, 4)
	err := GemmSharedA(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, a, 3, [][]float32{b, b}, 2, 0, [][]float32{c}, 2)
	assert.ErrorContains(t, err, "2 matrices B but 1 matrices C")
	err = GemmSharedA(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, a, 3, [][]float32{b, b[:5]}, 2, 0, [][]float32{c, c}, 2)
	assert.ErrorContains(t, err, "len(b[1])=5")
	assert.NoError(t, GemmSharedA(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, a, 3, nil, 2, 0, nil, 2))
}
