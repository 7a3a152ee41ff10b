package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// Linear is torch.nn.Linear: y = x·Wᵀ + b for x of shape (N, In), with
// weight (Out, In) and bias (Out), initialized as PyTorch does. It is one
// ops.Linear node, which reads the weight transposed without copying it.
type Linear struct {
	In, Out int
	// NoBias drops the bias (PyTorch's bias=False).
	NoBias bool
}

var _ graph.Layer = Linear{}

// Forward implements graph.Layer.
func (l Linear) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	if l.In <= 0 || l.Out <= 0 {
		return nil, fmt.Errorf("Linear needs positive In and Out, got %d and %d", l.In, l.Out)
	}
	if x.Dims() != 2 || x.Shape()[1] != l.In {
		return nil, fmt.Errorf("Linear(%d→%d) needs input (N, %d), got %v (add a Flatten before it?)", l.In, l.Out, l.In, x.Shape())
	}
	w, err := s.Param("weight", tensor.Shape{l.Out, l.In}, graph.KaimingUniform)
	if err != nil {
		return nil, err
	}
	if l.NoBias {
		return ops.Linear(x, w, nil)
	}
	b, err := s.Param("bias", tensor.Shape{l.Out}, graph.BiasUniform(l.In))
	if err != nil {
		return nil, err
	}
	return ops.Linear(x, w, b)
}
