package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// packFunc describes one generated AVX-512 packing routine. Both kinds
// copy kc rows of a strided source into kc rows of a strided destination:
//
//	transpose: dst[p*dstStride+i] = src[i*srcStride+p]   (i < rows, p < kc)
//	copy:      dst[p*dstStride+i] = src[p*srcStride+i]   (i < rows, p < kc)
//
// Only the first rows elements of each destination row are written, so a
// routine can fill a slice of a wider panel.
type packFunc struct {
	single    bool // float32 (else float64)
	rows      int
	transpose bool
}

func (p packFunc) elem() int {
	if p.single {
		return 4
	}
	return 8
}

func (p packFunc) lanes() int { return 64 / p.elem() }

func (p packFunc) goType() string {
	if p.single {
		return "float32"
	}
	return "float64"
}

func (p packFunc) name() string {
	kind := "Copy"
	if p.transpose {
		kind = "Trans"
	}
	prefix := "d"
	if p.single {
		prefix = "s"
	}
	return fmt.Sprintf("%spack%s%d", prefix, kind, p.rows)
}

// genPack emits the routine.
func genPack(pf packFunc) {
	TEXT(pf.name(), NOSPLIT, fmt.Sprintf("func(dst *%s, dstStride int, src *%s, srcStride int, kc int)", pf.goType(), pf.goType()))
	Pragma("noescape")
	if pf.transpose {
		Doc(fmt.Sprintf("%s sets dst[p*dstStride+i] = src[i*srcStride+p] for i < %d, p < kc (AVX-512).", pf.name(), pf.rows))
		genTranspose(pf)
	} else {
		Doc(fmt.Sprintf("%s sets dst[p*dstStride+i] = src[p*srcStride+i] for i < %d, p < kc (AVX-512).", pf.name(), pf.rows))
		genCopy(pf)
	}
}

func maskK(bits int) reg.OpmaskVirtual {
	k := K()
	t := GP32()
	MOVL(U32(uint32(1)<<uint(bits)-1), t)
	KMOVW(t, k) // KMOVW needs only AVX512F
	return k
}

func (pf packFunc) loadZ(m Mem, k reg.OpmaskVirtual, dst reg.VecVirtual) {
	if pf.single {
		VMOVUPS_Z(m, k, dst)
	} else {
		VMOVUPD_Z(m, k, dst)
	}
}

func (pf packFunc) storeK(src reg.VecVirtual, k reg.OpmaskVirtual, m Mem) {
	if pf.single {
		VMOVUPS(src, k, m)
	} else {
		VMOVUPD(src, k, m)
	}
}

// genCopy: each destination row takes rows elements of one source row,
// through masked vector moves.
func genCopy(pf packFunc) {
	dst := Load(Param("dst"), GP64())
	ds := Load(Param("dstStride"), GP64())
	src := Load(Param("src"), GP64())
	ss := Load(Param("srcStride"), GP64())
	kc := Load(Param("kc"), GP64())
	SHLQ(Imm(log2Elem[pf.elem()]), ds)
	SHLQ(Imm(log2Elem[pf.elem()]), ss)
	nvec := (pf.rows + pf.lanes() - 1) / pf.lanes()
	ks := make([]reg.OpmaskVirtual, nvec)
	for v := range ks {
		ks[v] = maskK(min(pf.lanes(), pf.rows-v*pf.lanes()))
	}
	TESTQ(kc, kc)
	JZ(LabelRef("done"))
	Label("loop")
	for v := 0; v < nvec; v++ {
		t := ZMM()
		pf.loadZ(Mem{Base: src, Disp: 64 * v}, ks[v], t)
		pf.storeK(t, ks[v], Mem{Base: dst, Disp: 64 * v})
	}
	ADDQ(ss, src)
	ADDQ(ds, dst)
	DECQ(kc)
	JNZ(LabelRef("loop"))
	Label("done")
	VZEROUPPER()
	RET()
}

