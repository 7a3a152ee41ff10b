package ops

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/internal/arena"
)

// MaxPool2d takes the maximum of x of shape (N, C, H, W) over kernel
// windows, with torch.nn.MaxPool2d's semantics (dilation 1): stride (zero
// means stride = kernel, PyTorch's default), symmetric padding pad with −∞
// (at most half the kernel) and ceilMode (output sizes round up, but a
// window never starts in the bottom or right padding). The gradient goes to
// the first maximum of each window in row-major order, as in PyTorch; a NaN
// in a window is its maximum.
//
// Gorgonia's MaxPool2D is correct but panics on a nil pad, sends a
// 4-element pad to the wrong side and allocates its result and an index
// tensor on every run; this op works plane by plane on both cores, takes
// its buffers from the Program's arena, and records the maxima's positions
// only in a graph that differentiates it.
func MaxPool2d(x *G.Node, kernel, stride, pad [2]int, ceilMode bool) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("MaxPool2d: %w", err)
	}
	if stride == [2]int{} {
		stride = kernel
	}
	p, err := newPoolParams(x.Shape(), kernel, stride, pad, false, ceilMode)
	if err != nil {
		return nil, fmt.Errorf("ops.MaxPool2d: %w", err)
	}
	return apply(fmt.Sprintf("ops.MaxPool2d of %v", x.Shape()), &maxPoolOp{poolParams: p}, x)
}

// maxPoolOp is the forward max pooling. Once differentiated (SymDiff), it
// also records where each window's maximum is, in arg, which its gradient
// op reads in the same run: the backward pass is then one scatter instead
// of a second search of every window.
type maxPoolOp struct {
	pure
	poolParams
	arg *argmax // nil until SymDiff
}

// argmax holds, for each output of the last run, the index of its window's
// first maximum within the input plane.
type argmax struct{ idx []int32 }

var _ G.SDOp = (*maxPoolOp)(nil)

func (op *maxPoolOp) Arity() int    { return 1 }
func (op *maxPoolOp) Type() hm.Type { return fnType(4, 4) }
func (op *maxPoolOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if _, err := sameShape(op, op.in, in...); err != nil {
		return nil, err
	}
	return op.outShape(), nil
}
func (op *maxPoolOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.outShape(), maxPoolKernel[float64](op), maxPoolKernel[float32](op))
}
func (op *maxPoolOp) String() string        { return "ops.MaxPool2d{" + op.maxString() + "}" }
func (op *maxPoolOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *maxPoolOp) Hashcode() uint32      { return hashOf(op) }
func (op *maxPoolOp) writesAll() bool       { return true }
func (op *maxPoolOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *maxPoolOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: %v has 1 input, got %d", op, len(in))
	}
	if op.arg == nil {
		op.arg = new(argmax)
	}
	// out as an input orders the gradient after the forward pass, which
	// fills arg.
	dx, err := applyOp(&maxPoolGradOp{poolParams: op.poolParams, arg: op.arg}, out, grad)
	return G.Nodes{dx}, err
}

// maxString describes the parameters that matter to a max pool (padding
// never counts in a maximum).
func (p poolParams) maxString() string {
	return fmt.Sprintf("in=%v, kernel=%v, stride=%v, pad=%v, ceil=%t", p.in, p.kernel, p.stride, p.pad, p.ceil)
}

