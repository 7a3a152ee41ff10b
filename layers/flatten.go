package layers

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// Flatten reshapes (N, ...) to (N, product of the rest), as
// torch.nn.Flatten() does.
type Flatten struct{}

var _ graph.Layer = Flatten{}

// Forward implements graph.Layer.
func (Flatten) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	if x.Dims() < 2 {
		return nil, fmt.Errorf("Flatten needs a batch axis and at least one more, got %v", x.Shape())
	}
	if x.Dims() == 2 {
		return x, nil
	}
	n := x.Shape()[0]
	return G.Reshape(x, tensor.Shape{n, x.Shape().TotalSize() / n})
}
