package ops

import (
	"fmt"
	"hash"
	"io"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"gonum.org/v1/gonum/blas"

	"github.com/tanren-ml/tanren/internal/fastblas"
)

// Linear is torch.nn.functional.linear(x, w, b): y = x·wᵀ + b for x of
// shape (N, In), w of shape (Out, In) (PyTorch's layout) and b of shape
// (Out), or no bias when b is nil.
//
// It replaces Gorgonia's Mul(x, Transpose(w)) followed by BroadcastAdd,
// which copies the transposed weight and the broadcast bias on every run:
// here one GEMM reads w through its transpose flag and adds to the bias
// already in the output. The product is bilinear in (x, w), so its
// backward ops (dx = dy·w, dw = dyᵀ·x) are again GEMMs of the same kind and
// it is differentiable to any order; db = Σ dy over the batch is Sum.
func Linear(x, w, b *G.Node) (out *G.Node, err error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("ops.Linear: %w", err)
	}
	if err := sameGraphDtype("x", x, "w", w); err != nil {
		return nil, fmt.Errorf("ops.Linear: %w", err)
	}
	xs, ws := x.Shape(), w.Shape()
	where := fmt.Sprintf("ops.Linear of x %v with w %v", xs, ws)
	if xs.Dims() != 2 || ws.Dims() != 2 {
		return nil, fmt.Errorf("%s: want x (N, In) and w (Out, In); flatten x first", where)
	}
	if xs[1] != ws[1] {
		return nil, fmt.Errorf("%s: x has %d features but w expects %d (w is (Out, In), PyTorch's layout)", where, xs[1], ws[1])
	}
	if xs[0] < 1 || ws[0] < 1 || ws[1] < 1 {
		return nil, fmt.Errorf("%s: empty batch, input or output", where)
	}
	op := &linearOp{geom: linearGeom{batch: xs[0], in: ws[1], out: ws[0]}}
	if b == nil {
		return apply(where, op, x, w)
	}
	if err := sameGraphDtype("x", x, "b", b); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if bs := b.Shape(); bs.Dims() != 1 || bs[0] != ws[0] {
		return nil, fmt.Errorf("%s: bias has shape %v, want (%d)", where, bs, ws[0])
	}
	op.bias = true
	return apply(where, op, x, w, b)
}

// linearGeom is the size of one linear map: x (batch, in), w (out, in).
type linearGeom struct{ batch, in, out int }

func (g linearGeom) xShape() tensor.Shape { return tensor.Shape{g.batch, g.in} }
func (g linearGeom) wShape() tensor.Shape { return tensor.Shape{g.out, g.in} }
func (g linearGeom) yShape() tensor.Shape { return tensor.Shape{g.batch, g.out} }

var linPassNames = [...]string{"Linear", "LinearGradX", "LinearGradW"}

// linearOp is one pass of a linear map. bias is set only for the forward
// pass, which then takes the bias as a third input.
type linearOp struct {
	pure
	geom linearGeom
	pass bilinearPass
	bias bool
}

var _ G.SDOp = (*linearOp)(nil)

// signature returns the shapes of the pass's inputs and its output.
func (op *linearOp) signature() (in []tensor.Shape, out tensor.Shape) {
	g := op.geom
	switch op.pass {
	case passGradX:
		return []tensor.Shape{g.wShape(), g.yShape()}, g.xShape()
	case passGradW:
		return []tensor.Shape{g.xShape(), g.yShape()}, g.wShape()
	}
	if op.bias {
		return []tensor.Shape{g.xShape(), g.wShape(), {g.out}}, g.yShape()
	}
	return []tensor.Shape{g.xShape(), g.wShape()}, g.yShape()
}

func (op *linearOp) Arity() int { return biasInput(op.bias).arity() }

func (op *linearOp) Type() hm.Type { return biasInput(op.bias).fnType(2) }

func (op *linearOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, op.Arity(), in)
	if err != nil {
		return nil, err
	}
	want, out := op.signature()
	for i := range want {
		if !s[i].Eq(want[i]) {
			return nil, fmt.Errorf("ops: %v got input shapes %v, want %v", op, s, want)
		}
	}
	return out, nil
}

func (op *linearOp) Do(vs ...G.Value) (G.Value, error) {
	_, out := op.signature()
	return run(op, vs, op.Arity(), out, linearKernel[float64](op), linearKernel[float32](op))
}

func (op *linearOp) String() string {
	g := op.geom
	return fmt.Sprintf("ops.%s{batch=%d, in=%d, out=%d, bias=%t}", linPassNames[op.pass], g.batch, g.in, g.out, op.bias)
}
func (op *linearOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *linearOp) Hashcode() uint32      { return hashOf(op) }

// writesAll: every pass is one GEMM with beta 0, or the bias copied into
// every row and then a GEMM with beta 1.
func (op *linearOp) writesAll() bool { return true }
func (op *linearOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff follows from bilinearity, as depthwiseOp's does: the gradient of
// ⟨P(a, b), g⟩ with respect to either input is the pass that is linear in
// g and the other input. The bias gradient is g summed over the batch.
func (op *linearOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("ops: %v has %d inputs, got %d", op, op.Arity(), len(in))
	}
	a, b := in[0], in[1]
	p, pIn1, pIn2, q, qIn1, qIn2 := bilinearGrads(op.pass, a, b, grad)
	da, err := applyOp(&linearOp{geom: op.geom, pass: p}, pIn1, pIn2)
	if err != nil {
		return nil, err
	}
	db, err := applyOp(&linearOp{geom: op.geom, pass: q}, qIn1, qIn2)
	if err != nil {
		return nil, err
	}
	if !op.bias {
		return G.Nodes{da, db}, nil
	}
	dbias, err := Sum(grad, 0)
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db, dbias}, nil
}

// linearKernel returns the GEMM of a pass. All matrices are row-major and
// contiguous (run materializes views), so each leading dimension is the
// stored row length.
func linearKernel[T Float](op *linearOp) kernelFunc[T] {
	g := op.geom
	return func(in [][]T, out []T) error {
		want, _ := op.signature()
		for i, s := range want {
			if err := checkLen(fmt.Sprintf("input %d", i), len(in[i]), s.TotalSize()); err != nil {
				return err
			}
		}
		switch op.pass {
		case passGradX: // dx (batch, in) = dy (batch, out) · w (out, in)
			w, dy := in[0], in[1]
			return fastblas.Gemm(blas.NoTrans, blas.NoTrans, g.batch, g.in, g.out, 1, dy, g.out, w, g.in, 0, out, g.in)
		case passGradW: // dw (out, in) = dyᵀ (out, batch) · x (batch, in)
			x, dy := in[0], in[1]
			return fastblas.Gemm(blas.Trans, blas.NoTrans, g.out, g.in, g.batch, 1, dy, g.out, x, g.in, 0, out, g.in)
		}
		// y (batch, out) = x (batch, in) · wᵀ (in, out) + b
		x, w := in[0], in[1]
		var beta T
		if op.bias {
			b := in[2]
			for r := 0; r < g.batch; r++ {
				copy(out[r*g.out:(r+1)*g.out], b)
			}
			beta = 1
		}
		return fastblas.Gemm(blas.NoTrans, blas.Trans, g.batch, g.out, g.in, 1, x, g.in, w, g.in, beta, out, g.out)
	}
}
