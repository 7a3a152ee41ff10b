package ops

import (
	"fmt"
	"hash"
	"io"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/pkg/errors"
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
// tensor on every run; this op works plane by plane on both cores and takes
// its buffers from the Program's arena.
func MaxPool2d(x *G.Node, kernel, stride, pad [2]int, ceilMode bool) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, errors.Wrap(err, "MaxPool2d")
	}
	if stride == [2]int{} {
		stride = kernel
	}
	p, err := newPoolParams(x.Shape(), kernel, stride, pad, false, ceilMode)
	if err != nil {
		return nil, errors.Wrap(err, "ops.MaxPool2d")
	}
	return apply(fmt.Sprintf("ops.MaxPool2d of %v", x.Shape()), &maxPoolOp{poolParams: p}, x)
}

// maxPoolOp is the forward max pooling; maxPoolGradOp maps (x, dy) to dx,
// adding each output's gradient to its window's first maximum.
type maxPoolOp struct {
	pure
	poolParams
}

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
	return run(op, vs, 1, op.outShape(), maxPoolKernel[float64](op.poolParams), maxPoolKernel[float32](op.poolParams))
}
func (op *maxPoolOp) String() string        { return "ops.MaxPool2d{" + op.maxString() + "}" }
func (op *maxPoolOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *maxPoolOp) Hashcode() uint32      { return hashOf(op) }
func (op *maxPoolOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *maxPoolOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("ops: %v has 1 input, got %d", op, len(in))
	}
	dx, err := applyOp(&maxPoolGradOp{poolParams: op.poolParams}, in[0], grad)
	return G.Nodes{dx}, err
}

// maxString describes the parameters that matter to a max pool (padding
// never counts in a maximum).
func (p poolParams) maxString() string {
	return fmt.Sprintf("in=%v, kernel=%v, stride=%v, pad=%v, ceil=%t", p.in, p.kernel, p.stride, p.pad, p.ceil)
}

// maxPoolKernel computes the maxima directly rather than through
// forWindows: the builtin max is branch-free and, like PyTorch, returns NaN
// when either argument is NaN, so the value is that of the first maximum.
func maxPoolKernel[T Float](p poolParams) kernelFunc[T] {
	return func(in [][]T, y []T) error {
		x := in[0]
		if err := checkLen("input", len(x), p.in.TotalSize()); err != nil {
			return err
		}
		h0s, h1s := p.windows(0)
		w0s, w1s := p.windows(1)
		w, hw, ohw := p.in[3], p.in[2]*p.in[3], p.outH*p.outW
		return parallelItems(p.in[0]*p.in[1], hw, func(lo, hi int) {
			for plane := lo; plane < hi; plane++ {
				xs, ys := part(x, plane, hw), part(y, plane, ohw)
				for oh := 0; oh < p.outH; oh++ {
					h0, h1 := h0s[oh], h1s[oh]
					row := ys[oh*p.outW : (oh+1)*p.outW]
					for ow := range row {
						w0, w1 := w0s[ow], w1s[ow]
						best := T(math.Inf(-1))
						for i := h0; i < h1; i++ {
							for _, v := range xs[i*w+w0 : i*w+w1] {
								best = max(best, v)
							}
						}
						row[ow] = best
					}
				}
			}
		})
	}
}

// maxPoolGradOp is not differentiable itself.
type maxPoolGradOp struct {
	pure
	poolParams
}

func (op *maxPoolGradOp) Arity() int    { return 2 }
func (op *maxPoolGradOp) Type() hm.Type { return fnType(4, 4, 4) }
func (op *maxPoolGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 2, in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(op.in) || !s[1].Eq(op.outShape()) {
		return nil, errors.Errorf("ops: %v: inputs have shapes %v and %v, want %v and %v", op, s[0], s[1], op.in, op.outShape())
	}
	return op.in.Clone(), nil
}
func (op *maxPoolGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.in, maxPoolGradKernel[float64](op.poolParams), maxPoolGradKernel[float32](op.poolParams))
}
func (op *maxPoolGradOp) String() string        { return "ops.MaxPool2dGrad{" + op.maxString() + "}" }
func (op *maxPoolGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *maxPoolGradOp) Hashcode() uint32      { return hashOf(op) }

// maxPoolGradKernel finds each window's first maximum again (a NaN counts
// as the maximum, as in PyTorch) and adds the output's gradient there.
func maxPoolGradKernel[T Float](p poolParams) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		x, dy := in[0], in[1]
		if err := checkLen("input", len(x), p.in.TotalSize()); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), p.outShape().TotalSize()); err != nil {
			return err
		}
		h0s, h1s := p.windows(0)
		w0s, w1s := p.windows(1)
		w, hw, ohw := p.in[3], p.in[2]*p.in[3], p.outH*p.outW
		// dx arrives zeroed (run allocates it); overlapping windows add up.
		// Each plane is written by one goroutine only.
		return parallelItems(p.in[0]*p.in[1], hw, func(lo, hi int) {
			for plane := lo; plane < hi; plane++ {
				xs, dxs, dys := part(x, plane, hw), part(dx, plane, hw), part(dy, plane, ohw)
				for oh := 0; oh < p.outH; oh++ {
					h0, h1 := h0s[oh], h1s[oh]
					for ow := 0; ow < p.outW; ow++ {
						w0, w1 := w0s[ow], w1s[ow]
						arg, best := h0*w+w0, T(math.Inf(-1))
						for i := h0; i < h1; i++ {
							for j := i*w + w0; j < i*w+w1; j++ {
								if v := xs[j]; v > best || v != v {
									arg, best = j, v
								}
							}
						}
						dxs[arg] += dys[oh*p.outW+ow]
					}
				}
			}
		})
	}
}
