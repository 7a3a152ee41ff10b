package fastblas

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// portable is ks without its assembly packers: the reference for them.
func portable[T Float](ks *kernelSet[T]) *kernelSet[T] {
	p := *ks
	p.packA, p.packAT, p.packB, p.packBT = nil, nil, nil, nil
	return &p
}

// TestPackersMatchGo compares the assembly packers of every available
// kernel set with the Go loops, for every residue of kc modulo the vector
// width, panels at offsets, and partial last panels.
func TestPackersMatchGo(t *testing.T) {
	for _, l := range levels() {
		testPackers(t, kernels32[l])
		testPackers(t, kernels64[l])
		if narrow32[l] != nil {
			testPackers(t, narrow32[l])
		}
	}
}

func testPackers[T Float](t *testing.T, ks *kernelSet[T]) {
	ref := portable(ks)
	rng := rand.New(rand.NewPCG(3, 4))
	for kc := 1; kc <= 40; kc++ {
		for _, trans := range []bool{false, true} {
			name := fmt.Sprintf("%s/%T/kc=%d/trans=%v", ks.name, T(0), kc, trans)
			t.Run(name, func(t *testing.T) {
				// A: mc rows from row i0, columns from p0, of a stored
				// matrix with padding in its leading dimension.
				i0, p0 := rng.IntN(3), rng.IntN(3)
				mc := 2*ks.mr + rng.IntN(ks.mr) // two full panels and a partial one
				rows, cols := i0+mc, p0+kc      // op(A) extent
				if trans {
					rows, cols = cols, rows
				}
				lda := cols + rng.IntN(4)
				a := randomSlice[T](rng, rows*lda)
				size := ceilDiv(mc, ks.mr) * kc * ks.mr
				got, want := make([]T, size), make([]T, size)
				packA(ks, got, trans, a, lda, i0, mc, p0, kc)
				packA(ref, want, trans, a, lda, i0, mc, p0, kc)
				require.Equal(t, want, got, "packA")

				j0 := rng.IntN(3)
				nc := 2*ks.nr + rng.IntN(ks.nr)
				rows, cols = p0+kc, j0+nc // op(B) extent
				if trans {
					rows, cols = cols, rows
				}
				ldb := cols + rng.IntN(4)
				b := randomSlice[T](rng, rows*ldb)
				size = ceilDiv(nc, ks.nr) * kc * ks.nr
				gotB, wantB := randomSlice[T](rng, size), make([]T, size)
				copy(wantB, gotB)
				packB(ks, gotB, trans, b, ldb, p0, kc, j0, nc)
				packB(ref, wantB, trans, b, ldb, p0, kc, j0, nc)
				require.Equal(t, wantB, gotB, "packB")
			})
		}
	}
}

// TestPackBLayout checks the Go packer itself against the definition of
// the layout, element by element.
func TestPackBLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	ks := goKernels32
	const kc, nc, ldb = 5, 7, 9
	for _, trans := range []bool{false, true} {
		b := randomSlice[float32](rng, 9*ldb)
		dst := randomSlice[float32](rng, ceilDiv(nc, ks.nr)*kc*ks.nr)
		packB(ks, dst, trans, b, ldb, 1, kc, 2, nc)
		for p := 0; p < kc; p++ {
			for j := 0; j < ceilDiv(nc, ks.nr)*ks.nr; j++ {
				got := dst[(j/ks.nr)*kc*ks.nr+p*ks.nr+j%ks.nr]
				var want float32
				switch {
				case j >= nc:
					want = 0
				case trans:
					want = b[(2+j)*ldb+1+p]
				default:
					want = b[(1+p)*ldb+2+j]
				}
				require.Equal(t, want, got, "trans=%v p=%d j=%d", trans, p, j)
			}
		}
	}
}

// TestPackALayout is TestPackBLayout for A.
func TestPackALayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	ks := goKernels64
	const kc, mc, lda = 6, 7, 11
	for _, trans := range []bool{false, true} {
		a := randomSlice[float64](rng, 11*lda)
		dst := make([]float64, ceilDiv(mc, ks.mr)*kc*ks.mr)
		packA(ks, dst, trans, a, lda, 2, mc, 1, kc)
		for p := 0; p < kc; p++ {
			for i := 0; i < mc; i++ {
				got := dst[(i/ks.mr)*kc*ks.mr+p*ks.mr+i%ks.mr]
				want := a[(2+i)*lda+1+p]
				if trans {
					want = a[(1+p)*lda+2+i]
				}
				require.Equal(t, want, got, "trans=%v p=%d i=%d", trans, p, i)
			}
		}
	}
}
