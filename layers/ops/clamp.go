package ops

import (
	"fmt"
	"hash"
	"io"
	"math"
	"unsafe"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ReLU is torch.nn.functional.relu, max(x, 0), element-wise for any shape,
// with PyTorch's gradient: the upstream gradient where x > 0, zero
// elsewhere (also at 0).
//
// Gorgonia's Rectify computes the same values, but as a comparison op and a
// multiplication forward and more ops backward, each allocating a tensor of
// the activation's size; this is one op each way, and its buffers come from
// the Program's arena.
func ReLU(x *G.Node) (*G.Node, error) {
	return clamp("ReLU", x, math.Inf(1))
}

// ReLU6 is torch.nn.functional.relu6, min(max(x, 0), 6), element-wise for
// any shape: MobileNetV2's activation. Its gradient is PyTorch's, the
// upstream gradient where 0 < x < 6 and zero elsewhere, also exactly at
// the kinks 0 and 6.
//
// It is an own op rather than a composition of Gorgonia primitives:
// Rectify(x) − Rectify(x − 6) is inexact above 12 and returns 0 instead of 6
// once x − 6 rounds to x (from 2²⁷ in float32), and a minimum with 6 needs
// a constant tensor of 6s as large as the activation.
func ReLU6(x *G.Node) (*G.Node, error) {
	return clamp("ReLU6", x, 6)
}

// clamp adds min(max(x, 0), hi) to x's graph; hi may be +Inf.
func clamp(name string, x *G.Node, hi float64) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	op := &clampOp{clampParams: clampParams{name: name, shape: x.Shape().Clone(), hi: hi}}
	return apply(fmt.Sprintf("ops.%s of %v", name, x.Shape()), op, x)
}

// clampParams are shared by the op and its gradient.
type clampParams struct {
	name  string // ReLU or ReLU6, for messages
	shape tensor.Shape
	hi    float64
}

// clampOp is min(max(x, 0), hi); clampGradOp maps (x, dy) to dy where
// 0 < x < hi and to 0 elsewhere.
type clampOp struct {
	pure
	clampParams
}

var _ G.SDOp = (*clampOp)(nil)

func (op *clampOp) Arity() int    { return 1 }
func (op *clampOp) Type() hm.Type { return fnType(op.shape.Dims(), op.shape.Dims()) }
func (op *clampOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *clampOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.shape, clampKernel[float64](op.hi), clampKernel[float32](op.hi))
}
func (op *clampOp) String() string        { return fmt.Sprintf("ops.%s{shape=%v}", op.name, op.shape) }
func (op *clampOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *clampOp) Hashcode() uint32      { return hashOf(op) }
func (op *clampOp) writesAll() bool       { return true }
func (op *clampOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *clampOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: %v has 1 input, got %d", op, len(in))
	}
	dx, err := applyOp(&clampGradOp{clampParams: op.clampParams}, in[0], grad)
	return G.Nodes{dx}, err
}

func clampKernel[T Float](hi float64) kernelFunc[T] {
	h := T(hi)
	return func(in [][]T, y []T) error {
		x := in[0]
		if err := checkLen("input", len(x), len(y)); err != nil {
			return err
		}
		return parallelRange(len(y), func(lo, up int) {
			for i, v := range x[lo:up] {
				y[lo+i] = min(max(v, 0), h) // NaN stays NaN, as in PyTorch
			}
		})
	}
}

// clampGradOp is not differentiable itself.
type clampGradOp struct {
	pure
	clampParams
}

func (op *clampGradOp) Arity() int { return 2 }
func (op *clampGradOp) Type() hm.Type {
	return fnType(op.shape.Dims(), op.shape.Dims(), op.shape.Dims())
}
func (op *clampGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *clampGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.shape, clampGradKernel[float64](op.hi), clampGradKernel[float32](op.hi))
}
func (op *clampGradOp) String() string        { return fmt.Sprintf("ops.%sGrad{shape=%v}", op.name, op.shape) }
func (op *clampGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *clampGradOp) Hashcode() uint32      { return hashOf(op) }
func (op *clampGradOp) writesAll() bool       { return true }

func clampGradKernel[T Float](hi float64) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		x, dy := in[0], in[1]
		if err := checkLen("input", len(x), len(dx)); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), len(dx)); err != nil {
			return err
		}
		return parallelRange(len(dx), func(lo, up int) {
			var z T
			if unsafe.Sizeof(z) == 4 {
				passBits[T, uint32](x[lo:up], dy[lo:up], dx[lo:up], hi)
			} else {
				passBits[T, uint64](x[lo:up], dy[lo:up], dx[lo:up], hi)
			}
		})
	}
}

// passBits sets dx = dy where 0 < x < hi and +0 elsewhere (also where dy
// is NaN, as in PyTorch), by masking dy's bits: no branch on the data,
// whose sign is a coin toss for a branch predictor. U is the unsigned
// integer of T's size.
func passBits[T Float, U uint32 | uint64](x, dy, dx []T, hi float64) {
	h, bounded := T(hi), !math.IsInf(hi, 1)
	dyb := unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(dy))), len(dy))
	dxb := unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(dx))), len(dx))
	dyb, dxb = dyb[:len(x)], dxb[:len(x)]
	for i, v := range x {
		var keep U
		if v > 0 {
			keep = ^U(0)
		}
		if bounded && !(v < h) {
			keep = 0
		}
		dxb[i] = dyb[i] & keep
	}
}
