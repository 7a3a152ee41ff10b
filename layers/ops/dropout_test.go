package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func maskSpec(t *testing.T, seed uint64, p float64, shape ...int) spec {
	m := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
	require.NoError(t, FillDropoutMask(rand.New(rand.NewPCG(seed, 1)), m, p))
	return spec{Name: "mask", Shape: shape, Data: m.Float64s()}
}

func TestDropoutFiniteDiff(t *testing.T) {
	for _, tc := range []struct {
		name        string
		shape, mask []int
	}{
		{"elementwise", []int{3, 4}, []int{3, 4}},
		{"channel", []int{2, 3, 2, 2}, []int{2, 3, 1, 1}},
		{"broadcast last", []int{2, 3}, []int{2, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkFiniteDiff(t, []spec{randSpec("x", 11, tc.shape...), maskSpec(t, 3, 0.4, tc.mask...)}, []string{"x"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return Dropout(in["x"], in["mask"]) }, 1e-6)
		})
	}
}

func TestDropoutTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "dropout") {
		t.Run(f.Name, func(t *testing.T) {
			checkFixture(t, f, []spec{f.input("x"), f.input("mask")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return Dropout(in["x"], in["mask"])
			})
		})
	}
}

// TestDropoutBuiltinBroken: with p = 0.2 Gorgonia's Dropout scales kept
// elements by 1/(1−p) = 1.25 in the forward but by 1/p = 5 in the backward.
// Ours uses 1.25 in both.
func TestDropoutBuiltinBroken(t *testing.T) {
	const p = 0.2
	x := spec{Name: "x", Shape: []int{8, 8}, Data: make([]float64, 64)}
	for i := range x.Data {
		x.Data[i] = 1 + float64(i)/64
	}
	ones := make([]float64, 64)
	for i := range ones {
		ones[i] = 1
	}
	check := func(name string, h *harness[float64], wantGrad float64) {
		h.run(t)
		y, dx := h.output(t), h.grad(t, "x")
		kept := 0
		for i := range y {
			if y[i] == 0 {
				assert.Zero(t, dx[i], "%s: dropped element %d has a gradient", name, i)
				continue
			}
			kept++
			assert.InDelta(t, 1/(1-p), y[i]/x.Data[i], 1e-12, "%s: forward scale at %d", name, i)
			assert.InDelta(t, wantGrad, dx[i], 1e-12, "%s: gradient at %d", name, i)
		}
		assert.Greater(t, kept, 0, name)
	}
	builtin := newHarness[float64](t, []spec{x}, []string{"x"}, ones, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return G.Dropout(in["x"], p)
	})
	check("built-in", builtin, 1/p) // wrong: should be 1/(1-p)
	ours := newHarness[float64](t, []spec{x, maskSpec(t, 5, p, 8, 8)}, []string{"x"}, ones, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return Dropout(in["x"], in["mask"])
	})
	check("ours", ours, 1/(1-p))
}

func TestFillDropoutMask(t *testing.T) {
	for _, p := range []float64{0, 0.1, 0.5, 0.8, 1} {
		m := tensor.New(tensor.WithShape(200, 500), tensor.Of(tensor.Float32))
		require.NoError(t, FillDropoutMask(rand.New(rand.NewPCG(42, 0)), m, p))
		zeros := 0
		for _, v := range m.Float32s() {
			if v == 0 {
				zeros++
				continue
			}
			require.Equal(t, float32(1/(1-p)), v, "p=%v", p)
		}
		frac := float64(zeros) / 1e5
		// 5 standard deviations of a binomial proportion
		assert.InDelta(t, p, frac, 5*math.Sqrt(p*(1-p)/1e5)+1e-12, "p=%v", p)
	}

	a := tensor.New(tensor.WithShape(4, 5), tensor.Of(tensor.Float64))
	b := tensor.New(tensor.WithShape(4, 5), tensor.Of(tensor.Float64))
	require.NoError(t, FillDropoutMask(rand.New(rand.NewPCG(1, 2)), a, 0.5))
	require.NoError(t, FillDropoutMask(rand.New(rand.NewPCG(1, 2)), b, 0.5))
	assert.Equal(t, a.Float64s(), b.Float64s(), "same seed, same mask")
	require.NoError(t, FillDropoutMask(rand.New(rand.NewPCG(1, 3)), b, 0.5))
	assert.NotEqual(t, a.Float64s(), b.Float64s(), "other seed, other mask")

	r := rand.New(rand.NewPCG(1, 2))
	assert.Error(t, FillDropoutMask(r, a, -0.1))
	assert.Error(t, FillDropoutMask(r, a, 1.1))
	assert.Error(t, FillDropoutMask(r, a, math.NaN()))
	assert.Error(t, FillDropoutMask(nil, a, 0.5))
	assert.Error(t, FillDropoutMask(r, nil, 0.5))
	assert.Error(t, FillDropoutMask(r, tensor.New(tensor.WithShape(2), tensor.Of(tensor.Int)), 0.5))
}

func TestChannelMaskShape(t *testing.T) {
	s, err := ChannelMaskShape(tensor.Shape{8, 3, 5, 5})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{8, 3, 1, 1}, s)
	s, err = ChannelMaskShape(tensor.Shape{8, 3})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{8, 3}, s)
	_, err = ChannelMaskShape(tensor.Shape{8})
	assert.Error(t, err)
}

func TestDropoutErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 3, 4, 4), G.WithName("x"))
	bad := G.NewTensor(g, tensor.Float64, 4, G.WithShape(2, 2, 1, 1), G.WithName("bad"))
	rank := G.NewTensor(g, tensor.Float64, 2, G.WithShape(2, 3), G.WithName("rank"))
	m32 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 1, 1), G.WithName("m32"))
	for name, m := range map[string]*G.Node{"wrong size": bad, "wrong rank": rank, "wrong dtype": m32, "nil": nil} {
		n, err := Dropout(x, m)
		assert.Error(t, err, name)
		assert.Nil(t, n, name)
	}
}
