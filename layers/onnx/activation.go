package onnx

import (
	"fmt"
	"math"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

func init() {
	builtin(unary[L.ReLU]("Relu"))
	builtin(unary[L.Sigmoid]("Sigmoid"))
	builtin(unary[L.Tanh]("Tanh"))
	builtin(exportLeakyReLU)
	builtin(exportReLU6)
	builtin(exportGELU)
	builtin(exportSoftmax)
}

// unary exports a layer without configuration as one element-wise node.
func unary[T graph.Layer](op string) func(b *Builder, l T, x Value) (Value, error) {
	return func(b *Builder, _ T, x Value) (Value, error) { return b.Node(op, []Value{x}, x.shape), nil }
}

func exportLeakyReLU(b *Builder, l L.LeakyReLU, x Value) (Value, error) {
	slope := l.Slope
	if slope == 0 {
		slope = 0.01
	}
	return b.Node("LeakyRelu", []Value{x}, x.shape, AttrFloat("alpha", slope)), nil
}

// exportReLU6 is Clip(x, 0, 6), as torch.onnx exports nn.ReLU6.
func exportReLU6(b *Builder, _ L.ReLU6, x Value) (Value, error) {
	return b.Node("Clip", []Value{x, b.Scalar(0), b.Scalar(6)}, x.shape), nil
}

// exportGELU is the exact GELU x·(1 + erf(x/√2))/2; opset 17 has no Gelu,
// and onnxruntime fuses this pattern into one.
func exportGELU(b *Builder, _ L.GELU, x Value) (Value, error) {
	s := x.shape
	t := b.Node("Div", []Value{x, b.Scalar(math.Sqrt2)}, s)
	t = b.Node("Erf", []Value{t}, s)
	t = b.Node("Add", []Value{t, b.Scalar(1)}, s)
	t = b.Node("Mul", []Value{x, t}, s)
	return b.Node("Mul", []Value{t, b.Scalar(0.5)}, s), nil
}

// exportSoftmax uses layers.Softmax's axis (0 means 1); opset 13's Softmax
// normalizes along that one axis, as PyTorch does.
func exportSoftmax(b *Builder, l L.Softmax, x Value) (Value, error) {
	axis := l.Axis
	if axis == 0 {
		axis = 1
	}
	if r := x.Rank(); r >= 0 && (axis >= r || axis < -r) {
		return Value{}, fmt.Errorf("Softmax: axis %d out of range for input %s", l.Axis, shapeString(x.shape))
	}
	return b.Node("Softmax", []Value{x}, x.shape, AttrInt("axis", axis)), nil
}
