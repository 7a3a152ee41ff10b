package ops

import (
	"fmt"
	"math/bits"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"

	"github.com/tanren-ml/tanren/internal/arena"
	"github.com/tanren-ml/tanren/internal/fastblas"
)

// The convolution kernels work on row-major NCHW data one image at a time.
// Image n's columns are a (K, P) matrix, K = C·kh·kw rows (channel, tap i,
// tap j) and P = oh·ow columns (output positions): row (c, i, j) column
// (oy, ox) holds x[n, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw], or 0 in the
// padding. Then
//
//	y[n]  = w (O, K) · cols[n]              (NCHW, no transpose)
//	dx[n] = col2im(wᵀ (K, O) · dy[n])
//	dw    = Σ_n dy[n] (O, P) · cols[n]ᵀ
//
// For a 1×1 kernel with stride 1 and no padding cols[n] is x[n] itself.

// convLoop is what the kernels need of a geometry, computed once per run.
type convLoop struct {
	c, h, w, o                     int // channels, height, width, filters
	kh, kw, sh, sw, ph, pw, dh, dw int
	oh, ow                         int
	k, p, hw                       int        // C·kh·kw, oh·ow, H·W
	direct                         bool       // cols[n] = x[n]
	rows, cols                     []tapRange // per kernel tap, see tapOutputs
}

func (g convGeom) loop() convLoop {
	l := convLoop{
		c: g.in[1], h: g.in[2], w: g.in[3], o: g.outC,
		kh: g.kernel[0], kw: g.kernel[1], sh: g.stride[0], sw: g.stride[1],
		ph: g.pad[0], pw: g.pad[1], dh: g.dilation[0], dw: g.dilation[1],
		oh: g.out[0], ow: g.out[1],
	}
	l.k, l.p, l.hw = l.c*l.kh*l.kw, l.oh*l.ow, l.h*l.w
	l.direct = g.direct()
	l.rows = tapOutputs(l.h, l.kh, l.sh, l.ph, l.dh, l.oh)
	l.cols = tapOutputs(l.w, l.kw, l.sw, l.pw, l.dw, l.ow)
	return l
}

// direct reports whether image n's columns are x[n] itself: a 1×1 kernel
// with stride 1 and no padding.
func (g convGeom) direct() bool {
	return g.kernel == [2]int{1, 1} && g.stride == [2]int{1, 1} && g.pad == [2]int{}
}

// tapOutputs returns, for each of the k taps of a kernel along an axis of
// n inputs (stride s, padding pad, dilation dil, out outputs), the input
// index of output 0's tap (start; output o reads o·s + start) and the
// outputs [lo, hi) whose tap falls inside the input.
func tapOutputs(n, k, s, pad, dil, out int) []tapRange {
	taps := make([]tapRange, k)
	for j := range taps {
		start := j*dil - pad
		lo, hi := 0, 0
		if start < 0 {
			lo = (-start + s - 1) / s
		}
		if last := n - 1 - start; last >= 0 {
			hi = last/s + 1
		}
		lo, hi = min(lo, out), min(hi, out)
		taps[j] = tapRange{start: start, lo: lo, hi: max(lo, hi)}
	}
	return taps
}

