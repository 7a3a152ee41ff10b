package zoo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// TestMobileNetV2GraphSize guards what keeps New("mobilenet_v2") fast:
// Gorgonia compiles in time quadratic in the number of nodes, and
// depthwise convolutions built per channel (slice, convolve, concat) give
// a full-width MobileNetV2 about 36,000 nodes and a 30-second New. With one
// op per depthwise convolution the graph does not depend on the width. (At
// width 0.5 every block has the structure it has at width 1; at 0.25 the
// first block gains a residual connection.)
func TestMobileNetV2GraphSize(t *testing.T) {
	nodes := map[float64]int{}
	for _, width := range []float64{0.5, 1} {
		// The last layer sees the graph the network built; it passes the
		// output through.
		count := graph.LayerFunc(func(s *graph.Scope, x *G.Node) (*G.Node, error) {
			nodes[width] = len(s.Graph().AllNodes())
			return x, nil
		})
		st, err := graph.NewStore(tensor.Float32, 1)
		require.NoError(t, err)
		p, err := graph.Compile(st, L.Sequential{MobileNetV2{WidthMult: width}, count}, graph.Spec{Input: tensor.Shape{1, 3, 32, 32}})
		require.NoError(t, err)
		p.Close()
	}
	assert.Equal(t, nodes[0.5], nodes[1], "nodes of the evaluation graph at width 0.5 and at width 1")
	assert.Less(t, nodes[1], 1000, "nodes of the evaluation graph")
}

// BenchmarkNewMobileNetV2 is New("mobilenet_v2"): creating and
// initializing 3.5 million weights and compiling the evaluation program.
func BenchmarkNewMobileNetV2(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New("mobilenet_v2"); err != nil {
			b.Fatal(err)
		}
	}
}
