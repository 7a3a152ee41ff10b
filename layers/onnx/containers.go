package onnx

import (
	"fmt"
	"slices"
	"strconv"

	L "github.com/tanren-ml/tanren/layers"
)

func init() {
	builtin(exportSequential)
	builtin(exportNamed)
	builtin(exportResidual)
}

// exportSequential names its layers as layers.Sequential does: the i-th
// under "i", a Named one under its name.
func exportSequential(b *Builder, q L.Sequential, x Value) (Value, error) {
	for i, l := range q {
		name := strconv.Itoa(i)
		if n, ok := l.(L.Named); ok {
			name, l = n.Name, n.Layer
		}
		var err error
		if x, err = b.Call(name, l, x); err != nil {
			return Value{}, err
		}
	}
	return x, nil
}

func exportNamed(b *Builder, n L.Named, x Value) (Value, error) { return b.Call(n.Name, n.Layer, x) }

// exportResidual runs the body, shortcut and After at the Residual's own
// path, as layers.Residual does, and adds the two branches.
func exportResidual(b *Builder, r L.Residual, x Value) (Value, error) {
	y, err := b.Call("", r.Body, x)
	if err != nil {
		return Value{}, err
	}
	short := x
	if r.Shortcut != nil {
		if short, err = b.Call("", r.Shortcut, x); err != nil {
			return Value{}, err
		}
	}
	if y.Known() && short.Known() && !slices.Equal(y.shape, short.shape) {
		return Value{}, fmt.Errorf("Residual: body output %s and shortcut %s differ (add a downsampling shortcut)", shapeString(y.shape), shapeString(short.shape))
	}
	shape := y.shape
	if shape == nil {
		shape = short.shape
	}
	sum := b.Node("Add", []Value{y, short}, shape)
	if r.After == nil {
		return sum, nil
	}
	return b.Call("", r.After, sum)
}
