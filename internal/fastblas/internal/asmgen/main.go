// Command asmgen writes the amd64 GEMM micro-kernels of package fastblas
// with avo. It lives in its own module so that avo never becomes a
// dependency of tanren itself; run it through `go generate` in the fastblas
// directory.
//
// Every kernel computes one tile of C from a packed panel of A and a packed
// panel of B:
//
//	C[i][j] = alpha * sum_p A[p][i]*B[p][j] + beta * C[i][j]   (i < mr, j < nr)
//
// The packed A panel holds MR values per p (MR = the family's maximum rows,
// padded with zeros), the packed B panel NR values per p. C is row-major with
// leading dimension ldc (in elements). When beta is ±0, C is not read, as in
// the reference BLAS, so NaNs in an uninitialized C never leak into the
// result.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// family describes one set of kernels (one per row count 1..maxMR) for one
// element type and instruction set.
type family struct {
	prefix string // "s" or "d", as in BLAS
	goType string
	elem   int // bytes per element
	avx512 bool
	maxMR  int
	nvec   int // vector registers per row of the tile
}

func (f family) vecBytes() int {
	if f.avx512 {
		return 64
	}
	return 32
}

func (f family) lanes() int { return f.vecBytes() / f.elem }
func (f family) nr() int    { return f.nvec * f.lanes() }

// id names the family in Go identifiers: prefix, ISA and tile width,
// e.g. savx512x32.
func (f family) id() string {
	return fmt.Sprintf("%s%sx%d", f.prefix, strings.ToLower(f.isa()), f.nr())
}

func (f family) isa() string {
	if f.avx512 {
		return "AVX512"
	}
	return "AVX2"
}

// Name is the Go name of the kernel for mr rows.
func (f family) name(mr int) string {
	return fmt.Sprintf("%skern%s_%dx%d", f.prefix, f.isa(), mr, f.nr())
}

func (f family) vec() reg.VecVirtual {
	if f.avx512 {
		return ZMM()
	}
	return YMM()
}

func (f family) single() bool { return f.elem == 4 }

func (f family) zero(r reg.VecVirtual) {
	if f.avx512 {
		// VPXORD needs only AVX512F (VXORPS on zmm needs AVX512DQ).
		VPXORD(r, r, r)
		return
	}
	VXORPS(r, r, r)
}

func (f family) load(m Mem, r reg.VecVirtual) {
	if f.single() {
		VMOVUPS(m, r)
	} else {
		VMOVUPD(m, r)
	}
}

func (f family) fma(src3 Op, src2, dst reg.VecVirtual) {
	if f.single() {
		VFMADD231PS(src3, src2, dst)
	} else {
		VFMADD231PD(src3, src2, dst)
	}
}

func (f family) fmaBcast(m Mem, src2, dst reg.VecVirtual) {
	if f.single() {
		VFMADD231PS_BCST(m, src2, dst)
	} else {
		VFMADD231PD_BCST(m, src2, dst)
	}
}

func (f family) broadcast(src Op, dst reg.VecVirtual) {
	if f.single() {
		VBROADCASTSS(src, dst)
	} else {
		VBROADCASTSD(src, dst)
	}
}

func (f family) mul(src, dst reg.VecVirtual) {
	if f.single() {
		VMULPS(src, dst, dst)
	} else {
		VMULPD(src, dst, dst)
	}
}

var (
	unroll      = flag.Int("unroll", 4, "k-loop unroll factor (power of two)")
	embedBcast  = flag.Bool("bcast", true, "AVX-512: use embedded-broadcast FMAs instead of a broadcast register")
	prefetchC   = flag.Bool("prefetchc", true, "prefetch the C tile before the k loop")
	maxMR512    = flag.Int("mr512", 14, "rows of the AVX-512 tile")
	maxMRNarrow = flag.Int("mrnarrow", 24, "rows of the narrow (one vector wide) AVX-512 float32 tile")
	maxMRAVX2   = flag.Int("mr2", 6, "rows of the AVX2 tile")
	log2Elem    = map[int]uint64{4: 2, 8: 3}
	maskTabName = "fastblasMaskTab"
	tablePath   = flag.String("table", "", "write the Go kernel tables to this file")
	pkgName     = flag.String("tablepkg", "fastblas", "package of the table file")
)