// im2col writes the columns of one image x (C, H, W) into cols (K, P),
// whose rows are ld ≥ P elements apart (more than P when several images'
// columns lie side by side).
func im2col[T Float](l *convLoop, x, cols []T, ld int) {
	ow, row := l.ow, 0
	for c := 0; c < l.c; c++ {
		plane := x[c*l.hw : (c+1)*l.hw]
		for i := 0; i < l.kh; i++ {
			// output rows [y0, y1) read input rows oy·sh + rs, inside the image
			y0, y1, rs := l.rows[i].lo, l.rows[i].hi, l.rows[i].start
			for j := 0; j < l.kw; j++ {
				dst := cols[row*ld : row*ld+l.p]
				row++
				r := l.cols[j]
				clear(dst[:y0*ow])
				clear(dst[y1*ow:])
				switch {
				case y0 == y1:
				case r.lo == r.hi:
					clear(dst[y0*ow : y1*ow])
				case l.sw == 1 && l.sh == 1 && ow == l.w && r.start == 0:
					// the rows are contiguous on both sides: one copy
					copy(dst[y0*ow:y1*ow], plane[(y0+rs)*l.w:(y1+rs)*l.w])
				default:
					// the struct's fields in locals, the offsets kept
					// running: this loop runs once per output row and tap
					lo, hi, sw, step := r.lo, r.hi, l.sw, l.sh*l.w
					in := (y0*l.sh+rs)*l.w + r.start // input of output (oy, 0)
					for oy := y0; oy < y1; oy, in = oy+1, in+step {
						d := dst[oy*ow : oy*ow+ow]
						clear(d[:lo])
						clear(d[hi:])
						if sw == 1 {
							copy(d[lo:hi], plane[in+lo:in+hi])
							continue
						}
						for ox := lo; ox < hi; ox++ {
							d[ox] = plane[in+ox*sw]
						}
					}
				}
			}
		}
	}
}

// col2im adds the columns cols (K, P) into one image dx (C, H, W): the
// adjoint of im2col.
func col2im[T Float](l *convLoop, cols, dx []T) {
	ow, row := l.ow, 0
	for c := 0; c < l.c; c++ {
		plane := dx[c*l.hw : (c+1)*l.hw]
		for i := 0; i < l.kh; i++ {
			y0, y1, rs := l.rows[i].lo, l.rows[i].hi, l.rows[i].start
			for j := 0; j < l.kw; j++ {
				src := cols[row*l.p : (row+1)*l.p]
				row++
				r := l.cols[j]
				if y0 == y1 || r.lo == r.hi {
					continue
				}
				if l.sw == 1 && l.sh == 1 && ow == l.w && r.start == 0 {
					// contiguous rows on both sides: one loop
					addTo(plane[(y0+rs)*l.w:(y1+rs)*l.w], src[y0*ow:y1*ow])
					continue
				}
				lo, hi, sw, step := r.lo, r.hi, l.sw, l.sh*l.w
				out := (y0*l.sh+rs)*l.w + r.start // input of output (oy, 0)
				for oy := y0; oy < y1; oy, out = oy+1, out+step {
					s := src[oy*ow+lo : oy*ow+hi]
					if sw == 1 {
						addTo(plane[out+lo:out+hi], s)
						continue
					}
					for k, v := range s {
						plane[out+(lo+k)*sw] += v
					}
				}
			}
		}
	}
}

// addTo adds s into d, element by element; len(d) = len(s).
func addTo[T Float](d, s []T) {
	d = d[:len(s)] // lets the compiler drop the bounds checks
	for k := range s {
		d[k] += s[k]
	}
}

// colPools keep scratch buffers (columns, side-by-side gradients) between
// runs: a training step needs the same buffers every time, and allocating
// them is a large part of a small network's step. There is one pool per
// element type and power-of-two size class, so that the many sizes of one
// network's layers do not evict each other's buffers.
var colPools sync.Map // colClass → *sync.Pool

type colClass struct {
	float32 bool // else float64
	bits    int  // capacity 1 << bits
}

func colPoolFor[T Float](n int) (*sync.Pool, int) {
	var zero T
	_, f32 := any(zero).(float32)
	c := colClass{float32: f32, bits: bits.Len(uint(max(n, 1) - 1))}
	p, ok := colPools.Load(c)
	if !ok {
		p, _ = colPools.LoadOrStore(c, new(sync.Pool))
	}
	return p.(*sync.Pool), 1 << c.bits
}

func getCols[T Float](n int) *[]T {
	pool, size := colPoolFor[T](n)
	if b, ok := pool.Get().(*[]T); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]T, n, size)
	return &b
}

func putCols[T Float](b *[]T) {
	pool, _ := colPoolFor[T](cap(*b))
	pool.Put(b)
}

// colBudget is the most column elements (K·P per image) a core keeps for
// the images that share one packing of the filters: enough for the deep
// layers' small images, while a large image gets one GEMM of its own. A
// variable so that tests can force small groups.
var colBudget = 1 << 21

