package fastblas

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// badArgs are invalid GEMM calls, one per check.
var badArgs = []struct {
	name             string
	tA, tB           blas.Transpose
	m, n, k          int
	la, lda, lb, ldb int
	lc, ldc          int
}{
	{"transpose", 'x', blas.NoTrans, 2, 2, 2, 4, 2, 4, 2, 4, 2},
	{"m<0", blas.NoTrans, blas.NoTrans, -1, 2, 2, 4, 2, 4, 2, 4, 2},
	{"n<0", blas.NoTrans, blas.NoTrans, 2, -1, 2, 4, 2, 4, 2, 4, 2},
	{"k<0", blas.NoTrans, blas.NoTrans, 2, 2, -1, 4, 2, 4, 2, 4, 2},
	{"lda", blas.NoTrans, blas.NoTrans, 2, 2, 3, 6, 2, 6, 2, 4, 2},
	{"ldaT", blas.Trans, blas.NoTrans, 3, 2, 2, 6, 2, 4, 2, 6, 2},
	{"ldb", blas.NoTrans, blas.NoTrans, 2, 3, 2, 4, 2, 6, 2, 6, 3},
	{"ldbT", blas.NoTrans, blas.Trans, 2, 2, 3, 6, 3, 6, 2, 4, 2},
	{"ldc", blas.NoTrans, blas.NoTrans, 2, 3, 2, 4, 2, 6, 3, 6, 2},
	{"short a", blas.NoTrans, blas.NoTrans, 2, 2, 2, 3, 2, 4, 2, 4, 2},
	{"short b", blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 2, 3, 2, 4, 2},
	{"short c", blas.NoTrans, blas.NoTrans, 2, 2, 2, 4, 2, 4, 2, 3, 2},
}

// TestInvalidArgumentsPanicLikeGonum checks that Implementation panics
// with Gonum's message wherever Gonum panics, and Gemm returns an error.
func TestInvalidArgumentsPanicLikeGonum(t *testing.T) {
	for _, tc := range badArgs {
		t.Run(tc.name, func(t *testing.T) {
			a, b, c := make([]float32, tc.la), make([]float32, tc.lb), make([]float32, tc.lc)
			want := recoverString(func() {
				gonum.Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, a, tc.lda, b, tc.ldb, 0, c, tc.ldc)
			})
			require.NotEmpty(t, want, "the case must be invalid for Gonum too")
			got := recoverString(func() {
				Implementation{}.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, a, tc.lda, b, tc.ldb, 0, c, tc.ldc)
			})
			assert.Equal(t, want, got, "Sgemm")
			a64, b64, c64 := make([]float64, tc.la), make([]float64, tc.lb), make([]float64, tc.lc)
			got = recoverString(func() {
				Implementation{}.Dgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, a64, tc.lda, b64, tc.ldb, 0, c64, tc.ldc)
			})
			assert.Equal(t, want, got, "Dgemm")

			err := Gemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, 1, a, tc.lda, b, tc.ldb, 0, c, tc.ldc)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func recoverString(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}

// TestEmptyProductsTouchNothing checks the quick returns: m or n zero with
// empty slices, and k zero scaling C by beta.
func TestEmptyProductsTouchNothing(t *testing.T) {
	require.NoError(t, Gemm[float32](blas.NoTrans, blas.NoTrans, 0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1))
	require.NoError(t, Gemm[float64](blas.Trans, blas.Trans, 0, 3, 2, 1, nil, 1, make([]float64, 6), 2, 0, nil, 3))
	c := []float32{1, 2, 3, 4}
	// BLAS still asks for (m-1)·lda elements of A when k is zero.
	require.NoError(t, Gemm(blas.NoTrans, blas.NoTrans, 2, 2, 0, 1, make([]float32, 1), 1, nil, 2, 0.5, c, 2))
	assert.Equal(t, []float32{0.5, 1, 1.5, 2}, c)
}
