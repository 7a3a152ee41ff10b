package layers

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers/ops"
)

// Dropout is torch.nn.Dropout: in training, each element is zeroed with
// probability P and the survivors are scaled by 1/(1−P), so the expected
// value is unchanged; in evaluation it is the identity. Masks come from the
// Program's seeded generator (Program.Reseed), so runs are reproducible.
type Dropout struct {
	// P is the probability of zeroing, in [0, 1). Zero is the identity.
	P float64
}

// Dropout2d is torch.nn.Dropout2d: it zeroes whole channels of NCHW input
// with probability P and scales the rest by 1/(1−P).
type Dropout2d struct {
	P float64
}

var (
	_ graph.Layer = Dropout{}
	_ graph.Layer = Dropout2d{}
)

// Forward implements graph.Layer.
func (d Dropout) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	return dropout(s, x, d.P, false)
}

// Forward implements graph.Layer.
func (d Dropout2d) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	if x.Dims() != 4 {
		return nil, fmt.Errorf("Dropout2d needs NCHW input, got %v", x.Shape())
	}
	return dropout(s, x, d.P, true)
}

func dropout(s *graph.Scope, x *G.Node, p float64, channels bool) (*G.Node, error) {
	if p < 0 || p >= 1 {
		return nil, fmt.Errorf("dropout probability %v outside [0, 1)", p)
	}
	if !s.Training() || p == 0 {
		return x, nil
	}
	shape := x.Shape().Clone()
	if channels {
		shape = tensor.Shape{shape[0], shape[1], 1, 1}
	}
	mask, err := s.Noise("dropout_mask", shape, func(rng *rand.Rand, t *tensor.Dense) error {
		return ops.FillDropoutMask(rng, t, p)
	})
	if err != nil {
		return nil, err
	}
	return ops.Dropout(x, mask)
}