func main() {
	flag.Parse()
	ConstraintExpr("!purego")

	// A 128-byte table: 64 bytes of ones, then 64 bytes of zeros. The AVX2
	// kernels take their column masks for a partial tile from it, starting
	// (NR-nr)*elem bytes in, so that the first nr lanes are selected.
	tab := GLOBL(maskTabName, RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(0xffffffff))
	}
	for i := 16; i < 32; i++ {
		DATA(4*i, U32(0))
	}

	families := []family{
		{prefix: "s", goType: "float32", elem: 4, avx512: true, maxMR: *maxMR512, nvec: 2},
		{prefix: "d", goType: "float64", elem: 8, avx512: true, maxMR: *maxMR512, nvec: 2},
		// For n <= 16 (LeNet's convolutions, classifier heads) a tile one
		// vector wide wastes half as much of each FMA.
		{prefix: "s", goType: "float32", elem: 4, avx512: true, maxMR: *maxMRNarrow, nvec: 1},
		{prefix: "s", goType: "float32", elem: 4, avx512: false, maxMR: *maxMRAVX2, nvec: 2},
		{prefix: "d", goType: "float64", elem: 8, avx512: false, maxMR: *maxMRAVX2, nvec: 2},
	}
	for _, f := range families {
		for mr := 1; mr <= f.maxMR; mr++ {
			kernel(f, mr, tab)
		}
	}
	var packSets []packSet
	seen := map[string]bool{}
	for _, f := range families {
		if !f.avx512 {
			continue
		}
		ps := packSet{prefix: f.id(), single: f.single(), mr: f.maxMR, nr: f.nr()}
		packSets = append(packSets, ps)
		for _, pf := range ps.funcs() {
			if !seen[pf.name()] {
				seen[pf.name()] = true
				genPack(pf)
			}
		}
	}
	genPeak(512)
	genPeak(256)
	Generate()
	if *tablePath != "" {
		if err := writeTables(*tablePath, families, packSets); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// writeTables writes the Go file that lists each family's kernels by row
// count and its tile shape, so that the Go side never disagrees with the
// generated assembly.
func writeTables(path string, families []family, packSets []packSet) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "// Code generated by command: go run main.go %s. DO NOT EDIT.\n\n", strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&buf, "//go:build !purego\n\npackage %s\n\n", *pkgName)
	for _, f := range families {
		id := f.id()
		fmt.Fprintf(&buf, "// Tile shape of the %s kernels.\nconst (\n\t%sMR = %d\n\t%sNR = %d\n)\n\n", id, id, f.maxMR, id, f.nr())
		last := "mask uint64"
		if !f.avx512 {
			last = "nr int"
		}
		fmt.Fprintf(&buf, "// %sKernels[i] computes tiles of i+1 rows.\n", id)
		fmt.Fprintf(&buf, "var %sKernels = [%d]func(k int, a, b, c *%s, ldc int, alpha, beta %s, %s){\n", id, f.maxMR, f.goType, f.goType, last)
		for mr := 1; mr <= f.maxMR; mr++ {
			fmt.Fprintf(&buf, "\t%s,\n", f.name(mr))
		}
		fmt.Fprintf(&buf, "}\n\n")
	}
	for _, ps := range packSets {
		buf.WriteString(ps.goGlue())
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}

