package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// MaxPool2d is torch.nn.MaxPool2d (dilation 1) on NCHW input: one
// ops.MaxPool2d node.
type MaxPool2d struct {
	Kernel Pair
	// Stride defaults to Kernel, as in PyTorch.
	Stride Pair
	// Padding is symmetric, implicitly −∞; at most half the kernel.
	Padding Pair
	// CeilMode rounds output sizes up (PyTorch's ceil_mode); the default
	// rounds down.
	CeilMode bool
}

var _ graph.Layer = MaxPool2d{}

// Forward implements graph.Layer.
func (m MaxPool2d) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	stride := m.Stride.or(m.Kernel)
	if err := checkPool("MaxPool2d", x, m.Kernel, stride, m.Padding); err != nil {
		return nil, err
	}
	return ops.MaxPool2d(x, m.Kernel, stride, m.Padding, m.CeilMode)
}

func checkPool(name string, x *G.Node, k, stride, pad Pair) error {
	switch {
	case x.Dims() != 4:
		return fmt.Errorf("%s needs NCHW input, got %v", name, x.Shape())
	case k[0] <= 0 || k[1] <= 0 || stride[0] <= 0 || stride[1] <= 0:
		return fmt.Errorf("%s needs a positive kernel and stride, got %v and %v", name, k, stride)
	case pad[0] < 0 || pad[1] < 0 || 2*pad[0] > k[0] || 2*pad[1] > k[1]:
		return fmt.Errorf("%s: padding %v must be at most half the kernel %v", name, pad, k)
	case x.Shape()[2]+2*pad[0] < k[0] || x.Shape()[3]+2*pad[1] < k[1]:
		return fmt.Errorf("%s: input %v is smaller than the kernel %v", name, x.Shape(), k)
	}
	return nil
}
