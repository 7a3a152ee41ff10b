package fastblas

import "unsafe"

// The packing routines copy parts of op(A) and op(B) into the layouts the
// micro-kernels read. The kernel set may bring assembly packers for full
// panels (the transposing ones matter most: a scalar transpose of the
// im2col matrix costs more than the product itself when n is small);
// partial panels and the portable kernels use the Go loops below, which
// use unsafe pointer arithmetic because bounds checks in these loops are a
// large part of their cost. Callers guarantee that the ranges are inside
// the slices (checkGemm has validated the operands' lengths).

// at returns the address of element i of the array at p.
func at[T Float](p *T, i int) *T {
	var z T
	return (*T)(unsafe.Add(unsafe.Pointer(p), uintptr(i)*unsafe.Sizeof(z)))
}

// packA copies rows [i0, i0+mc) and columns [p0, p0+kc) of op(A) into dst
// as a sequence of micro-panels of MR rows each (kc·MR elements per panel;
// for each p, the MR elements of column p are contiguous). Rows of the
// last panel past mc are left as they were: the kernels never read them.
func packA[T Float](ks *kernelSet[T], dst []T, trans bool, a []T, lda, i0, mc, p0, kc int) {
	MR := ks.mr
	_ = dst[ceilDiv(mc, MR)*kc*MR-1]
	for ip := 0; ip < mc; ip += MR {
		mr := min(MR, mc-ip)
		panel := &dst[(ip/MR)*kc*MR]
		if trans {
			// op(A)[i][p] = a[p*lda+i]: each p is already contiguous in i.
			src := at(&a[0], p0*lda+i0+ip)
			if mr == MR && ks.packAT != nil {
				ks.packAT(panel, src, lda, kc)
				continue
			}
			for p := 0; p < kc; p++ {
				copy(unsafe.Slice(at(panel, p*MR), mr), unsafe.Slice(at(src, p*lda), mr))
			}
			continue
		}
		// op(A)[i][p] = a[i*lda+p]: read each row, write it as a column.
		src := at(&a[0], (i0+ip)*lda+p0)
		if mr == MR && ks.packA != nil {
			ks.packA(panel, src, lda, kc)
			continue
		}
		for i := 0; i < mr; i++ {
			transposeRow(at(panel, i), MR, at(src, i*lda), kc)
		}
	}
}

// transposeRow writes the n elements at src to dst, stride apart.
func transposeRow[T Float](dst *T, stride int, src *T, n int) {
	p := 0
	for ; p+4 <= n; p += 4 {
		s := unsafe.Slice(at(src, p), 4)
		*at(dst, p*stride) = s[0]
		*at(dst, (p+1)*stride) = s[1]
		*at(dst, (p+2)*stride) = s[2]
		*at(dst, (p+3)*stride) = s[3]
	}
	for ; p < n; p++ {
		*at(dst, p*stride) = *at(src, p)
	}
}

// packB copies rows [p0, p0+kc) and columns [j0, j0+nc) of op(B) into dst
// as a sequence of micro-panels of NR columns each (kc·NR elements per
// panel, each row of a panel contiguous). The columns of the last panel
// past nc are set to zero.
func packB[T Float](ks *kernelSet[T], dst []T, trans bool, b []T, ldb, p0, kc, j0, nc int) {
	NR := ks.nr
	_ = dst[ceilDiv(nc, NR)*kc*NR-1]
	for jp := 0; jp < nc; jp += NR {
		nr := min(NR, nc-jp)
		panel := &dst[(jp/NR)*kc*NR]
		if !trans {
			// op(B)[p][j] = b[p*ldb+j]: rows are contiguous in j.
			src := at(&b[0], p0*ldb+j0+jp)
			if nr == NR && ks.packB != nil {
				ks.packB(panel, src, ldb, kc)
				continue
			}
			for p := 0; p < kc; p++ {
				d := unsafe.Slice(at(panel, p*NR), NR)
				copy(d, unsafe.Slice(at(src, p*ldb), nr))
				clear(d[nr:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p]: read columns, write rows.
		src := at(&b[0], (j0+jp)*ldb+p0)
		if nr == NR && ks.packBT != nil {
			ks.packBT(panel, src, ldb, kc)
			continue
		}
		for j := 0; j < nr; j++ {
			transposeRow(at(panel, j), NR, at(src, j*ldb), kc)
		}
		if nr < NR {
			for p := 0; p < kc; p++ {
				clear(unsafe.Slice(at(panel, p*NR+nr), NR-nr))
			}
		}
	}
}
