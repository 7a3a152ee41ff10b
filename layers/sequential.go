package layers

import (
	"strconv"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
)

// Sequential applies layers in order. As in torch.nn.Sequential, the i-th
// layer's tensors live under the name "i" ("0.weight", "3.bias"), unless the
// layer is Named, whose name is used instead ("conv1.weight").
type Sequential []graph.Layer

// Named gives a layer its own name in a Sequential or Residual.
type Named struct {
	Name  string
	Layer graph.Layer
}

var (
	_ graph.Layer = Sequential{}
	_ graph.Layer = Named{}
)

// Forward implements graph.Layer.
func (q Sequential) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	for i, l := range q {
		name := strconv.Itoa(i)
		if n, ok := l.(Named); ok {
			name, l = n.Name, n.Layer
		}
		var err error
		if x, err = graph.Call(s, name, l, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// Forward runs the layer under its name.
func (n Named) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	return graph.Call(s, n.Name, n.Layer, x)
}
