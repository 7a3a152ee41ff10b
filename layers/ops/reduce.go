package ops

import (
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Sum adds the elements of x over the given axes (all axes when none are
// given) and removes them from the shape, like torch.sum(x, dim=axes).
// Negative axes count from the end. Reducing every axis gives a scalar node,
// usable as a loss. Unlike gorgonia.Sum it is correct for any rank and any
// set of axes; it is differentiable twice.
func Sum(x *G.Node, axes ...int) (*G.Node, error) {
	return reduce("Sum", x, axes, false, 1)
}

// Mean averages the elements of x over the given axes (all axes when none
// are given), like torch.mean(x, dim=axes). See Sum.
func Mean(x *G.Node, axes ...int) (*G.Node, error) {
	return reduce("Mean", x, axes, true, 1)
}

// reduce adds x over axes and multiplies by scale, and by 1/count as well if
// mean is set. The losses use scale to fold their sign and batch divisor
// into the reduction.
func reduce(name string, x *G.Node, axes []int, mean bool, scale float64) (*G.Node, error) {
	if _, err := floatDtype("x", x); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	in := x.Shape()
	ax, err := normalizeAxes(in.Dims(), axes)
	if err != nil {
		return nil, fmt.Errorf("ops.%s of %v: %w", name, in, err)
	}
	if mean {
		n := 1
		for _, a := range ax {
			n *= in[a]
		}
		if n == 0 {
			return nil, fmt.Errorf("ops.%s of %v over axes %v: no elements to average", name, in, ax)
		}
		scale /= float64(n)
	}
	return apply(fmt.Sprintf("ops.%s of %v over axes %v", name, in, ax), &reduceOp{in: in, axes: ax, scale: scale}, x)
}

// normalizeAxes maps negative axes to positive ones, sorts them and checks
// for range and duplicates. No axes means all of them.
func normalizeAxes(dims int, axes []int) ([]int, error) {
	if dims == 0 {
		return nil, errors.New("cannot reduce a scalar")
	}
	if len(axes) == 0 {
		all := make([]int, dims)
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	out := make([]int, len(axes))
	for i, a := range axes {
		if a < -dims || a >= dims {
			return nil, fmt.Errorf("axis %d is out of range for %d dimensions", a, dims)
		}
		if a < 0 {
			a += dims
		}
		out[i] = a
	}
	sort.Ints(out)
	for i := 1; i < len(out); i++ {
		if out[i] == out[i-1] {
			return nil, fmt.Errorf("axis %d is given twice in %v", out[i], axes)
		}
	}
	return out, nil
}

// reduceShapes returns the reduced shape (axes removed) and the keepdim
// shape (axes set to 1) of in.
func reduceShapes(in tensor.Shape, axes []int) (out, keep tensor.Shape) {
	keep = in.Clone()
	out = tensor.Shape{}
	j := 0
	for d := range in {
		if j < len(axes) && axes[j] == d {
			keep[d] = 1
			j++
			continue
		}
		out = append(out, in[d])
	}
	return out, keep
}

// reduceOp computes scale·Σ x over axes; its gradient is expandOp.
type reduceOp struct {
	pure
	in    tensor.Shape
	axes  []int
	scale float64
}

var _ G.SDOp = (*reduceOp)(nil)

func (op *reduceOp) shapes() (out, keep tensor.Shape) { return reduceShapes(op.in, op.axes) }

func (op *reduceOp) Arity() int { return 1 }
func (op *reduceOp) Type() hm.Type {
	out, _ := op.shapes()
	return fnType(out.Dims(), op.in.Dims())
}
func (op *reduceOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 1, in)
	if err != nil {
		return nil, err
	}
	if !s[0].Eq(op.in) {
		return nil, fmt.Errorf("ops: %v got input shape %v", op, s[0])
	}
	out, _ := op.shapes()
	return out, nil
}
func (op *reduceOp) Do(vs ...G.Value) (G.Value, error) {
	out, _ := op.shapes()
	return run(op, vs, 1, out, reduceKernel[float64](op), reduceKernel[float32](op))
}
func (op *reduceOp) String() string {
	return fmt.Sprintf("ops.Reduce{in=%v, axes=%v, scale=%v}", op.in, op.axes, op.scale)
}
func (op *reduceOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *reduceOp) Hashcode() uint32      { return hashOf(op) }
func (op *reduceOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *reduceOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := applyOp(&expandOp{in: op.in, axes: op.axes, scale: op.scale}, grad)
	return G.Nodes{dx}, err
}

func reduceKernel[T Float](op *reduceOp) kernelFunc[T] {
	return func(in [][]T, out []T) error {
		x := in[0]
		if err := checkLen("input", len(x), op.in.TotalSize()); err != nil {
			return err
		}
		_, keep := op.shapes()
		w := newWalker(op.in, keep)
		n, st := w.rowLen(), w.step()
		// Accumulate in float64: float32 sums over large feature maps
		// otherwise lose digits.
		acc := make([]float64, len(out))
		w.rows(func(off, soff int) {
			row := x[off : off+n]
			if st == 0 {
				s := 0.0
				for _, v := range row {
					s += float64(v)
				}
				acc[soff] += s
				return
			}
			a := acc[soff : soff+n]
			for k, v := range row {
				a[k] += float64(v)
			}
		})
		for i, v := range acc {
			out[i] = T(v * op.scale)
		}
		return nil
	}
}

// expandOp broadcasts its (reduced) input back over the reduced axes and
// multiplies by scale: the gradient of reduceOp, and its adjoint.
type expandOp struct {
	pure
	in    tensor.Shape // shape of the output: the reduceOp's input
	axes  []int
	scale float64
}

var _ G.SDOp = (*expandOp)(nil)

func (op *expandOp) Arity() int { return 1 }
func (op *expandOp) Type() hm.Type {
	out, _ := reduceShapes(op.in, op.axes)
	return fnType(op.in.Dims(), out.Dims())
}
func (op *expandOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, 1, in)
	if err != nil {
		return nil, err
	}
	if out, _ := reduceShapes(op.in, op.axes); !s[0].Eq(out) {
		return nil, fmt.Errorf("ops: %v got input shape %v, want %v", op, s[0], out)
	}
	return op.in.Clone(), nil
}
func (op *expandOp) Do(vs ...G.Value) (G.Value, error) {
	return run(op, vs, 1, op.in, expandKernel[float64](op), expandKernel[float32](op))
}
func (op *expandOp) String() string {
	return fmt.Sprintf("ops.Expand{out=%v, axes=%v, scale=%v}", op.in, op.axes, op.scale)
}
func (op *expandOp) WriteHash(h hash.Hash) { _, _ = io.WriteString(h, op.String()) }
func (op *expandOp) Hashcode() uint32      { return hashOf(op) }
func (op *expandOp) DiffWRT(n int) []bool  { return []bool{true} }
func (op *expandOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dg, err := applyOp(&reduceOp{in: op.in, axes: op.axes, scale: op.scale}, grad)
	return G.Nodes{dg}, err
}

func expandKernel[T Float](op *expandOp) kernelFunc[T] {
	return func(in [][]T, out []T) error {
		g := in[0]
		red, keep := reduceShapes(op.in, op.axes)
		if err := checkLen("gradient", len(g), red.TotalSize()); err != nil {
			return err
		}
		w := newWalker(op.in, keep)
		n, st := w.rowLen(), w.step()
		s := T(op.scale)
		w.rows(func(off, soff int) {
			row := out[off : off+n]
			for k := range row {
				row[k] = s * g[soff+k*st]
			}
		})
		return nil
	}
}
