package solvers

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fakeVG is a ValueGrad over given tensors, for tests that need exact
// gradients rather than a graph.
type fakeVG struct {
	name string
	w, g *tensor.Dense
}

func (f fakeVG) Value() G.Value         { return f.w }
func (f fakeVG) Grad() (G.Value, error) { return f.g, nil }
func (f fakeVG) Name() string           { return f.name }

func vgsOf(vs ...fakeVG) []G.ValueGrad {
	out := make([]G.ValueGrad, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
