package onnx

import (
	"fmt"

	L "github.com/tanren-ml/tanren/layers"
)

func init() { builtin(exportConv2d) }

// exportConv2d is one Conv node, whatever the groups (depthwise included).
func exportConv2d(b *Builder, c L.Conv2d, x Value) (Value, error) {
	g := max(c.Groups, 1)
	k := c.Kernel
	if c.In <= 0 || c.Out <= 0 || k[0] <= 0 || k[1] <= 0 || c.In%g != 0 || c.Out%g != 0 {
		return Value{}, fmt.Errorf("Conv2d needs positive In, Out and Kernel, In and Out multiples of Groups; got In %d, Out %d, Kernel %v, Groups %d", c.In, c.Out, k, g)
	}
	h, w, err := spatial(fmt.Sprintf("Conv2d(%d→%d)", c.In, c.Out), x, c.In)
	if err != nil {
		return Value{}, err
	}
	stride, dil, pad := pairOr(c.Stride, L.Sq(1)), pairOr(c.Dilation, L.Sq(1)), c.Padding
	weight, err := b.Tensor("weight", c.Out, c.In/g, k[0], k[1])
	if err != nil {
		return Value{}, err
	}
	inputs := []Value{x, weight}
	if !c.NoBias {
		bias, err := b.Tensor("bias", c.Out)
		if err != nil {
			return Value{}, err
		}
		inputs = append(inputs, bias)
	}
	var out []int
	if x.Known() {
		oh, ow := windows(h, k[0], stride[0], pad[0], dil[0], false), windows(w, k[1], stride[1], pad[1], dil[1], false)
		if oh <= 0 || ow <= 0 {
			return Value{}, fmt.Errorf("Conv2d: input %dx%d is too small for kernel %v, padding %v, dilation %v", h, w, k, pad, dil)
		}
		out = []int{x.shape[0], c.Out, oh, ow}
	}
	return b.Node("Conv", inputs, out,
		AttrInts("kernel_shape", k[0], k[1]),
		AttrInts("strides", stride[0], stride[1]),
		AttrInts("pads", pad[0], pad[1], pad[0], pad[1]),
		AttrInts("dilations", dil[0], dil[1]),
		AttrInt("group", g),
	), nil
}
