package fastblas

import (
	"sync/atomic"
	"unsafe"
)

// Float is the element type of a GEMM.
type Float interface{ float32 | float64 }

// kernelSet is one family of micro-kernels for T: the register tile, which
// fixes the layout of the packed panels, the cache blocking tuned for it,
// and the function that computes one tile.
type kernelSet[T Float] struct {
	name string
	// mr×nr is the register tile: mr rows of C from broadcast elements of
	// A, nr contiguous columns of C in vector registers.
	mr, nr int
	// kc is the k extent of a packed panel: an mr×kc panel of A must stay
	// in L1 while it is used against a whole packed block of B.
	kc int
	// nc is the number of columns in a packed block of B: kc×nc elements
	// must stay in L2 while every row panel of A passes over them.
	nc int
	// mcBytes bounds a packed block of A (mc×kc elements), which stays in
	// L3 while every block of B passes over it.
	mcBytes int
	// tile computes the first mr'×nr' elements of the tile at c:
	//	c[i*ldc+j] = alpha * Σ_p a[p*mr+i]*b[p*nr+j] + beta*c[i*ldc+j]
	// reading c only when beta != 0. a is a packed A panel (mr elements per
	// step of p, rows past mr' never read) and b a packed B panel (nr
	// elements per step, columns past nr' zero).
	tile func(k int, a, b, c *T, ldc int, alpha, beta T, mr, nr int)
	// Optional packers of one full panel (mr rows of A or nr columns of
	// B, kc steps of p) from an operand stored untransposed (packA, packB)
	// or transposed (packAT, packBT), with ld its leading dimension. Nil
	// means the portable Go loop.
	packA, packAT, packB, packBT func(dst, src *T, ld, kc int)
}

// Instruction-set levels, in order of preference.
const (
	levelGo = iota
	levelAVX2
	levelAVX512
)

var levelNames = [...]string{levelGo: "go", levelAVX2: "avx2", levelAVX512: "avx512"}

// kernelLevel is the level in use; set once at start-up from the CPU's
// features, and by tests that force a slower path.
var kernelLevel atomic.Int32

func init() { kernelLevel.Store(int32(bestLevel())) }

// Kernel names the micro-kernels in use: "avx512", "avx2" or "go".
func Kernel() string { return levelNames[kernelLevel.Load()] }

// setLevel makes the package use the kernels of level l, which must be
// supported by this CPU, and returns the previous level. Tests use it to
// check every path on one machine.
func setLevel(l int) (previous int) { return int(kernelLevel.Swap(int32(l))) }

// kernelsFor returns the kernel set of T at the current level for a
// product with n columns: narrow products get a narrower tile where the
// level has one.
func kernelsFor[T Float](n int) *kernelSet[T] {
	var z T
	l := int(kernelLevel.Load())
	if _, ok := any(z).(float32); ok {
		if ks := narrow32[l]; ks != nil && n <= ks.nr {
			return any(ks).(*kernelSet[T])
		}
		return any(kernels32[l]).(*kernelSet[T])
	}
	return any(kernels64[l]).(*kernelSet[T])
}

// Tile shape of the pure-Go kernel: eight accumulators and the six
// operands of a step fit the 15 vector registers that Go's amd64 ABI
// leaves free (a 4×4 tile spills every accumulator to the stack and runs
// at a quarter of the speed).
const (
	goMR = 2
	goNR = 4
)

var (
	goKernels32 = &kernelSet[float32]{name: "go", mr: goMR, nr: goNR, kc: 256, nc: 512, mcBytes: 2 << 20, tile: tileGo[float32]}
	goKernels64 = &kernelSet[float64]{name: "go", mr: goMR, nr: goNR, kc: 256, nc: 256, mcBytes: 2 << 20, tile: tileGo[float64]}
)

// tileGo is the portable micro-kernel. Like the assembly kernels it keeps
// the whole tile in registers (named accumulators rather than an array,
// which the compiler would keep in memory) and writes only the first
// mr×nr elements of C.
func tileGo[T Float](k int, a, b, c *T, ldc int, alpha, beta T, mr, nr int) {
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	for p := 0; p < k; p++ {
		// The panels hold k steps (the caller's contract), so the loads
		// go through unsafe pointers: bounds checks here halve the speed.
		av := (*[goMR]T)(unsafe.Pointer(at(a, p*goMR)))
		bv := (*[goNR]T)(unsafe.Pointer(at(b, p*goNR)))
		a0, a1 := av[0], av[1]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	acc := [goMR][goNR]T{
		{c00, c01, c02, c03},
		{c10, c11, c12, c13},
	}
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := 0; i < mr; i++ {
		row := cs[i*ldc : i*ldc+nr]
		if beta == 0 {
			for j := range row {
				row[j] = alpha * acc[i][j]
			}
			continue
		}
		for j := range row {
			row[j] = alpha*acc[i][j] + beta*row[j]
		}
	}
}
