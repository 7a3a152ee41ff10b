package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// Float is the set of element types a Store can hold.
type Float interface{ ~float32 | ~float64 }

// checkDtype accepts the two floating-point dtypes tanren supports.
func checkDtype(dt tensor.Dtype) error {
	if dt == tensor.Float32 || dt == tensor.Float64 {
		return nil
	}
	return fmt.Errorf("dtype %v is not supported: use tensor.Float32 or tensor.Float64", dt)
}

// newDense allocates a zeroed tensor of the given dtype and shape.
func newDense(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	return tensor.New(tensor.Of(dt), tensor.WithShape(shape.Clone()...))
}

// setFloat64s copies float64 values into a float32 or float64 tensor. A
// scalar (shape ()) is set through SetAt: its Data is a value, not a slice.
func setFloat64s(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	case []float64:
		copy(d, v)
	case float32:
		_ = t.SetAt(float32(v[0]))
	case float64:
		_ = t.SetAt(v[0])
	}
}

// Float64s returns a float32 or float64 tensor's elements as float64.
func Float64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	case float32:
		return []float64{float64(d)}
	case float64:
		return []float64{d}
	}
	return nil
}

// copyInto copies src into dst, converting between float32 and float64.
func copyInto(dst, src *tensor.Dense) error {
	if !dst.Shape().Eq(src.Shape()) {
		return fmt.Errorf("shape %v does not match %v", src.Shape(), dst.Shape())
	}
	if dst.Dtype() == src.Dtype() {
		if err := tensor.Copy(dst, src); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		return nil
	}
	setFloat64s(dst, Float64s(src))
	return nil
}

// hasNonFinite reports whether a float tensor holds NaN or ±Inf.
func hasNonFinite(t *tensor.Dense) bool {
	switch d := t.Data().(type) {
	case []float32:
		return anyNonFinite(d)
	case []float64:
		return anyNonFinite(d)
	}
	return false
}

func anyNonFinite[T Float](v []T) bool {
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return true
		}
	}
	return false
}
