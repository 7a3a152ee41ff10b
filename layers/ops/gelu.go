package ops

import (
	"fmt"
	"hash"
	"io"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// GELU is the exact Gaussian error linear unit x·Φ(x) = x·(1 + erf(x/√2))/2,
// PyTorch's default (approximate="none"), element-wise for any shape.
func GELU(x *G.Node) (*G.Node, error) { return gelu("GELU", x, false) }

// GELUTanh is the tanh approximation of GELU, PyTorch's approximate="tanh":
// x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2.
func GELUTanh(x *G.Node) (*G.Node, error) { return gelu("GELUTanh", x, true) }

func gelu(name string, x *G.Node, approx bool) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return apply(fmt.Sprintf("ops.%s of %v", name, x.Shape()), &geluOp{shape: x.Shape(), approx: approx}, x)
}

const (
	sqrt2OverPi = 0.7978845608028654 // √(2/π)
	geluKappa   = 0.044715
	invSqrt2Pi  = 0.3989422804014327 // 1/√(2π)
)

// geluValue returns GELU(x) and its derivative.
func geluValue(x float64, approx bool) (y, dy float64) {
	if approx {
		inner := sqrt2OverPi * (x + geluKappa*x*x*x)
		th := math.Tanh(inner)
		y = 0.5 * x * (1 + th)
		dy = 0.5*(1+th) + 0.5*x*(1-th*th)*sqrt2OverPi*(1+3*geluKappa*x*x)
		return y, dy
	}
	cdf := 0.5 * (1 + math.Erf(x/math.Sqrt2))
	return x * cdf, cdf + x*invSqrt2Pi*math.Exp(-0.5*x*x)
}

// geluOp is GELU; geluGradOp maps (x, dy) to dy·GELU'(x).
type geluOp struct {
	pure
	shape  tensor.Shape
	approx bool
}

var _ G.SDOp = (*geluOp)(nil)

func (op *geluOp) Arity() int    { return 1 }
func (op *geluOp) Type() hm.Type { return fnType(op.shape.Dims(), op.shape.Dims()) }
func (op *geluOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *geluOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.shape, geluKernel[float64](op.approx), geluKernel[float32](op.approx))
}
func (op *geluOp) String() string {
	return fmt.Sprintf("ops.GELU{shape=%v, tanh=%t}", op.shape, op.approx)
}
func (op *geluOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *geluOp) Hashcode() uint32      { return hashOf(op) }
func (op *geluOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *geluOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("ops: %v has 1 input, got %d", op, len(in))
	}
	dx, err := applyOp(&geluGradOp{shape: op.shape, approx: op.approx}, in[0], grad)
	return G.Nodes{dx}, err
}

func geluKernel[T Float](approx bool) kernelFunc[T] {
	return func(in [][]T, y []T) error {
		x := in[0]
		if err := checkLen("input", len(x), len(y)); err != nil {
			return err
		}
		for i, v := range x {
			r, _ := geluValue(float64(v), approx)
			y[i] = T(r)
		}
		return nil
	}
}

// geluGradOp is not differentiable itself.
type geluGradOp struct {
	pure
	shape  tensor.Shape
	approx bool
}

func (op *geluGradOp) Arity() int { return 2 }
func (op *geluGradOp) Type() hm.Type {
	return fnType(op.shape.Dims(), op.shape.Dims(), op.shape.Dims())
}
func (op *geluGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *geluGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.shape, geluGradKernel[float64](op.approx), geluGradKernel[float32](op.approx))
}
func (op *geluGradOp) String() string {
	return fmt.Sprintf("ops.GELUGrad{shape=%v, tanh=%t}", op.shape, op.approx)
}
func (op *geluGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *geluGradOp) Hashcode() uint32      { return hashOf(op) }

func geluGradKernel[T Float](approx bool) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		x, dy := in[0], in[1]
		if err := checkLen("input", len(x), len(dx)); err != nil {
			return err
		}
		if err := checkLen("gradient", len(dy), len(dx)); err != nil {
			return err
		}
		for i, v := range x {
			_, d := geluValue(float64(v), approx)
			dx[i] = T(float64(dy[i]) * d)
		}
		return nil
	}
}
