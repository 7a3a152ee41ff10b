package layers

import (
	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
)

// ReLU is max(x, 0).
type ReLU struct{}

// LeakyReLU is x for x > 0 and Slope·x otherwise.
type LeakyReLU struct {
	// Slope defaults to 0.01, as in PyTorch.
	Slope float64
}

// Sigmoid is 1/(1+e^−x).
type Sigmoid struct{}

// Tanh is the hyperbolic tangent.
type Tanh struct{}

var (
	_ graph.Layer = ReLU{}
	_ graph.Layer = LeakyReLU{}
	_ graph.Layer = Sigmoid{}
	_ graph.Layer = Tanh{}
)

// Forward implements graph.Layer.
func (ReLU) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return G.Rectify(x) }

// Forward implements graph.Layer.
func (l LeakyReLU) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	slope := l.Slope
	if slope == 0 {
		slope = 0.01
	}
	return G.LeakyRelu(x, slope)
}

// Forward implements graph.Layer.
func (Sigmoid) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return G.Sigmoid(x) }

// Forward implements graph.Layer.
func (Tanh) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return G.Tanh(x) }
