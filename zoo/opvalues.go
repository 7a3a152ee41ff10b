package zoo

import (
	"fmt"
	"hash/fnv"
	"io"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Helpers shared by the Gorgonia ops of this package (ReLU6 and the
// depthwise convolution): types, shape checks, and running a typed kernel
// over the input values.

// elemType is the type of an element-wise op's operands: tensors of one
// rank and one dtype.
func elemType(shape tensor.Shape) hm.Type {
	if shape.Dims() == 0 {
		return hm.TypeVariable('a')
	}
	return G.TensorType{Dims: shape.Dims(), Of: hm.TypeVariable('a')}
}

func elemShape(op fmt.Stringer, shape tensor.Shape, arity int, in []G.DimSizer) (tensor.Shape, error) {
	if len(in) != arity {
		return nil, errors.Errorf("%v takes %d inputs, got %d", op, arity, len(in))
	}
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok || !s.Eq(shape) {
			return nil, errors.Errorf("%v: input %d has shape %v, want %v", op, i, d, shape)
		}
	}
	return shape.Clone(), nil
}

// checkShapes checks the inputs' shapes and returns the output's.
func checkShapes(op fmt.Stringer, out tensor.Shape, in []G.DimSizer, want ...tensor.Shape) (tensor.Shape, error) {
	if len(in) != len(want) {
		return nil, errors.Errorf("%v takes %d inputs, got %d", op, len(want), len(in))
	}
	for i, d := range in {
		if s, ok := d.(tensor.Shape); !ok || !s.Eq(want[i]) {
			return nil, errors.Errorf("%v: input %d has shape %v, want %v", op, i, d, want[i])
		}
	}
	return out.Clone(), nil
}

// fn4 is the type of the depthwise convolution's ops: two rank-4 tensors
// of one dtype to a third.
func fn4() hm.Type {
	t := G.TensorType{Dims: 4, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

// elemDo runs an element-wise kernel over same-shaped float inputs of one
// dtype and returns a new tensor.
func elemDo(op fmt.Stringer, shape tensor.Shape, vs []G.Value, k32 func([][]float32, []float32), k64 func([][]float64, []float64)) (G.Value, error) {
	shapes := make([]tensor.Shape, len(vs))
	for i := range shapes {
		shapes[i] = shape
	}
	switch {
	case len(vs) == 0:
		return nil, errors.Errorf("%v: no input", op)
	case vs[0].Dtype() == tensor.Float32:
		return runKernel(op, shape, vs, shapes, k32)
	case vs[0].Dtype() == tensor.Float64:
		return runKernel(op, shape, vs, shapes, k64)
	}
	return nil, errors.Errorf("%v: dtype %v is not supported (float32 or float64)", op, vs[0].Dtype())
}

// runKernel checks that the values are dense tensors of type T and the
// given shapes, materializes views, and runs k into a new tensor of shape
// out.
func runKernel[T float32 | float64](op fmt.Stringer, out tensor.Shape, vs []G.Value, shapes []tensor.Shape, k func([][]T, []T)) (G.Value, error) {
	in := make([][]T, len(vs))
	for i, v := range vs {
		d, ok := v.(*tensor.Dense)
		if !ok {
			return nil, errors.Errorf("%v: input %d is %T, want a dense tensor", op, i, v)
		}
		if d.RequiresIterator() || d.IsMaterializable() {
			// A view (transposed or sliced) is copied to row-major first.
			m, ok := d.Materialize().(*tensor.Dense)
			if !ok {
				return nil, errors.Errorf("%v: cannot materialize input %d", op, i)
			}
			d = m
		}
		n := shapes[i].TotalSize()
		data, ok := d.Data().([]T)
		if !ok || len(data) < n || !d.Shape().Eq(shapes[i]) {
			return nil, errors.Errorf("%v: input %d has dtype %v and shape %v, want shape %v", op, i, d.Dtype(), d.Shape(), shapes[i])
		}
		in[i] = data[:n]
	}
	res := make([]T, out.TotalSize())
	k(in, res)
	return tensor.New(tensor.WithShape(out.Clone()...), tensor.WithBacking(res)), nil
}

// dwDo checks the values' dtypes and shapes and runs the kernel of their
// dtype into a new tensor of shape out.
func dwDo(op fmt.Stringer, out tensor.Shape, vs []G.Value, shapes []tensor.Shape,
	k32 func([][]float32, []float32), k64 func([][]float64, []float64)) (G.Value, error) {
	if len(vs) != len(shapes) {
		return nil, errors.Errorf("%v takes %d inputs, got %d", op, len(shapes), len(vs))
	}
	switch vs[0].Dtype() {
	case tensor.Float32:
		return runKernel(op, out, vs, shapes, k32)
	case tensor.Float64:
		return runKernel(op, out, vs, shapes, k64)
	}
	return nil, errors.Errorf("%v: dtype %v is not supported (float32 or float64)", op, vs[0].Dtype())
}

func hashString(s string) uint32 {
	h := fnv.New32a()
	_, _ = io.WriteString(h, s)
	return h.Sum32()
}
