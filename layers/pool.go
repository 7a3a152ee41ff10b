package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// AvgPool2d is torch.nn.AvgPool2d (ceil_mode=False) on NCHW input.
type AvgPool2d struct {
	Kernel Pair
	// Stride defaults to Kernel, as in PyTorch.
	Stride Pair
	// Padding is symmetric zero padding, at most half the kernel.
	Padding Pair
	// ExcludePad divides by the number of real (unpadded) elements:
	// PyTorch's count_include_pad=False.
	ExcludePad bool
}

// GlobalAvgPool averages each channel of NCHW input: (N, C, H, W) → (N, C),
// as AdaptiveAvgPool2d(1) followed by Flatten.
type GlobalAvgPool struct{}

var (
	_ graph.Layer = AvgPool2d{}
	_ graph.Layer = GlobalAvgPool{}
)

// Forward implements graph.Layer.
func (a AvgPool2d) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	stride := a.Stride.or(a.Kernel)
	if err := checkPool("AvgPool2d", x, a.Kernel, stride, a.Padding); err != nil {
		return nil, err
	}
	return ops.AvgPool2d(x, a.Kernel, stride, a.Padding, !a.ExcludePad, false)
}

// Forward implements graph.Layer.
func (GlobalAvgPool) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	if x.Dims() != 4 {
		return nil, fmt.Errorf("GlobalAvgPool needs NCHW input, got %v", x.Shape())
	}
	return ops.GlobalAvgPool2d(x)
}
