package onnx

import (
	"fmt"

	L "github.com/tanren-ml/tanren/layers"
)

func init() { builtin(exportLinear) }

// exportLinear is Gemm(x, weight, bias) with the weight transposed, as
// torch.onnx exports nn.Linear.
func exportLinear(b *Builder, l L.Linear, x Value) (Value, error) {
	if l.In <= 0 || l.Out <= 0 {
		return Value{}, fmt.Errorf("Linear needs positive In and Out, got %d and %d", l.In, l.Out)
	}
	n := Batch
	if x.Known() {
		if x.Rank() != 2 || x.shape[1] != l.In {
			return Value{}, fmt.Errorf("Linear(%d→%d) needs input (batch, %d), got %s (add a Flatten before it?)", l.In, l.Out, l.In, shapeString(x.shape))
		}
		n = x.shape[0]
	}
	weight, err := b.Tensor("weight", l.Out, l.In)
	if err != nil {
		return Value{}, err
	}
	inputs := []Value{x, weight}
	if !l.NoBias {
		bias, err := b.Tensor("bias", l.Out)
		if err != nil {
			return Value{}, err
		}
		inputs = append(inputs, bias)
	}
	return b.Node("Gemm", inputs, []int{n, l.Out}, AttrInt("transB", 1)), nil
}