// maxPoolKernel goes through each output row tap by tap, each tap
// updating the whole row: the updates of one tap are independent, unlike
// a search window by window. Taps go in row-major order and a maximum is
// replaced only by a larger value or a NaN, so the recorded position is
// PyTorch's: the first maximum, or the last NaN. Without arg, the builtin
// max (which returns NaN if either argument is NaN) gives the same values.
func maxPoolKernel[T Float](op *maxPoolOp) kernelFunc[T] {
	p := op.poolParams
	return func(in [][]T, y []T) error {
		x := in[0]
		if err := checkLen("input", len(x), p.in.TotalSize()); err != nil {
			return err
		}
		var arg []int32
		if op.arg != nil {
			arg = arena.Get[int32](op.arena, len(y))
			op.arg.idx = arg
		}
		h, w, sh, sw, ph := p.in[2], p.in[3], p.stride[0], p.stride[1], p.pad[0]
		cols := tapOutputs(w, p.kernel[1], sw, p.pad[1], 1, p.outW)
		h0s, _ := p.windows(0)
		w0s, _ := p.windows(1)
		hw, ohw := h*w, p.outH*p.outW
		unpadded := p.pad == [2]int{}
		return parallelItems(p.in[0]*p.in[1], hw, func(lo, hi int) {
			for plane := lo; plane < hi; plane++ {
				xs, ys := part(x, plane, hw), part(y, plane, ohw)
				for oh := 0; oh < p.outH; oh++ {
					best := ys[oh*p.outW : (oh+1)*p.outW]
					var idx []int32
					if arg != nil {
						idx = part(arg, plane*p.outH+oh, p.outW)
					}
					if unpadded {
						// every window's first element is inside the input
						// and starts the search: tap (0, 0) is done
						first := oh * sh * w
						for ow := range best {
							best[ow] = xs[first+ow*sw]
						}
						for ow := range idx {
							idx[ow] = int32(first + ow*sw)
						}
					} else {
						fillSlice(best, T(math.Inf(-1)))
						// PyTorch's position for a window of −∞ only: its
						// first element inside the input
						for ow := range idx {
							idx[ow] = int32(h0s[oh]*w + w0s[ow])
						}
					}
					for i := 0; i < p.kernel[0]; i++ {
						iy := oh*sh - ph + i
						if iy < 0 || iy >= h {
							continue
						}
						src := xs[iy*w : (iy+1)*w]
						for j, c := range cols {
							if c.lo == c.hi || unpadded && i == 0 && j == 0 {
								continue
							}
							if idx == nil {
								maxTap(best[c.lo:c.hi], src, c.lo*sw+c.start, sw)
							} else {
								argmaxTap(best[c.lo:c.hi], idx[c.lo:c.hi], src, c.lo*sw+c.start, sw, iy*w)
							}
						}
					}
					for ow, a := range idx {
						best[ow] = xs[a]
					}
				}
			}
		})
	}
}

// maxTap updates best[o] with src[first + o·stride].
func maxTap[T Float](best, src []T, first, stride int) {
	for o := range best {
		best[o] = max(best[o], src[first+o*stride])
	}
}

// argmaxTap is maxTap recording the index (base + position in src) of
// each new maximum: a larger value, or a NaN, as in PyTorch. It is written
// without branches on the data: on random data whether a tap beats the
// maximum so far is a coin toss, which a branch predictor loses. (best is
// only compared with; the caller reads the values at the recorded indices,
// so a −0 and +0 tie gives PyTorch's zero too.)
func argmaxTap[T Float](best []T, idx []int32, src []T, first, stride, base int) {
	idx = idx[:len(best)]
	for o := range best {
		j := first + o*stride
		v, b := src[j], best[o]
		var take int32
		if v > b {
			take = -1
		}
		if v != v {
			take = -1
		}
		idx[o] = int32(base+j)&take | idx[o]&^take
		best[o] = max(b, v)
	}
}

// maxPoolGradOp maps (y, dy) to dx, adding each output's gradient at its
// window's first maximum, recorded by the forward op in arg. y is not read.
type maxPoolGradOp struct {
	pure
	poolParams
	arg *argmax
}

func (op *maxPoolGradOp) Arity() int    { return 2 }
func (op *maxPoolGradOp) Type() hm.Type { return fnType(4, 4, 4) }
func (op *maxPoolGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 2, in)
	if err != nil {
		return nil, err
	}
	if out := op.outShape(); !s[0].Eq(out) || !s[1].Eq(out) {
		return nil, fmt.Errorf("ops: %v: inputs have shapes %v and %v, want %v for both", op, s[0], s[1], out)
	}
	return op.in.Clone(), nil
}
func (op *maxPoolGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.in, maxPoolGradKernel[float64](op), maxPoolGradKernel[float32](op))
}
func (op *maxPoolGradOp) String() string        { return "ops.MaxPool2dGrad{" + op.maxString() + "}" }
func (op *maxPoolGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *maxPoolGradOp) Hashcode() uint32      { return hashOf(op) }

func maxPoolGradKernel[T Float](op *maxPoolGradOp) kernelFunc[T] {
	p := op.poolParams
	return func(in [][]T, dx []T) error {
		y, dy := in[0], in[1]
		if err := checkLen("output", len(y), p.outShape().TotalSize()); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), len(y)); err != nil {
			return err
		}
		if op.arg == nil || len(op.arg.idx) != len(dy) {
			return errors.New("the forward max pooling has not run: no positions of the maxima")
		}
		arg, hw, ohw := op.arg.idx, p.in[2]*p.in[3], p.outH*p.outW
		// dx arrives zeroed (run allocates it); overlapping windows add up.
		// Each plane is written by one goroutine only.
		return parallelItems(p.in[0]*p.in[1], hw, func(lo, hi int) {
			for plane := lo; plane < hi; plane++ {
				dxs, dys := part(dx, plane, hw), part(dy, plane, ohw)
				for o, a := range part(arg, plane, ohw) {
					dxs[a] += dys[o]
				}
			}
		})
	}
}
