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

// Forward implements graph.Layer. A BatchNorm2d or BatchNorm1d directly
// followed by a ReLU runs as one layer (see bnReLU); the ReLU has no
// tensors, so the names of all tensors stay the same.
func (q Sequential) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	for i := 0; i < len(q); i++ {
		name, l := unnamed(q[i], strconv.Itoa(i))
		if i+1 < len(q) {
			if _, next := unnamed(q[i+1], ""); next == (ReLU{}) {
				if f, ok := withReLU(l); ok {
					l = f
					i++
				}
			}
		}
		var err error
		if x, err = graph.Call(s, name, l, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// unnamed returns the name and layer of l, which is def if l is not Named.
func unnamed(l graph.Layer, def string) (string, graph.Layer) {
	if n, ok := l.(Named); ok {
		return n.Name, n.Layer
	}
	return def, l
}

// Forward runs the layer under its name.
func (n Named) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	return graph.Call(s, n.Name, n.Layer, x)
}
