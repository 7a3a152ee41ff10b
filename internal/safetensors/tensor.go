package safetensors

import "fmt"

// Tensor is one named entry of a safetensors file.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	// Data holds the raw little-endian bytes.
	Data []byte
}

// NumElements returns the product of the shape (1 for a scalar).
func (t *Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Float64s decodes the tensor's elements into float64 values, converting
// from its stored type (F16 and BF16 exactly, integers by value).
func (t *Tensor) Float64s() ([]float64, error) {
	out := make([]float64, t.NumElements())
	if err := decode(t.DType, t.Data, out); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	return out, nil
}

// FromFloat32 makes an F32 tensor from values in row-major order.
func FromFloat32(name string, shape []int, values []float32) Tensor {
	return Tensor{Name: name, DType: F32, Shape: append([]int(nil), shape...), Data: encodeFloat32(values)}
}

// FromFloat64 makes an F64 tensor from values in row-major order.
func FromFloat64(name string, shape []int, values []float64) Tensor {
	return Tensor{Name: name, DType: F64, Shape: append([]int(nil), shape...), Data: encodeFloat64(values)}
}

// FromInt64 makes an I64 tensor.
func FromInt64(name string, shape []int, values []int64) Tensor {
	return Tensor{Name: name, DType: I64, Shape: shape, Data: encodeInt64(values)}
}
