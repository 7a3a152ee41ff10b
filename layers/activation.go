package layers

import (
	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// ReLU is max(x, 0).
type ReLU struct{}

// LeakyReLU is x for x > 0 and Slope·x otherwise.
type LeakyReLU struct {
	// Slope defaults to 0.01, as in PyTorch.
	Slope float64
}

// ReLU6 is min(max(x, 0), 6), MobileNetV2's activation, with PyTorch's
// gradient (zero at the kinks 0 and 6).
type ReLU6 struct{}

// Sigmoid is 1/(1+e^−x).
type Sigmoid struct{}

// Tanh is the hyperbolic tangent.
type Tanh struct{}

var (
	_ graph.Layer = ReLU{}
	_ graph.Layer = LeakyReLU{}
	_ graph.Layer = ReLU6{}
	_ graph.Layer = Sigmoid{}
	_ graph.Layer = Tanh{}
)

// Forward implements graph.Layer.
func (ReLU) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return ops.ReLU(x) }

// Forward implements graph.Layer.
func (l LeakyReLU) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	slope := l.Slope
	if slope == 0 {
		slope = 0.01
	}
	return G.LeakyRelu(x, slope)
}

// Forward implements graph.Layer.
func (ReLU6) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return ops.ReLU6(x) }

// Forward implements graph.Layer.
func (Sigmoid) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return G.Sigmoid(x) }

// Forward implements graph.Layer.
func (Tanh) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return G.Tanh(x) }
