package fastblas

import (
	"math"

	"gonum.org/v1/gonum/blas"
)

// refGemm is the reference the optimized paths are checked against: the
// textbook triple loop, accumulated in float64. It also returns, for each
// element of C, the bound on the rounding error of a correct float
// computation: (k+2)·eps·(|alpha|·Σ_p |A_ip·B_pj| + |beta·C_ij|), the
// standard bound for a dot product of length k, with room for the alpha
// and beta roundings.
func refGemm[T Float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, bound []float64) {
	var z T
	eps := 0x1p-52
	if _, ok := any(z).(float32); ok {
		eps = 0x1p-23
	}
	at := func(i, p int) float64 {
		if tA == blas.NoTrans {
			return float64(a[i*lda+p])
		}
		return float64(a[p*lda+i])
	}
	bt := func(p, j int) float64 {
		if tB == blas.NoTrans {
			return float64(b[p*ldb+j])
		}
		return float64(b[j*ldb+p])
	}
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var sum, mag float64
			for p := 0; p < k; p++ {
				x := at(i, p) * bt(p, j)
				sum += x
				mag += math.Abs(x)
			}
			v := float64(alpha) * sum
			mag = math.Abs(float64(alpha)) * mag
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
				mag += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j] = v
			bound[i*n+j] = float64(k+2)*eps*mag + 1e-300
		}
	}
	return want, bound
}
