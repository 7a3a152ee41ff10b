package fastblas

import (
	"gonum.org/v1/gonum/blas"
)

// BLAS's messages for invalid arguments, the same as Gonum's, so that
// Implementation panics exactly as the implementation it replaces.
const (
	badTranspose = "blas: illegal transpose"
	mLT0         = "blas: m < 0"
	nLT0         = "blas: n < 0"
	kLT0         = "blas: k < 0"
	badLdA       = "blas: bad leading dimension of A"
	badLdB       = "blas: bad leading dimension of B"
	badLdC       = "blas: bad leading dimension of C"
	shortA       = "blas: insufficient length of a"
	shortB       = "blas: insufficient length of b"
	shortC       = "blas: insufficient length of c"
)

// isTrans reports whether t transposes; ok is false when t is not a valid
// blas.Transpose. For real matrices ConjTrans is Trans.
func isTrans(t blas.Transpose) (trans, ok bool) {
	switch t {
	case blas.NoTrans:
		return false, true
	case blas.Trans, blas.ConjTrans:
		return true, true
	}
	return false, false
}

// checkGemm validates the arguments of a GEMM in the order Gonum does and
// returns the BLAS message of the first problem, or "" when they are valid.
func checkGemm(tA, tB blas.Transpose, m, n, k, lenA, lda, lenB, ldb, lenC, ldc int) string {
	aTrans, okA := isTrans(tA)
	bTrans, okB := isTrans(tB)
	switch {
	case !okA || !okB:
		return badTranspose
	case m < 0:
		return mLT0
	case n < 0:
		return nLT0
	case k < 0:
		return kLT0
	case aTrans && lda < max(1, m), !aTrans && lda < max(1, k):
		return badLdA
	case bTrans && ldb < max(1, k), !bTrans && ldb < max(1, n):
		return badLdB
	case ldc < max(1, n):
		return badLdC
	case m == 0 || n == 0:
		return ""
	case aTrans && lenA < (k-1)*lda+m, !aTrans && lenA < (m-1)*lda+k:
		return shortA
	case bTrans && lenB < (n-1)*ldb+k, !bTrans && lenB < (k-1)*ldb+n:
		return shortB
	case lenC < (m-1)*ldc+n:
		return shortC
	}
	return ""
}