// genTranspose transposes blocks of (rows × lanes) elements in registers:
// rows vectors are loaded from rows source rows, transposed by the standard
// unpack/shuffle network, and lanes vectors of rows elements are stored.
// The last block of fewer than lanes columns uses masked loads, which do
// not fault past the end of a row.
func genTranspose(pf packFunc) {
	W := pf.lanes()
	if pf.rows > W {
		panic("asmgen: transpose of more rows than lanes")
	}
	dst := Load(Param("dst"), GP64())
	ds := Load(Param("dstStride"), GP64())
	src := Load(Param("src"), GP64())
	ss := Load(Param("srcStride"), GP64())
	kc := Load(Param("kc"), GP64())
	SHLQ(Imm(log2Elem[pf.elem()]), ds)
	SHLQ(Imm(log2Elem[pf.elem()]), ss)
	kRows := maskK(pf.rows)
	full := GP64()
	MOVQ(kc, full)
	SHRQ(Imm(uint64(log2(W))), full) // kc / W
	JZ(LabelRef("tail"))

	Label("loop")
	{
		vs := pf.loadRows(src, ss, nil)
		out := pf.transposeRegs(vs)
		pf.storeCols(dst, ds, out, kRows, -1, nil)
		ADDQ(U32(W*pf.elem()), src)
		DECQ(full)
		JNZ(LabelRef("loop"))
	}

	Label("tail")
	ANDQ(U32(W-1), kc)
	JZ(LabelRef("done"))
	{
		// Mask of the kc remaining columns: (1<<kc)-1.
		t := GP32()
		MOVL(U32(1), t)
		MOVQ(kc, reg.RCX)
		SHLL(reg.CL, t)
		DECL(t)
		kTail := K()
		KMOVW(t, kTail)
		vs := pf.loadRows(src, ss, kTail)
		out := pf.transposeRegs(vs)
		pf.storeCols(dst, ds, out, kRows, 0, kc)
	}
	Label("done")
	VZEROUPPER()
	RET()
}

// loadRows loads W columns (those in mask k, or all with a nil k) of each
// of the rows source rows; the rows past pf.rows are zero.
func (pf packFunc) loadRows(src, ss reg.Register, k reg.OpmaskVirtual) []reg.VecVirtual {
	W := pf.lanes()
	vs := make([]reg.VecVirtual, W)
	p := GP64()
	MOVQ(src, p)
	for i := 0; i < pf.rows; i++ {
		vs[i] = ZMM()
		switch {
		case k != nil:
			pf.loadZ(Mem{Base: p}, k, vs[i])
		case pf.single:
			VMOVUPS(Mem{Base: p}, vs[i])
		default:
			VMOVUPD(Mem{Base: p}, vs[i])
		}
		if i+1 < pf.rows {
			ADDQ(ss, p)
		}
	}
	if pf.rows < W {
		z := ZMM()
		VPXORD(z, z, z)
		for i := pf.rows; i < W; i++ {
			vs[i] = z
		}
	}
	return vs
}

// storeCols stores the transposed vectors, one destination row each,
// advancing dst. With count (a register) it stores only the first count
// vectors.
func (pf packFunc) storeCols(dst, ds reg.Register, out []reg.VecVirtual, k reg.OpmaskVirtual, _ int, count reg.Register) {
	for j, v := range out {
		if count != nil {
			CMPQ(count, U32(j))
			JE(LabelRef("done"))
		}
		pf.storeK(v, k, Mem{Base: dst})
		ADDQ(ds, dst)
	}
}

// transposeRegs transposes a W×W block held one row per register.
func (pf packFunc) transposeRegs(r []reg.VecVirtual) []reg.VecVirtual {
	if pf.single {
		return transpose16(r)
	}
	return transpose8(r)
}

// transpose16 is the 16×16 float32 transpose: unpack pairs of rows, then
// pairs of pairs, then exchange 128-bit lanes twice. (Checked element by
// element against a model of the instructions, and by the package tests.)
func transpose16(r []reg.VecVirtual) []reg.VecVirtual {
	t := make([]reg.VecVirtual, 16)
	for k := 0; k < 16; k += 2 {
		t[k], t[k+1] = ZMM(), ZMM()
		VUNPCKLPS(r[k+1], r[k], t[k])
		VUNPCKHPS(r[k+1], r[k], t[k+1])
	}
	u := make([]reg.VecVirtual, 16)
	for g := 0; g < 16; g += 4 {
		for q := 0; q < 4; q++ {
			u[g+q] = ZMM()
		}
		VUNPCKLPD(t[g+2], t[g], u[g])
		VUNPCKHPD(t[g+2], t[g], u[g+1])
		VUNPCKLPD(t[g+3], t[g+1], u[g+2])
		VUNPCKHPD(t[g+3], t[g+1], u[g+3])
	}
	w := make([]reg.VecVirtual, 16)
	for h := 0; h < 16; h += 8 {
		for q := 0; q < 4; q++ {
			w[h+q], w[h+q+4] = ZMM(), ZMM()
			VSHUFF32X4(U8(0x88), u[h+q+4], u[h+q], w[h+q])
			VSHUFF32X4(U8(0xdd), u[h+q+4], u[h+q], w[h+q+4])
		}
	}
	out := make([]reg.VecVirtual, 16)
	for q := 0; q < 8; q++ {
		out[q], out[q+8] = ZMM(), ZMM()
		VSHUFF32X4(U8(0x88), w[q+8], w[q], out[q])
		VSHUFF32X4(U8(0xdd), w[q+8], w[q], out[q+8])
	}
	return out
}

