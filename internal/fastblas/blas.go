package fastblas

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is a BLAS implementation (gorgonia.BLAS, and Gonum's
// blas.Float32 and blas.Float64) whose Sgemm and Dgemm are fastblas's; every
// other routine is Gonum's. The zero value is ready to use and holds no
// state, so copies are interchangeable.
//
// Like every Gonum BLAS implementation, its methods panic on invalid
// arguments, with Gonum's messages; Gemm returns an error instead.
type Implementation struct {
	gonum.Implementation
}

// Compile-time checks that Implementation is a complete BLAS.
var (
	_ blas.Float32 = Implementation{}
	_ blas.Float64 = Implementation{}
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major float32
// matrices, where op(X) is X or Xᵀ as tA and tB say, op(A) is m×k, op(B)
// is k×n and C is m×n. C is not read when beta is zero.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if msg := checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc); msg != "" {
		panic(msg)
	}
	gemm(kernelsFor[float32](n), tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm for float64.
func (Implementation) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if msg := checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc); msg != "" {
		panic(msg)
	}
	gemm(kernelsFor[float64](n), tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices of
// float32 or float64, as Sgemm and Dgemm do, but returns an error for
// invalid arguments instead of panicking. op(A) is m×k with leading
// dimension lda (the distance between rows of a as stored), op(B) is k×n,
// C is m×n. C is not read when beta is zero.
func Gemm[T Float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) error {
	if msg := checkGemm(tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc); msg != "" {
		return fmt.Errorf("fastblas: Gemm(tA=%c, tB=%c, m=%d, n=%d, k=%d, len(a)=%d, lda=%d, len(b)=%d, ldb=%d, len(c)=%d, ldc=%d): %s; "+
			"op(A) must be m×k, op(B) k×n and C m×n, row-major, with leading dimensions at least the stored row lengths", byte(tA), byte(tB), m, n, k, len(a), lda, len(b), ldb, len(c), ldc, msg)
	}
	gemm(kernelsFor[T](n), tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	return nil
}
