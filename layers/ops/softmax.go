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

// LogSoftmax returns log(softmax(x)) along axis (negative counts from the
// end), like torch.log_softmax(x, dim=axis), for any rank. Each slice along
// the axis is shifted by its own maximum, so logits such as [100, 0, 0] or
// [800, 0, 0] give exact results in float32 (Gorgonia's LogSoftMax shifts
// every row by row 0's first element and returns -Inf/NaN).
func LogSoftmax(x *G.Node, axis int) (*G.Node, error) {
	return softmax("LogSoftmax", x, axis, true)
}

// Softmax returns softmax(x) along axis, like torch.softmax(x, dim=axis).
// See LogSoftmax. Softmax and LogSoftmax of the same node are distinct
// nodes (with Gorgonia's they collapse into one by hash-consing).
func Softmax(x *G.Node, axis int) (*G.Node, error) {
	return softmax("Softmax", x, axis, false)
}

func softmax(name string, x *G.Node, axis int, log bool) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s := x.Shape()
	if s.Dims() == 0 {
		return nil, fmt.Errorf("ops.%s: x is a scalar; want a tensor with the axis %d", name, axis)
	}
	if axis < -s.Dims() || axis >= s.Dims() {
		return nil, fmt.Errorf("ops.%s: axis %d is out of range for x of shape %v", name, axis, s)
	}
	if axis < 0 {
		axis += s.Dims()
	}
	op := &softmaxOp{softmaxParams: softmaxParams{shape: s, axis: axis, log: log}}
	return apply(fmt.Sprintf("ops.%s of %v along axis %d", name, s, axis), op, x)
}

// softmaxParams are the parameters shared by softmaxOp and its gradient.
type softmaxParams struct {
	shape tensor.Shape
	axis  int
	log   bool
}

// softmaxOp is (log-)softmax along one axis.
type softmaxOp struct {
	pure
	softmaxParams
}

var _ G.SDOp = (*softmaxOp)(nil)

func (op *softmaxOp) Arity() int    { return 1 }
func (op *softmaxOp) Type() hm.Type { return fnType(op.shape.Dims(), op.shape.Dims()) }
func (op *softmaxOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *softmaxOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.shape, softmaxKernel[float64](op), softmaxKernel[float32](op))
}
func (op *softmaxOp) String() string {
	return fmt.Sprintf("ops.Softmax{shape=%v, axis=%d, log=%t}", op.shape, op.axis, op.log)
}
func (op *softmaxOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *softmaxOp) Hashcode() uint32      { return hashOf(op) }
func (op *softmaxOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *softmaxOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	// Both backward formulas need only the output y, not x.
	dx, err := applyOp(&softmaxGradOp{softmaxParams: op.softmaxParams}, out, grad)
	return G.Nodes{dx}, err
}

// lanes splits a shape around axis into (outer, n, inner): element (o, k, i)
// is at (o·n + k)·inner + i.
func lanes(s tensor.Shape, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for d := 0; d < axis; d++ {
		outer *= s[d]
	}
	for d := axis + 1; d < len(s); d++ {
		inner *= s[d]
	}
	return outer, s[axis], inner
}

func softmaxKernel[T Float](op *softmaxOp) kernelFunc[T] {
	return func(in [][]T, y []T) error {
		x := in[0]
		if err := checkLen("input", len(x), op.shape.TotalSize()); err != nil {
			return err
		}
		outer, n, inner := lanes(op.shape, op.axis)
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				base := o*n*inner + i
				m := math.Inf(-1)
				for k := 0; k < n; k++ {
					m = math.Max(m, float64(x[base+k*inner]))
				}
				// log Σ exp(x - m) in float64; exact for any spread of logits
				s := 0.0
				for k := 0; k < n; k++ {
					s += math.Exp(float64(x[base+k*inner]) - m)
				}
				lse := m + math.Log(s)
				for k := 0; k < n; k++ {
					j := base + k*inner
					if op.log {
						y[j] = T(float64(x[j]) - lse)
					} else {
						y[j] = T(math.Exp(float64(x[j]) - lse))
					}
				}
			}
		}
		return nil
	}
}

// softmaxGradOp maps (y, dy) to dx:
// log-softmax dx = dy - exp(y)·Σdy, softmax dx = y·(dy - Σ dy·y).
// It is not differentiable itself.
type softmaxGradOp struct {
	pure
	softmaxParams
}

func (op *softmaxGradOp) Arity() int { return 2 }
func (op *softmaxGradOp) Type() hm.Type {
	return fnType(op.shape.Dims(), op.shape.Dims(), op.shape.Dims())
}
func (op *softmaxGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return sameShape(op, op.shape, in...)
}
func (op *softmaxGradOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 2, op.shape, softmaxGradKernel[float64](op), softmaxGradKernel[float32](op))
}
func (op *softmaxGradOp) String() string {
	return fmt.Sprintf("ops.SoftmaxGrad{shape=%v, axis=%d, log=%t}", op.shape, op.axis, op.log)
}
func (op *softmaxGradOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *softmaxGradOp) Hashcode() uint32      { return hashOf(op) }

func softmaxGradKernel[T Float](op *softmaxGradOp) kernelFunc[T] {
	return func(in [][]T, dx []T) error {
		y, dy := in[0], in[1]
		for i, v := range in {
			if err := checkLen(fmt.Sprintf("input %d", i), len(v), op.shape.TotalSize()); err != nil {
				return err
			}
		}
		outer, n, inner := lanes(op.shape, op.axis)
		for o := 0; o < outer; o++ {
			for i := 0; i < inner; i++ {
				base := o*n*inner + i
				s := 0.0
				for k := 0; k < n; k++ {
					j := base + k*inner
					if op.log {
						s += float64(dy[j])
					} else {
						s += float64(dy[j]) * float64(y[j])
					}
				}
				for k := 0; k < n; k++ {
					j := base + k*inner
					if op.log {
						dx[j] = T(float64(dy[j]) - math.Exp(float64(y[j]))*s)
					} else {
						dx[j] = T(float64(y[j]) * (float64(dy[j]) - s))
					}
				}
			}
		}
		return nil
	}
}

// sameShape is InferShape for ops whose inputs and output all have shape s.
func sameShape(op G.Op, s tensor.Shape, in ...G.DimSizer) (tensor.Shape, error) {
	shapes, err := shapesOf(op, op.Arity(), in)
	if err != nil {
		return nil, err
	}
	for i, got := range shapes {
		if !got.Eq(s) {
			return nil, fmt.Errorf("ops: %v: input %d has shape %v, want %v", op, i, got, s)
		}
	}
	return s.Clone(), nil
}