// transpose8 is the 8×8 float64 transpose, by the same network.
func transpose8(r []reg.VecVirtual) []reg.VecVirtual {
	t := make([]reg.VecVirtual, 8)
	for k := 0; k < 8; k += 2 {
		t[k], t[k+1] = ZMM(), ZMM()
		VUNPCKLPD(r[k+1], r[k], t[k])
		VUNPCKHPD(r[k+1], r[k], t[k+1])
	}
	u := make([]reg.VecVirtual, 8)
	for g := 0; g < 8; g += 4 {
		for q := 0; q < 4; q++ {
			u[g+q] = ZMM()
		}
		VSHUFF64X2(U8(0x88), t[g+2], t[g], u[g])
		VSHUFF64X2(U8(0x88), t[g+3], t[g+1], u[g+1])
		VSHUFF64X2(U8(0xdd), t[g+2], t[g], u[g+2])
		VSHUFF64X2(U8(0xdd), t[g+3], t[g+1], u[g+3])
	}
	out := make([]reg.VecVirtual, 8)
	for q := 0; q < 4; q++ {
		out[q], out[q+4] = ZMM(), ZMM()
		VSHUFF64X2(U8(0x88), u[q+4], u[q], out[q])
		VSHUFF64X2(U8(0xdd), u[q+4], u[q], out[q+4])
	}
	return out
}

// packSet lists the packing routines of one AVX-512 kernel family and
// writes the Go functions that pack one full panel with them.
type packSet struct {
	prefix string // "savx512"
	single bool
	mr, nr int
}

// chunks splits n rows into transposes of at most w rows.
func chunks(n, w int) []int {
	var c []int
	for n > 0 {
		c = append(c, min(n, w))
		n -= min(n, w)
	}
	return c
}

func (ps packSet) funcs() []packFunc {
	w := 16
	if !ps.single {
		w = 8
	}
	var fs []packFunc
	for _, r := range append(chunks(ps.mr, w), chunks(ps.nr, w)...) {
		fs = append(fs, packFunc{single: ps.single, rows: r, transpose: true})
	}
	fs = append(fs, packFunc{single: ps.single, rows: ps.mr}, packFunc{single: ps.single, rows: ps.nr})
	return fs
}

// goGlue is the Go source of the four panel packers of the family.
func (ps packSet) goGlue() string {
	w, typ := 16, "float32"
	if !ps.single {
		w, typ = 8, "float64"
	}
	var b strings.Builder
	trans := func(name string, n, stride int) {
		fmt.Fprintf(&b, "func %s(dst, src *%s, ld, kc int) {\n", name, typ)
		off := 0
		for _, r := range chunks(n, w) {
			pf := packFunc{single: ps.single, rows: r, transpose: true}
			fmt.Fprintf(&b, "\t%s(at(dst, %d), %d, at(src, %d*ld), ld, kc)\n", pf.name(), off, stride, off)
			off += r
		}
		fmt.Fprintf(&b, "}\n\n")
	}
	copyf := func(name string, n int) {
		pf := packFunc{single: ps.single, rows: n}
		fmt.Fprintf(&b, "func %s(dst, src *%s, ld, kc int) {\n\t%s(dst, %d, src, ld, kc)\n}\n\n", name, typ, pf.name(), n)
	}
	fmt.Fprintf(&b, "// %sPackA packs a full panel of %d rows of A stored untransposed.\n", ps.prefix, ps.mr)
	trans(ps.prefix+"PackA", ps.mr, ps.mr)
	fmt.Fprintf(&b, "// %sPackAT packs a full panel of %d rows of A stored transposed.\n", ps.prefix, ps.mr)
	copyf(ps.prefix+"PackAT", ps.mr)
	fmt.Fprintf(&b, "// %sPackB packs a full panel of %d columns of B stored untransposed.\n", ps.prefix, ps.nr)
	copyf(ps.prefix+"PackB", ps.nr)
	fmt.Fprintf(&b, "// %sPackBT packs a full panel of %d columns of B stored transposed.\n", ps.prefix, ps.nr)
	trans(ps.prefix+"PackBT", ps.nr, ps.nr)
	return b.String()
}