// kernel emits the kernel of family f for mr rows.
func kernel(f family, mr int, tab Mem) {
	last := "mask uint64"
	if !f.avx512 {
		last = "nr int"
	}
	TEXT(f.name(mr), NOSPLIT, fmt.Sprintf("func(k int, a, b, c *%s, ldc int, alpha, beta %s, %s)", f.goType, f.goType, last))
	Pragma("noescape")
	if f.avx512 {
		Doc(fmt.Sprintf("%s computes a %dx%d tile of C with AVX-512 FMA; bit j of mask selects column j.", f.name(mr), mr, f.nr()))
	} else {
		Doc(fmt.Sprintf("%s computes a %dx%d tile of C (its first nr columns) with AVX2 FMA.", f.name(mr), mr, f.nr()))
	}

	aStride := f.maxMR * f.elem // bytes per k step in the packed A panel
	bStride := f.nr() * f.elem  // bytes per k step in the packed B panel

	pa := Load(Param("a"), GP64())
	pb := Load(Param("b"), GP64())
	kk := Load(Param("k"), GP64())

	if *prefetchC {
		pc := Load(Param("c"), GP64())
		ldc := Load(Param("ldc"), GP64())
		SHLQ(Imm(log2Elem[f.elem]), ldc)
		rowBytes := f.nr() * f.elem
		for i := 0; i < mr; i++ {
			for off := 0; off < rowBytes; off += 64 {
				PREFETCHT0(Mem{Base: pc, Disp: off})
			}
			PREFETCHT0(Mem{Base: pc, Disp: rowBytes - 1})
			if i+1 < mr {
				ADDQ(ldc, pc)
			}
		}
	}

	acc := make([][]reg.VecVirtual, mr)
	for i := range acc {
		acc[i] = make([]reg.VecVirtual, f.nvec)
		for v := range acc[i] {
			acc[i][v] = f.vec()
			f.zero(acc[i][v])
		}
	}

	step := func(u int) {
		bv := make([]reg.VecVirtual, f.nvec)
		for v := range bv {
			bv[v] = f.vec()
			f.load(Mem{Base: pb, Disp: u*bStride + v*f.vecBytes()}, bv[v])
		}
		for i := 0; i < mr; i++ {
			am := Mem{Base: pa, Disp: u*aStride + i*f.elem}
			if f.avx512 && *embedBcast {
				for v := range bv {
					f.fmaBcast(am, bv[v], acc[i][v])
				}
				continue
			}
			t := f.vec()
			f.broadcast(am, t)
			for v := range bv {
				f.fma(t, bv[v], acc[i][v])
			}
		}
	}

	u := *unroll
	cnt := GP64()
	MOVQ(kk, cnt)
	SHRQ(Imm(uint64(log2(u))), cnt)
	JZ(LabelRef("tail"))
	Label("loop")
	for s := 0; s < u; s++ {
		step(s)
	}
	ADDQ(U32(u*aStride), pa)
	ADDQ(U32(u*bStride), pb)
	DECQ(cnt)
	JNZ(LabelRef("loop"))

	Label("tail")
	ANDQ(Imm(uint64(u-1)), kk)
	JZ(LabelRef("epilogue"))
	Label("loop1")
	step(0)
	ADDQ(U32(aStride), pa)
	ADDQ(U32(bStride), pb)
	DECQ(kk)
	JNZ(LabelRef("loop1"))

	Label("epilogue")
	// Scale by alpha first: its register is then free for the masks.
	{
		// Broadcast straight from the argument: legacy MOVSS cannot
		// address X16-X31, where the allocator may put the register.
		va := f.vec()
		f.broadcast(paramAddr("alpha"), va)
		for i := range acc {
			for v := range acc[i] {
				f.mul(va, acc[i][v])
			}
		}
	}
	pc := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(Imm(log2Elem[f.elem]), ldc)

	// beta == ±0 means C is write-only.
	betaAddr := paramAddr("beta")
	if f.single() {
		bits := GP32()
		MOVL(betaAddr, bits)
		SHLL(Imm(1), bits)
	} else {
		bits := GP64()
		MOVQ(betaAddr, bits)
		SHLQ(Imm(1), bits)
	}
	JZ(LabelRef("storeonly"))

	if f.avx512 {
		epilogue512(f, acc, pc, ldc, true)
		Label("storeonly")
		epilogue512(f, acc, pc, ldc, false)
		return
	}
	nr := Load(Param("nr"), GP64())
	CMPQ(nr, Imm(uint64(f.nr())))
	JNE(LabelRef("partialbeta"))
	epilogue2(f, acc, pc, ldc, true, nil)
	Label("partialbeta")
	epilogue2(f, acc, pc, ldc, true, &maskArgs{nr: nr, tab: tab})

	Label("storeonly")
	nr = Load(Param("nr"), GP64())
	CMPQ(nr, Imm(uint64(f.nr())))
	JNE(LabelRef("partial"))
	epilogue2(f, acc, pc, ldc, false, nil)
	Label("partial")
	epilogue2(f, acc, pc, ldc, false, &maskArgs{nr: nr, tab: tab})
}

