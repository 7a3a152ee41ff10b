package ops

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGELUFiniteDiff(t *testing.T) {
	x := randSpec("x", 17, 3, 4)
	for i := range x.Data {
		x.Data[i] *= 2.5
	}
	for name, f := range map[string]func(*G.Node) (*G.Node, error){"exact": GELU, "tanh": GELUTanh} {
		t.Run(name, func(t *testing.T) {
			checkFiniteDiff(t, []spec{x}, []string{"x"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return f(in["x"]) }, 1e-6)
		})
	}
}

func TestGELUTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "gelu") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Approximate string `json:"approximate"`
			}
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				if p.Approximate == "tanh" {
					return GELUTanh(in["x"])
				}
				return GELU(in["x"])
			})
		})
	}
}

// Gorgonia has no GELU, so there is no broken built-in to compare with.

func TestGELUDistinctAndErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("x"))
	a, err := GELU(x)
	require.NoError(t, err)
	b, err := GELUTanh(x)
	require.NoError(t, err)
	assert.NotSame(t, a, b)
	xi := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("xi"))
	n, err := GELU(xi)
	assert.Error(t, err)
	assert.Nil(t, n)
	n, err = GELUTanh(nil)
	assert.Error(t, err)
	assert.Nil(t, n)
}
