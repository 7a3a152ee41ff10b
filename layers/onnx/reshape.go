package onnx

import (
	"fmt"

	L "github.com/tanren-ml/tanren/layers"
)

func init() {
	builtin(exportFlatten)
	// Dropout is the identity in evaluation.
	builtin(identity[L.Dropout])
	builtin(identity[L.Dropout2d])
}

// exportFlatten is Flatten(axis=1): (N, ...) → (N, product of the rest); a
// 2-D input is left as it is, as layers.Flatten does.
func exportFlatten(b *Builder, _ L.Flatten, x Value) (Value, error) {
	if !x.Known() {
		return b.Node("Flatten", []Value{x}, nil, AttrInt("axis", 1)), nil
	}
	switch r := x.Rank(); {
	case r < 2:
		return Value{}, fmt.Errorf("Flatten needs a batch axis and at least one more, got %s", shapeString(x.shape))
	case r == 2:
		return x, nil
	}
	n := 1
	for _, d := range x.shape[1:] {
		n *= d
	}
	return b.Node("Flatten", []Value{x}, []int{x.shape[0], n}, AttrInt("axis", 1)), nil
}
