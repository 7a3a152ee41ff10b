package ops

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/pkg/errors"
)

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
	if _, err := floatDtype("x", x); err != nil {
		return nil, errors.Wrap(err, "ReLU6")
	}
	return apply(fmt.Sprintf("ops.ReLU6 of %v", x.Shape()), &relu6Op{shape: x.Shape().Clone()}, x)
}

// relu6Op is ReLU6; relu6GradOp maps (x, dy) to dy where 0 < x < 6 and to
// 0 elsewhere.
type relu6Op struct {
	pure
	shape tensor.Shape
}

var _ G.SDOp = (*relu6Op)(nil)

func (op *relu6Op) Arity() int    { return 1 }
func (op *relu6Op) Type() hm.Type { return fnType(op.shape.Dims(), op.shape.Dims()) }
func (op *relu6Op) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *relu6Op) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.shape, relu6Kernel[float64], relu6Kernel[float32])
}
func (op *relu6Op) String() string        { return fmt.Sprintf("ops.ReLU6{shape=%v}", op.shape) }
func (op *relu6Op) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *relu6Op) Hashcode() uint32      { return hashOf(op) }
func (op *relu6Op) DiffWRT(n int) []bool  { return []bool{true} }
func (op *relu6Op) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("ops: %v has 1 input, got %d", op, len(in))
	}
	dx, err := G.ApplyOp(&relu6GradOp{shape: op.shape}, in[0], grad)
	return G.Nodes{dx}, err
}

func relu6Kernel[T Float](in [][]T, y []T) error {
	x := in[0]
	if err := checkLen("input", len(x), len(y)); err != nil {
		return err
	}
	for i, v := range x {
		y[i] = min(max(v, 0), 6) // NaN stays NaN, as in PyTorch
	}
	return nil
}

// relu6GradOp is not differentiable itself.
type relu6GradOp struct {
	pure
	shape tensor.Shape
}

func (op *relu6GradOp) Arity() int { return 2 }
func (op *relu6GradOp) Type() hm.Type {
	return fnType(op.shape.Dims(), op.shape.Dims(), op.shape.Dims())
}
func (op *relu6GradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *relu6GradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.shape, relu6GradKernel[float64], relu6GradKernel[float32])
}
func (op *relu6GradOp) String() string        { return fmt.Sprintf("ops.ReLU6Grad{shape=%v}", op.shape) }
func (op *relu6GradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *relu6GradOp) Hashcode() uint32      { return hashOf(op) }

func relu6GradKernel[T Float](in [][]T, dx []T) error {
	x, dy := in[0], in[1]
	if err := checkLen("input", len(x), len(dx)); err != nil {
		return err
	}
	if err := checkLen("gradient", len(dy), len(dx)); err != nil {
		return err
	}
	for i, v := range x { // dx arrives zeroed (run allocates it)
		if v > 0 && v < 6 {
			dx[i] = dy[i]
		}
	}
	return nil
}
