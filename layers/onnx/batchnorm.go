package onnx

import (
	"fmt"

	L "github.com/tanren-ml/tanren/layers"
)

func init() {
	builtin(func(b *Builder, l L.BatchNorm2d, x Value) (Value, error) { return batchNorm(b, l, x, "BatchNorm2d", 4) })
	builtin(func(b *Builder, l L.BatchNorm1d, x Value) (Value, error) {
		return batchNorm(b, L.BatchNorm2d(l), x, "BatchNorm1d", 2)
	})
}

// batchNorm is BatchNormalization in inference mode over the running
// statistics, under their state_dict names; onnxruntime folds it into the
// convolution before it.
func batchNorm(b *Builder, l L.BatchNorm2d, x Value, kind string, rank int) (Value, error) {
	c := l.Features
	if c <= 0 {
		return Value{}, fmt.Errorf("%s needs positive Features, got %d", kind, c)
	}
	if x.Known() && (x.Rank() != rank || x.shape[1] != c) {
		return Value{}, fmt.Errorf("%s over %d features got input %s", kind, c, shapeString(x.shape))
	}
	eps := l.Eps
	if eps == 0 {
		eps = 1e-5
	}
	inputs := []Value{x}
	for _, name := range []string{"weight", "bias", "running_mean", "running_var"} {
		v, err := b.Tensor(name, c)
		if err != nil {
			return Value{}, err
		}
		inputs = append(inputs, v)
	}
	return b.Node("BatchNormalization", inputs, x.shape, AttrFloat("epsilon", eps)), nil
}
