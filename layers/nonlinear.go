package layers

import (
	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// GELU is x·Φ(x) with the exact normal CDF (PyTorch's approximate='none').
type GELU struct{}

// Softmax turns scores into probabilities along an axis, stably (Gorgonia's
// built-in SoftMax is wrong for every row but the first). For training,
// give logits to CrossEntropy instead: it fuses log-softmax.
type Softmax struct {
	// Axis defaults to 1 (classes of (N, K) logits); use -1 for the last.
	Axis int
}

var (
	_ graph.Layer = GELU{}
	_ graph.Layer = Softmax{}
)

// Forward implements graph.Layer.
func (GELU) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) { return ops.GELU(x) }

// Forward implements graph.Layer.
func (m Softmax) Forward(_ *graph.Scope, x *G.Node) (*G.Node, error) {
	axis := m.Axis
	if axis == 0 {
		axis = 1
	}
	if axis < 0 {
		axis += x.Dims()
	}
	return ops.Softmax(x, axis)
}
