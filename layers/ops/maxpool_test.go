package ops

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var maxPoolCases = []poolCase{
	{"k2 s2", []int{1, 2, 4, 4}, [2]int{2, 2}, [2]int{2, 2}, [2]int{}, false, false},
	{"k3 s2 p1", []int{2, 1, 5, 4}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, false},
	{"k3 s1 overlapping", []int{1, 2, 5, 5}, [2]int{3, 3}, [2]int{1, 1}, [2]int{}, false, false},
	{"k3 s2 p1 ceil", []int{1, 2, 6, 6}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, true},
	{"k3x2 s1x2 p1x0 ceil", []int{1, 1, 5, 7}, [2]int{3, 2}, [2]int{1, 2}, [2]int{1, 0}, false, true},
	{"default stride", []int{1, 1, 6, 6}, [2]int{3, 3}, [2]int{}, [2]int{}, false, false},
}

func TestMaxPoolFiniteDiff(t *testing.T) {
	// random values: no ties, so the maximum is differentiable
	for _, tc := range maxPoolCases {
		t.Run(tc.name, func(t *testing.T) {
			checkFiniteDiff(t, []spec{randSpec("x", 31, tc.shape...)}, []string{"x"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return MaxPool2d(in["x"], tc.kernel, tc.stride, tc.pad, tc.ceil)
				}, 1e-6)
		})
	}
}

// TestMaxPoolTorch includes windows with ties, where the gradient must go
// to the first maximum in row-major order, as in PyTorch.
func TestMaxPoolTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "maxpool") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Kernel, Stride, Pad [2]int
				Ceil                bool
			}
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return MaxPool2d(in["x"], p.Kernel, p.Stride, p.Pad, p.Ceil)
			})
		})
	}
}

// TestMaxPoolMatchesBuiltin compares the op, which splits the planes over
// the cores, with Gorgonia's MaxPool2D (correct, one plane after another)
// on ResNet's 3×3/2 pooling of an input large enough to be split.
func TestMaxPoolMatchesBuiltin(t *testing.T) {
	x := randSpec("x", 32, 3, 7, 29, 31)
	w := randSpec("w", 33, 3, 7, 15, 16).Data
	build := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return MaxPool2d(in["x"], [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false)
	}
	ref := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return G.MaxPool2D(in["x"], tensor.Shape{3, 3}, []int{1, 1}, []int{2, 2})
	}
	assertMatchesReference(t, []spec{x}, []string{"x"}, w, build, ref, 0)
}

// A NaN is the maximum of its window, as in PyTorch; an all −∞ window
// gives −∞ and sends its gradient to the window's first element.
func TestMaxPoolNaNAndInf(t *testing.T) {
	inf := math.Inf(-1)
	x := spec{Name: "x", Shape: []int{1, 1, 2, 4}, Data: []float64{1, math.NaN(), inf, inf, 3, 2, inf, inf}}
	h := newHarness[float64](t, []spec{x}, []string{"x"}, []float64{1, 1}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return MaxPool2d(in["x"], [2]int{2, 2}, [2]int{2, 2}, [2]int{}, false)
	})
	h.run(t)
	y := h.output(t)
	assert.True(t, math.IsNaN(y[0]), "max of a window with NaN")
	assert.Equal(t, inf, y[1])
	assert.Equal(t, []float64{0, 1, 1, 0, 0, 0, 0, 0}, h.grad(t, "x"))
}

func TestMaxPoolErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 1, 4, 4), G.WithName("x"))
	for _, c := range []struct {
		name                string
		kernel, stride, pad [2]int
		want                string
	}{
		{"zero kernel", [2]int{0, 2}, [2]int{}, [2]int{}, "positive"},
		{"pad over half", [2]int{2, 2}, [2]int{}, [2]int{2, 0}, "half the kernel"},
		{"kernel too large", [2]int{5, 5}, [2]int{}, [2]int{}, "larger than"},
	} {
		n, err := MaxPool2d(x, c.kernel, c.stride, c.pad, false)
		assert.ErrorContains(t, err, c.want, c.name)
		assert.Nil(t, n)
	}
	v := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 4), G.WithName("v"))
	_, err := MaxPool2d(v, [2]int{2, 2}, [2]int{}, [2]int{}, false)
	require.ErrorContains(t, err, "(N, C, H, W)")
}

// TestMaxPoolForwardOnly: a graph that does not differentiate the pool
// takes maxima without recording their positions; the values must be the
// same as with them (and Gorgonia's), NaN included.
func TestMaxPoolForwardOnly(t *testing.T) {
	x := randSpec("x", 34, 2, 3, 9, 11)
	x.Data[5], x.Data[40] = math.NaN(), math.Inf(-1)
	for _, tc := range maxPoolCases {
		t.Run(tc.name, func(t *testing.T) {
			build := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return MaxPool2d(in["x"], tc.kernel, tc.stride, tc.pad, tc.ceil)
			}
			plain := newHarness[float64](t, []spec{x}, nil, nil, build)
			recorded := newHarness[float64](t, []spec{x}, []string{"x"}, nil, build)
			plain.run(t)
			recorded.run(t)
			p, r := plain.output(t), recorded.output(t)
			require.Equal(t, len(r), len(p))
			for i := range p {
				if !(p[i] == r[i] || math.IsNaN(p[i]) && math.IsNaN(r[i])) {
					t.Fatalf("output %d: %v without positions, %v with", i, p[i], r[i])
				}
			}
		})
	}
}
