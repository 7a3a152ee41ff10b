package zoo

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// ReLU6 is torch.nn.ReLU6, min(max(x, 0), 6), the activation of
// MobileNetV2. Its gradient is PyTorch's: the upstream gradient where
// 0 < x < 6, zero elsewhere (also at exactly 0 and 6).
//
// It is one element-wise op rather than a composition of Gorgonia
// primitives: relu(x) − relu(x − 6) is inexact above 12 in floating point
// and returns 0 instead of 6 once x − 6 rounds to x (2²⁷ in float32), and
// MinBetween needs a constant tensor of 6s as large as the activation.
type ReLU6 struct{}

var _ graph.Layer = ReLU6{}

// Forward implements graph.Layer.
func (ReLU6) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return nil, errors.Errorf("ReLU6 needs float32 or float64 input, got %v", dt)
	}
	return G.ApplyOp(&relu6Op{shape: x.Shape().Clone()}, x)
}

// relu6Op maps x to min(max(x, 0), 6).
type relu6Op struct{ shape tensor.Shape }

// relu6GradOp maps (x, dy) to dy where 0 < x < 6 and 0 elsewhere.
type relu6GradOp struct{ shape tensor.Shape }

var (
	_ G.SDOp = (*relu6Op)(nil)
	_ G.Op   = (*relu6GradOp)(nil)
)

func (op *relu6Op) Arity() int     { return 1 }
func (op *relu6GradOp) Arity() int { return 2 }

func (op *relu6Op) Type() hm.Type {
	t := elemType(op.shape)
	return hm.NewFnType(t, t)
}

func (op *relu6GradOp) Type() hm.Type {
	t := elemType(op.shape)
	return hm.NewFnType(t, t, t)
}

func (op *relu6Op) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return elemShape(op, op.shape, 1, in)
}

func (op *relu6GradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return elemShape(op, op.shape, 2, in)
}

func (op *relu6Op) Do(vs ...G.Value) (G.Value, error) {
	return elemDo(op, op.shape, vs, relu6Kernel[float32], relu6Kernel[float64])
}

func (op *relu6GradOp) Do(vs ...G.Value) (G.Value, error) {
	return elemDo(op, op.shape, vs, relu6GradKernel[float32], relu6GradKernel[float64])
}

func relu6Kernel[T float32 | float64](in [][]T, out []T) {
	for i, v := range in[0] {
		out[i] = min(max(v, 0), 6)
	}
}

func relu6GradKernel[T float32 | float64](in [][]T, out []T) {
	x, dy := in[0], in[1]
	for i, v := range x {
		if v > 0 && v < 6 {
			out[i] = dy[i]
		} else {
			out[i] = 0
		}
	}
}

func (op *relu6Op) SymDiff(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, errors.Errorf("%v has 1 input, got %d", op, len(in))
	}
	dx, err := G.ApplyOp(&relu6GradOp{shape: op.shape}, in[0], grad)
	return G.Nodes{dx}, err
}

func (op *relu6Op) DiffWRT(int) []bool { return []bool{true} }

func (*relu6Op) ReturnsPtr() bool         { return false }
func (*relu6Op) CallsExtern() bool        { return false }
func (*relu6Op) OverwritesInput() int     { return -1 }
func (*relu6GradOp) ReturnsPtr() bool     { return false }
func (*relu6GradOp) CallsExtern() bool    { return false }
func (*relu6GradOp) OverwritesInput() int { return -1 }

func (op *relu6Op) String() string     { return fmt.Sprintf("zoo.ReLU6{%v}", op.shape) }
func (op *relu6GradOp) String() string { return fmt.Sprintf("zoo.ReLU6Grad{%v}", op.shape) }

func (op *relu6Op) WriteHash(h hash.Hash)     { _, _ = io.WriteString(h, op.String()) }
func (op *relu6GradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *relu6Op) Hashcode() uint32          { return hashString(op.String()) }
func (op *relu6GradOp) Hashcode() uint32      { return hashString(op.String()) }
