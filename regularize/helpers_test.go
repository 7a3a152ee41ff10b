package regularize

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// linear is a tiny model built from Gorgonia primitives (so these tests do
// not depend on package layers): fc = torch.nn.Linear(in, out).
func linear(in, out int) graph.Layer {
	return graph.LayerFunc(func(s *graph.Scope, x *G.Node) (*G.Node, error) {
		fc := s.Sub("fc")
		w, err := fc.Param("weight", tensor.Shape{out, in}, graph.Uniform(-1, 1))
		if err != nil {
			return nil, err
		}
		b, err := fc.Param("bias", tensor.Shape{out}, graph.Uniform(-1, 1))
		if err != nil {
			return nil, err
		}
		if x.Dims() > 2 { // (N, C, 1, 1) images from a Loader
			if x, err = G.Reshape(x, tensor.Shape{x.Shape()[0], x.Shape().TotalSize() / x.Shape()[0]}); err != nil {
				return nil, err
			}
		}
		y, err := G.Mul(x, G.Must(G.Transpose(w)))
		if err != nil {
			return nil, err
		}
		return G.BroadcastAdd(y, b, nil, []byte{0})
	})
}

// mse is mean((y − t)²), built from primitives.
func mse(_ *graph.Scope, y, t *G.Node) (*G.Node, error) {
	d, err := G.Sub(y, t)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return G.Mean(sq)
}

// randDense returns a float64 tensor of normal values.
func randDense(seed uint64, shape ...int) *tensor.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := tensor.Shape(shape).TotalSize()
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// newStore returns a float64 store with the given seed.
func newStore(t *testing.T, seed uint64) *graph.Store {
	t.Helper()
	s, err := graph.NewStore(tensor.Float64, seed)
	require.NoError(t, err)
	return s
}

// values returns a copy of every parameter of a store by name.
func values(s *graph.Store) map[string][]float64 {
	out := map[string][]float64{}
	for _, v := range s.Vars() {
		out[v.Name] = graph.Float64s(v.Value)
	}
	return out
}
