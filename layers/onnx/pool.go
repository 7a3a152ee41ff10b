package onnx

import (
	"errors"
	"fmt"

	L "github.com/tanren-ml/tanren/layers"
)

func init() {
	builtin(exportMaxPool2d)
	builtin(exportAvgPool2d)
	builtin(exportGlobalAvgPool)
}

// exportMaxPool2d is MaxPool with explicit padding. Ceil mode becomes extra
// padding after the input rather than ONNX's ceil_mode, whose output size
// runtimes and ONNX versions compute differently (some keep a last window
// that starts in the padding; PyTorch and tanren drop it); MaxPool ignores
// padded elements, so the values are PyTorch's.
func exportMaxPool2d(b *Builder, m L.MaxPool2d, x Value) (Value, error) {
	k, pad := m.Kernel, m.Padding
	stride := pairOr(m.Stride, k)
	if err := checkPool("MaxPool2d", k, stride, pad); err != nil {
		return Value{}, err
	}
	h, w, err := spatial("MaxPool2d", x, 0)
	if err != nil {
		return Value{}, err
	}
	if m.CeilMode && !x.Known() {
		return Value{}, errors.New("MaxPool2d in ceil mode needs to know its input's size, and the exporter before it did not state it")
	}
	ends := pad
	var out []int
	if x.Known() {
		oh, ow := windows(h, k[0], stride[0], pad[0], 1, m.CeilMode), windows(w, k[1], stride[1], pad[1], 1, m.CeilMode)
		if oh <= 0 || ow <= 0 {
			return Value{}, fmt.Errorf("MaxPool2d: input %dx%d is smaller than the kernel %v", h, w, k)
		}
		ends = L.Pair{endPad(h, k[0], stride[0], pad[0], oh), endPad(w, k[1], stride[1], pad[1], ow)}
		out = []int{x.shape[0], x.shape[1], oh, ow}
	}
	return b.Node("MaxPool", []Value{x}, out,
		AttrInts("kernel_shape", k[0], k[1]),
		AttrInts("strides", stride[0], stride[1]),
		AttrInts("pads", pad[0], pad[1], ends[0], ends[1]),
	), nil
}

// exportAvgPool2d is AveragePool; count_include_pad is PyTorch's default
// (ONNX's is the opposite) unless ExcludePad.
func exportAvgPool2d(b *Builder, a L.AvgPool2d, x Value) (Value, error) {
	k, pad := a.Kernel, a.Padding
	stride := pairOr(a.Stride, k)
	if err := checkPool("AvgPool2d", k, stride, pad); err != nil {
		return Value{}, err
	}
	h, w, err := spatial("AvgPool2d", x, 0)
	if err != nil {
		return Value{}, err
	}
	var out []int
	if x.Known() {
		oh, ow := windows(h, k[0], stride[0], pad[0], 1, false), windows(w, k[1], stride[1], pad[1], 1, false)
		if oh <= 0 || ow <= 0 {
			return Value{}, fmt.Errorf("AvgPool2d: input %dx%d is smaller than the kernel %v", h, w, k)
		}
		out = []int{x.shape[0], x.shape[1], oh, ow}
	}
	include := 1
	if a.ExcludePad {
		include = 0
	}
	return b.Node("AveragePool", []Value{x}, out,
		AttrInts("kernel_shape", k[0], k[1]),
		AttrInts("strides", stride[0], stride[1]),
		AttrInts("pads", pad[0], pad[1], pad[0], pad[1]),
		AttrInt("count_include_pad", include),
	), nil
}

// exportGlobalAvgPool is GlobalAveragePool, (N, C, 1, 1), and Flatten to
// (N, C), as layers.GlobalAvgPool returns.
func exportGlobalAvgPool(b *Builder, _ L.GlobalAvgPool, x Value) (Value, error) {
	if _, _, err := spatial("GlobalAvgPool", x, 0); err != nil {
		return Value{}, err
	}
	var pooled, out []int
	if x.Known() {
		pooled, out = []int{x.shape[0], x.shape[1], 1, 1}, []int{x.shape[0], x.shape[1]}
	}
	p := b.Node("GlobalAveragePool", []Value{x}, pooled)
	return b.Node("Flatten", []Value{p}, out, AttrInt("axis", 1)), nil
}

// checkPool rejects what layers' pools reject, so that the export fails
// with the same reason before anything is encoded.
func checkPool(kind string, k, stride, pad L.Pair) error {
	switch {
	case k[0] <= 0 || k[1] <= 0 || stride[0] <= 0 || stride[1] <= 0:
		return fmt.Errorf("%s needs a positive kernel and stride, got %v and %v", kind, k, stride)
	case pad[0] < 0 || pad[1] < 0 || 2*pad[0] > k[0] || 2*pad[1] > k[1]:
		return fmt.Errorf("%s: padding %v must be at most half the kernel %v", kind, pad, k)
	}
	return nil
}
