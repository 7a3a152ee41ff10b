package fastblas

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// parallelMinFlops is the smallest product (2·m·n·k) worth splitting
// between goroutines: below it, waking a second goroutine costs more than
// it saves.
var parallelMinFlops = 2 * 96 * 96 * 96

// gemm computes C = alpha·op(A)·op(B) + beta·C with the kernel set ks. The
// arguments must have been checked.
func gemm[T Float](ks *kernelSet[T], tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc)
		return
	}
	threads := Threads()
	parts := partition(m, n, k, ks.mr, ks.nr, threads)
	job := gemmJob[T]{ks: ks, tA: tA, tB: tB, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	if len(parts) == 1 {
		job.run(parts[0])
		return
	}
	// The goroutines take parts from a shared counter rather than one
	// fixed share each: on a machine shared with other processes, a
	// goroutine whose core is busy takes fewer parts instead of holding
	// everyone up.
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= len(parts) {
				return
			}
			job.run(parts[i])
		}
	}
	var wg sync.WaitGroup
	for range min(threads, len(parts)) - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// scaleC sets C = beta·C without reading C when beta is zero, as BLAS
// does, so that NaNs in an uninitialized C do not survive.
func scaleC[T Float](m, n int, beta T, c []T, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// part is a block of C, rows [i0, i1) and columns [j0, j1), computed by
// one goroutine.
type part struct{ i0, i1, j0, j1 int }

// partsPerThread is how many parts a product is split into per goroutine,
// so that the goroutines can balance their loads. Each part packs its own
// panels of the operand it shares with others (all of B when the rows are
// split), so more parts cost more packing.
const partsPerThread = 2

// partition splits C into blocks of whole register tiles for threads
// goroutines: a grid pm×pn of about partsPerThread·threads blocks, chosen
// to minimize the largest block. A product too small to be worth a
// goroutine is a single part.
func partition(m, n, k, mr, nr, threads int) []part {
	tm, tn := ceilDiv(m, mr), ceilDiv(n, nr)
	if threads <= 1 || 2*m*n*k < parallelMinFlops || tm*tn < 2 {
		return []part{{0, m, 0, n}}
	}
	pieces := min(threads*partsPerThread, tm*tn)
	bestPM, bestPN, bestCost := 1, 1, -1
	for t := pieces; t >= 2 && bestCost < 0; t-- {
		for pm := 1; pm <= t; pm++ {
			if t%pm != 0 {
				continue
			}
			pn := t / pm
			if pm > tm || pn > tn {
				continue
			}
			// Work of the largest block, in tiles; ties go to splitting
			// rows, whose parts then share a packed B of the same shape.
			cost := ceilDiv(tm, pm) * ceilDiv(tn, pn)
			if bestCost < 0 || cost < bestCost {
				bestPM, bestPN, bestCost = pm, pn, cost
			}
		}
	}
	parts := make([]part, 0, bestPM*bestPN)
	for x := 0; x < bestPM; x++ {
		i0, i1 := min(tm*x/bestPM*mr, m), min(tm*(x+1)/bestPM*mr, m)
		for y := 0; y < bestPN; y++ {
			j0, j1 := min(tn*y/bestPN*nr, n), min(tn*(y+1)/bestPN*nr, n)
			if i0 < i1 && j0 < j1 {
				parts = append(parts, part{i0, i1, j0, j1})
			}
		}
	}
	return parts
}

// gemmJob holds the arguments of one GEMM for its goroutines.
type gemmJob[T Float] struct {
	ks     *kernelSet[T]
	tA, tB bool
	k      int
	alpha  T
	a      []T
	lda    int
	b      []T
	ldb    int
	beta   T
	c      []T
	ldc    int
}

// run computes the block p of C: the GotoBLAS loop nest over packed
// panels, with buffers private to the goroutine. For each k block, a block
// of up to mc rows of A is packed once and kept in L3 while every block of
// nc columns of B is packed (into L2) and multiplied by it, one mr×kc
// micro-panel of A (in L1) at a time. It is runSharedA with one pair.
func (g *gemmJob[T]) run(p part) {
	bs, cs := [1][]T{g.b}, [1][]T{g.c}
	g.runSharedA(p, bs[:], cs[:])
}

func sizeOf[T Float]() uintptr {
	var z T
	return unsafe.Sizeof(z)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// Packing buffers are reused between calls: Gorgonia calls GEMM thousands
// of times a second with the same sizes.
var (
	pool32 sync.Pool
	pool64 sync.Pool
)

func poolFor[T Float]() *sync.Pool {
	var z T
	if _, ok := any(z).(float32); ok {
		return &pool32
	}
	return &pool64
}

func getBuffer[T Float](n int) *[]T {
	if v := poolFor[T]().Get(); v != nil {
		b := v.(*[]T)
		if cap(*b) >= n {
			*b = (*b)[:n]
			return b
		}
	}
	b := make([]T, n)
	return &b
}

func putBuffer[T Float](b *[]T) { poolFor[T]().Put(b) }
