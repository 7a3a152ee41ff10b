package layers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// convGraph compiles c in training mode on a (1, In, 8, 8) input and
// returns the number of nodes of the graph and how many of them are
// depthwise convolution passes.
func convGraph(t *testing.T, c Conv2d) (nodes, depthwise int) {
	t.Helper()
	st, err := graph.NewStore(tensor.Float32, 1)
	require.NoError(t, err)
	var g *G.ExprGraph
	spy := graph.LayerFunc(func(s *graph.Scope, x *G.Node) (*G.Node, error) {
		g = s.Graph()
		return c.Forward(s, x)
	})
	p, err := graph.Compile(st, spy, graph.Spec{Mode: graph.Train, Input: tensor.Shape{1, c.In, 8, 8}, Loss: dot, InputGrad: true})
	require.NoError(t, err)
	defer p.Close()
	for _, n := range g.AllNodes() {
		if n.Op() != nil && strings.HasPrefix(n.Op().String(), "ops.DepthwiseConv2d") {
			depthwise++
		}
	}
	return len(g.AllNodes()), depthwise
}

// TestConv2dDepthwisePath checks that Groups = In = Out takes one
// depthwise op per pass (forward, input and weight gradient), whose graph
// does not grow with the channels, and that other groupings do not.
func TestConv2dDepthwisePath(t *testing.T) {
	small, dw := convGraph(t, Conv2d{In: 2, Out: 2, Groups: 2, Kernel: Sq(3), Stride: Sq(2), Padding: Sq(1)})
	assert.Equal(t, 3, dw, "depthwise passes, 2 channels")
	large, dw := convGraph(t, Conv2d{In: 96, Out: 96, Groups: 96, Kernel: Sq(3), Stride: Sq(2), Padding: Sq(1)})
	assert.Equal(t, 3, dw, "depthwise passes, 96 channels")
	assert.Equal(t, small, large, "nodes for 2 and for 96 channels")

	for _, c := range []Conv2d{
		{In: 4, Out: 6, Groups: 2, Kernel: Sq(3)},
		{In: 4, Out: 8, Groups: 4, Kernel: Sq(3)}, // channel multiplier 2
		{In: 4, Out: 4, Kernel: Sq(3)},
	} {
		_, dw := convGraph(t, c)
		assert.Zero(t, dw, "%+v", c)
	}
}
