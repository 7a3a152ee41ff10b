package fastblas

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// GemmSharedA computes C_i = alpha·op(A)·op(B_i) + beta·C_i for every i,
// with one A and len(bs) pairs (B_i, C_i) of the same shapes, on the
// calling goroutine. It gives the same results as a Gemm per pair, but
// packs each block of A once for all pairs instead of once per pair: a
// convolution multiplies the same filter matrix by the columns of every
// image of a batch, and with a few hundred output positions per image,
// repacking the filters for each image costs as much as a tenth of the
// product.
//
// With several pairs it does not split the work between goroutines: the
// caller, which has many pairs, runs one call per core. With one pair it
// is Gemm, which does (a batch of one image leaves the other cores idle
// otherwise).
func GemmSharedA[T Float](tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, bs [][]T, ldb int, beta T, cs [][]T, ldc int) error {
	if len(bs) != len(cs) {
		return fmt.Errorf("fastblas: GemmSharedA: %d matrices B but %d matrices C; give one C per B", len(bs), len(cs))
	}
	for i := range bs {
		if msg := checkGemm(tA, tB, m, n, k, len(a), lda, len(bs[i]), ldb, len(cs[i]), ldc); msg != "" {
			return fmt.Errorf("fastblas: GemmSharedA(tA=%c, tB=%c, m=%d, n=%d, k=%d, len(a)=%d, lda=%d, len(b[%d])=%d, ldb=%d, len(c[%d])=%d, ldc=%d): %s; "+
				"op(A) must be m×k, every op(B_i) k×n and C_i m×n, row-major, with leading dimensions at least the stored row lengths", byte(tA), byte(tB), m, n, k, len(a), lda, i, len(bs[i]), ldb, i, len(cs[i]), ldc, msg)
		}
	}
	if len(bs) == 0 || m == 0 || n == 0 {
		return nil
	}
	if k == 0 || alpha == 0 {
		for _, c := range cs {
			scaleC(m, n, beta, c, ldc)
		}
		return nil
	}
	ks := kernelsFor[T](n)
	if len(bs) == 1 {
		gemm(ks, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, bs[0], ldb, beta, cs[0], ldc)
		return nil
	}
	job := gemmJob[T]{ks: ks, tA: tA != blas.NoTrans, tB: tB != blas.NoTrans, k: k, alpha: alpha, a: a, lda: lda, ldb: ldb, beta: beta, ldc: ldc}
	job.runSharedA(part{0, m, 0, n}, bs, cs)
	return nil
}

// runSharedA computes the block p of every C_i (see run) with the pairs
// (B_i, C_i) innermost to the packing of A, so each block of A is packed
// once for all of them.
func (g *gemmJob[T]) runSharedA(p part, bs, cs [][]T) {
	ks := g.ks
	MR, NR := ks.mr, ks.nr
	kc := ceilDiv(g.k, ceilDiv(g.k, ks.kc))
	width := p.j1 - p.j0
	nc := ceilDiv(ceilDiv(width, ceilDiv(width, ks.nc)), NR) * NR
	height := p.i1 - p.i0
	mcMax := max(MR, ks.mcBytes/(kc*int(sizeOf[T]()))/MR*MR)
	mc := ceilDiv(ceilDiv(height, ceilDiv(height, mcMax)), MR) * MR

	buf := getBuffer[T](mc*kc + kc*nc)
	defer putBuffer(buf)
	abuf, bbuf := (*buf)[:mc*kc], (*buf)[mc*kc:]

	for pc := 0; pc < g.k; pc += kc {
		kcur := min(kc, g.k-pc)
		beta := g.beta
		if pc > 0 {
			beta = 1 // later k blocks accumulate onto the first
		}
		for ic := p.i0; ic < p.i1; ic += mc {
			mcur := min(mc, p.i1-ic)
			packA(ks, abuf, g.tA, g.a, g.lda, ic, mcur, pc, kcur)
			for i, b := range bs {
				for jc := p.j0; jc < p.j1; jc += nc {
					ncur := min(nc, p.j1-jc)
					packB(ks, bbuf, g.tB, b, g.ldb, pc, kcur, jc, ncur)
					for ir := 0; ir < mcur; ir += MR {
						mr := min(MR, mcur-ir)
						ap := &abuf[(ir/MR)*kcur*MR]
						crow := cs[i][(ic+ir)*g.ldc+jc:]
						for jr := 0; jr < ncur; jr += NR {
							nr := min(NR, ncur-jr)
							ks.tile(kcur, ap, &bbuf[(jr/NR)*kcur*NR], &crow[jr], g.ldc, g.alpha, beta, mr, nr)
						}
					}
				}
			}
		}
	}
}