// epilogue512 writes the tile with AVX-512 masked stores and returns.
func epilogue512(f family, acc [][]reg.VecVirtual, pc, ldc reg.Register, withBeta bool) {
	mask := GP64()
	Load(Param("mask"), mask)
	ks := make([]reg.OpmaskVirtual, f.nvec)
	for v := range ks {
		ks[v] = K()
		KMOVW(mask.As32(), ks[v])
		if v+1 < len(ks) {
			SHRQ(Imm(uint64(f.lanes())), mask)
		}
	}
	var vb reg.VecVirtual
	if withBeta {
		vb = f.vec()
		f.broadcast(paramAddr("beta"), vb)
	}
	for i := range acc {
		for v := range acc[i] {
			m := Mem{Base: pc, Disp: v * f.vecBytes()}
			if withBeta {
				// Zeroing-masking: lanes outside the mask are neither
				// read nor stored.
				if f.single() {
					VFMADD231PS_Z(m, vb, ks[v], acc[i][v])
				} else {
					VFMADD231PD_Z(m, vb, ks[v], acc[i][v])
				}
			}
			if f.single() {
				VMOVUPS(acc[i][v], ks[v], m)
			} else {
				VMOVUPD(acc[i][v], ks[v], m)
			}
		}
		if i+1 < len(acc) {
			ADDQ(ldc, pc)
		}
	}
	VZEROUPPER()
	RET()
}

type maskArgs struct {
	nr  reg.Register
	tab Mem
}

// epilogue2 writes the tile with AVX2 stores, masked when ma is not nil,
// and returns.
func epilogue2(f family, acc [][]reg.VecVirtual, pc, ldc reg.Register, withBeta bool, ma *maskArgs) {
	var masks []reg.VecVirtual
	if ma != nil {
		// Masks start (NR-nr)*elem bytes into the table.
		off := GP64()
		MOVQ(U32(f.nr()), off)
		SUBQ(ma.nr, off)
		SHLQ(Imm(log2Elem[f.elem]), off)
		base := GP64()
		LEAQ(ma.tab, base)
		ADDQ(off, base)
		masks = make([]reg.VecVirtual, f.nvec)
		for v := range masks {
			masks[v] = f.vec()
			VMOVDQU(Mem{Base: base, Disp: v * f.vecBytes()}, masks[v])
		}
	}
	var vb reg.VecVirtual
	if withBeta {
		vb = f.vec()
		f.broadcast(paramAddr("beta"), vb)
	}
	for i := range acc {
		for v := range acc[i] {
			m := Mem{Base: pc, Disp: v * f.vecBytes()}
			switch {
			case ma == nil && withBeta:
				f.fma(m, vb, acc[i][v])
				f.store(acc[i][v], m)
			case ma == nil:
				f.store(acc[i][v], m)
			case withBeta:
				t := f.vec()
				f.maskLoad(m, masks[v], t)
				f.fma(t, vb, acc[i][v])
				f.maskStore(acc[i][v], masks[v], m)
			default:
				f.maskStore(acc[i][v], masks[v], m)
			}
		}
		if i+1 < len(acc) {
			ADDQ(ldc, pc)
		}
	}
	VZEROUPPER()
	RET()
}

func (f family) store(r reg.VecVirtual, m Mem) {
	if f.single() {
		VMOVUPS(r, m)
	} else {
		VMOVUPD(r, m)
	}
}

func (f family) maskLoad(m Mem, mask, dst reg.VecVirtual) {
	if f.single() {
		VMASKMOVPS(m, mask, dst)
	} else {
		VMASKMOVPD(m, mask, dst)
	}
}

func (f family) maskStore(src, mask reg.VecVirtual, m Mem) {
	if f.single() {
		VMASKMOVPS(src, mask, m)
	} else {
		VMASKMOVPD(src, mask, m)
	}
}

func log2(n int) int {
	r := 0
	for n > 1 {
		if n%2 != 0 {
			panic(fmt.Sprintf("asmgen: %d is not a power of two", n))
		}
		n /= 2
		r++
	}
	return r
}

// paramAddr is the stack address of the named argument.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