// chunksFor is how many parts forChunks splits n images into: one per
// core, so that each part needs one column buffer.
func chunksFor(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }

// forChunks splits the images [0, n) into the given number of contiguous
// chunks and runs fn on each in parallel; fn gets the chunk's index.
func forChunks(n, chunks int, fn func(chunk, lo, hi int) error) error {
	errs := make([]error, chunks)
	if err := parallelFor(chunks, func(c int) {
		errs[c] = fn(c, c*n/chunks, (c+1)*n/chunks)
	}); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// conv2dKernel runs the op's pass, spread over the images.
func conv2dKernel[T Float](op *conv2dOp) kernelFunc[T] {
	return func(in [][]T, out []T) error {
		a, b, o := op.signature()
		for _, c := range []struct {
			what      string
			got, want int
		}{{"input 0", len(in[0]), a.TotalSize()}, {"input 1", len(in[1]), b.TotalSize()}, {"output", len(out), o.TotalSize()}} {
			if err := checkLen(c.what, c.got, c.want); err != nil {
				return err
			}
		}
		if op.bias {
			if err := checkLen("bias", len(in[2]), op.outC); err != nil {
				return err
			}
		}
		l, n := op.loop(), op.in[0]
		xSize, ySize := l.c*l.hw, l.o*l.p
		// cols returns image i's columns, in buf unless they are x[i].
		cols := func(x []T, i int, buf []T) []T {
			if l.direct {
				return part(x, i, xSize)
			}
			im2col(&l, part(x, i, xSize), buf, l.p)
			return buf
		}
		// withBufs runs fn with column buffers for up to want images at
		// once (nil buffers for a direct convolution, whose columns are the
		// images), as many as fit in colBudget.
		withBufs := func(want int, fn func(bufs [][]T) error) error {
			if l.direct {
				return fn(make([][]T, want))
			}
			bufs := make([][]T, max(1, min(want, colBudget/(l.k*l.p))))
			b := getCols[T](len(bufs) * l.k * l.p)
			defer putCols(b)
			for j := range bufs {
				bufs[j] = part(*b, j, l.k*l.p)
			}
			return fn(bufs)
		}
		withBuf := func(fn func(buf []T) error) error {
			return withBufs(1, func(bufs [][]T) error { return fn(bufs[0]) })
		}
		// groups runs fn over the images [lo, hi) in groups of up to
		// len(bufs) images, which share the packing of the filters.
		groups := func(lo, hi int, bufs [][]T, fn func(i int, bufs [][]T) error) error {
			for i := lo; i < hi; i += len(bufs) {
				if err := fn(i, bufs[:min(len(bufs), hi-i)]); err != nil {
					return err
				}
			}
			return nil
		}
		switch op.pass {
		case passGradX: // (w, dy) → dx; out is zero, as run allocates it
			w, dy := in[0], in[1]
			return forChunks(n, chunksFor(n), func(_, lo, hi int) error {
				return withBufs(hi-lo, func(bufs [][]T) error {
					return groups(lo, hi, bufs, func(i int, bufs [][]T) error {
						dys, dcols := make([][]T, len(bufs)), make([][]T, len(bufs))
						for j := range bufs {
							dys[j], dcols[j] = part(dy, i+j, ySize), bufs[j]
							if l.direct {
								dcols[j] = part(out, i+j, xSize)
							}
						}
						if err := fastblas.GemmSharedA(blas.Trans, blas.NoTrans, l.k, l.p, l.o, 1, w, l.k, dys, l.p, 0, dcols, l.p); err != nil {
							return err
						}
						if !l.direct {
							for j, c := range dcols {
								col2im(&l, c, part(out, i+j, xSize))
							}
						}
						return nil
					})
				})
			})
		case passGradW: // (x, dy) → dw = Σ over the images, one sum per chunk
			x, dy := in[0], in[1]
			chunks := chunksFor(n)
			partial := make([][]T, chunks)
			partial[0] = out
			for c := 1; c < chunks; c++ {
				partial[c] = arena.Get[T](op.arena, len(out))
			}
			if err := forChunks(n, chunks, func(chunk, lo, hi int) error {
				g := min(hi-lo, l.gradWGroup())
				if g > 1 {
					return gradWGroups(&l, x, dy, lo, hi, g, partial[chunk])
				}
				return withBuf(func(buf []T) error {
					for i := lo; i < hi; i++ {
						if err := fastblas.Gemm(blas.NoTrans, blas.Trans, l.o, l.k, l.p, 1, part(dy, i, ySize), l.p, cols(x, i, buf), l.p, 1, partial[chunk], l.k); err != nil {
							return err
						}
					}
					return nil
				})
			}); err != nil {
				return err
			}
			for _, p := range partial[1:] {
				for k, v := range p {
					out[k] += v
				}
			}
			return nil
		case passForward: // (x, w[, b]) → y
			x, w := in[0], in[1]
			return forChunks(n, chunksFor(n), func(_, lo, hi int) error {
				return withBufs(hi-lo, func(bufs [][]T) error {
					return groups(lo, hi, bufs, func(i int, bufs [][]T) error {
						xs, ys, beta := make([][]T, len(bufs)), make([][]T, len(bufs)), T(0)
						for j := range bufs {
							xs[j], ys[j] = cols(x, i+j, bufs[j]), part(out, i+j, ySize)
							if op.bias { // the GEMM adds to the bias
								for o, v := range in[2] {
									fillSlice(part(ys[j], o, l.p), v)
								}
								beta = 1
							}
						}
						return fastblas.GemmSharedA(blas.NoTrans, blas.NoTrans, l.o, l.p, l.k, 1, w, l.k, xs, l.p, beta, ys, l.p)
					})
				})
			})
		}
		return fmt.Errorf("unknown pass %d", op.pass)
	}
}

// gradWColumns is the width below which the weight gradient multiplies
// the columns of several images at once: dw = Σ_n dy[n]·cols[n]ᵀ is a
// product with only P terms per image, so with few output positions each
// image's GEMM reads and writes all of dw for little work. Side by side,
// g images make one product with g·P terms.
const gradWColumns = 256

// gradWGroup is how many images one weight-gradient GEMM covers.
func (l *convLoop) gradWGroup() int {
	if l.p >= gradWColumns/2 {
		return 1
	}
	return (gradWColumns + l.p - 1) / l.p
}

// gradWGroups adds Σ dy[n]·cols[n]ᵀ over the images [lo, hi) into dw, g
// images per GEMM: their gradients (O, g·P) and columns (K, g·P) side by
// side.
func gradWGroups[T Float](l *convLoop, x, dy []T, lo, hi, g int, dw []T) error {
	gp := g * l.p
	cb, db := getCols[T](l.k*gp), getCols[T](l.o*gp)
	defer putCols(cb)
	defer putCols(db)
	cols, dys := *cb, *db
	xSize, ySize := l.c*l.hw, l.o*l.p
	for i := lo; i < hi; i += g {
		m := min(g, hi-i)
		w := m * l.p // columns of this group, rows gp apart
		for j := 0; j < m; j++ {
			sideBySide(part(dy, i+j, ySize), l.o, l.p, dys[j*l.p:], gp)
			if l.direct {
				sideBySide(part(x, i+j, xSize), l.k, l.p, cols[j*l.p:], gp)
			} else {
				im2col(l, part(x, i+j, xSize), cols[j*l.p:], gp)
			}
		}
		if err := fastblas.Gemm(blas.NoTrans, blas.Trans, l.o, l.k, w, 1, dys, gp, cols, gp, 1, dw, l.k); err != nil {
			return err
		}
	}
	return nil
}

// sideBySide copies the rows×p matrix src into dst, rows ld apart.
func sideBySide[T Float](src []T, rows, p int, dst []T, ld int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ld:r*ld+p], src[r*p:(r+1)*p])
	}
}

func fillSlice[T Float](s []T, v T) {
	for i := range s {
		s[i] = v
	}
}
