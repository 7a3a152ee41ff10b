package solvers

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// checkDense reports a tensor the solvers cannot update in place through its
// backing slice: another dtype, or a layout (transposed, strided view,
// masked) where the backing slice is not the tensor's elements in order.
func checkDense(name, what string, t *tensor.Dense) error {
	if t == nil {
		return fmt.Errorf("%s: %s tensor is nil", name, what)
	}
	if dt := t.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return fmt.Errorf("%s: %s have dtype %v: solvers support float32 and float64", name, what, dt)
	}
	if t.RequiresIterator() || t.IsMaterializable() {
		return fmt.Errorf("%s: %s %v are a view or transposed tensor: give the solver a contiguous tensor (Materialize it)", name, what, t.Shape())
	}
	if n := t.Shape().TotalSize(); lenOf(t) != n {
		return fmt.Errorf("%s: %s %v hold %d elements, want %d", name, what, t.Shape(), lenOf(t), n)
	}
	return nil
}

func lenOf(t *tensor.Dense) int {
	if t.Dtype() == tensor.Float64 {
		return len(t.Float64s())
	}
	return len(t.Float32s())
}

// data returns the backing slice of t, whose dtype must match T (checked by
// gather/LoadState). It works for scalars too, where Dense.Data does not
// return a slice.
func data[T float](t *tensor.Dense) []T {
	var s interface{}
	if t.Dtype() == tensor.Float64 {
		s = t.Float64s()
	} else {
		s = t.Float32s()
	}
	return s.([]T)
}

// firstNonFinite returns the index and value of the first NaN or ±Inf of t,
// or -1.
func firstNonFinite(t *tensor.Dense) (int, float64) {
	if t.Dtype() == tensor.Float64 {
		return scanFinite(data[float64](t))
	}
	return scanFinite(data[float32](t))
}

func scanFinite[T float](s []T) (int, float64) {
	for i, x := range s {
		if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
			return i, f
		}
	}
	return -1, 0
}

// view is one parameter's slices in its element type.
type view[T float] struct {
	w, g []T
	buf  [][]T // in updater.slots() order
}

// dispatch runs the float64 or float32 instantiation of an update rule on p.
// Rules take their scalar hyperparameters as float64 and convert them once.
func dispatch(p *param, f64 func(view[float64]), f32 func(view[float32])) {
	if p.w.Dtype() == tensor.Float64 {
		f64(makeView[float64](p))
		return
	}
	f32(makeView[float32](p))
}

func makeView[T float](p *param) view[T] {
	v := view[T]{w: data[T](p.w), g: data[T](p.g), buf: make([][]T, len(p.bufs))}
	for i, b := range p.bufs {
		v.buf[i] = data[T](b)
	}
	return v
}

func sqrt[T float](x T) T { return T(math.Sqrt(float64(x))) }

// clone returns a deep copy of t with its own backing array.
func clone(t *tensor.Dense) *tensor.Dense {
	c := tensor.New(tensor.Of(t.Dtype()), tensor.WithShape(t.Shape().Clone()...))
	if t.Dtype() == tensor.Float64 {
		copy(data[float64](c), data[float64](t))
	} else {
		copy(data[float32](c), data[float32](t))
	}
	return c
}
