package ops

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestReLU6FiniteDiff(t *testing.T) {
	x := randSpec("x", 21, 4, 10)
	for i, v := range x.Data {
		// spread over both saturated sides, away from the kinks where the
		// central difference straddles a corner
		v *= 4
		if math.Abs(v) < 0.01 || math.Abs(v-6) < 0.01 {
			v += 0.1
		}
		x.Data[i] = v
	}
	checkFiniteDiff(t, []spec{x}, []string{"x"},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return ReLU6(in["x"]) }, 1e-6)
}

// TestReLU6Torch includes the kinks 0 and 6 exactly, where PyTorch's
// gradient is 0.
func TestReLU6Torch(t *testing.T) {
	for _, f := range loadFixtures(t, "relu6") {
		t.Run(f.Name, func(t *testing.T) {
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return ReLU6(in["x"])
			})
		})
	}
}

// reluDifference is ReLU6 composed of Gorgonia primitives, Rectify(x) −
// Rectify(x − 6), which ReLU6 replaces.
func reluDifference(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	six := G.NewConstant(float32(6))
	shifted, err := G.Sub(in["x"], six)
	if err != nil {
		return nil, err
	}
	a, err := G.Rectify(in["x"])
	if err != nil {
		return nil, err
	}
	b, err := G.Rectify(shifted)
	if err != nil {
		return nil, err
	}
	return G.Sub(a, b)
}

// TestReLU6Kinks checks values and gradients at and around the kinks and
// far outside [0, 6], in both dtypes, where the composition of Gorgonia
// primitives returns 0 instead of 6.
func TestReLU6Kinks(t *testing.T) {
	x := spec{Name: "x", Shape: []int{11}, Data: []float64{-1e30, -3, math.Copysign(0, -1), 0, 1e-30, 2.5, 5.999, 6, 6.001, 1e9, 1e30}}
	wantY := []float64{0, 0, 0, 0, 1e-30, 2.5, 5.999, 6, 6, 6, 6}
	wantDx := []float64{0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0}
	ones := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	build := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return ReLU6(in["x"]) }
	check := func(t *testing.T, y, dx []float64) {
		for i, v := range x.Data {
			assert.InDelta(t, wantY[i], y[i], 1e-6*max(1, wantY[i]), "ReLU6(%g)", v)
			assert.Equal(t, wantDx[i], dx[i], "ReLU6'(%g)", v)
		}
	}
	t.Run("float64", func(t *testing.T) {
		h := newHarness[float64](t, []spec{x}, []string{"x"}, ones, build)
		h.run(t)
		check(t, h.output(t), h.grad(t, "x"))
	})
	t.Run("float32", func(t *testing.T) {
		h := newHarness[float32](t, []spec{x}, []string{"x"}, ones, build)
		h.run(t)
		check(t, h.output(t), h.grad(t, "x"))

		composed := newHarness[float32](t, []spec{x}, nil, ones, reluDifference)
		composed.run(t)
		assert.Equal(t, 0.0, composed.output(t)[10], "Rectify(x) − Rectify(x − 6) at 1e30 in float32")
	})
}

func TestReLU6Errors(t *testing.T) {
	g := G.NewGraph()
	xi := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("xi"))
	n, err := ReLU6(xi)
	assert.ErrorContains(t, err, "float32 and float64")
	assert.Nil(t, n)
	n, err = ReLU6(nil)
	assert.Error(t, err)
	assert.Nil(t, n)
}

func TestReLUFiniteDiff(t *testing.T) {
	x := randSpec("x", 22, 4, 10)
	for i, v := range x.Data {
		if math.Abs(v) < 0.01 { // away from the kink
			x.Data[i] += 0.1
		}
	}
	checkFiniteDiff(t, []spec{x}, []string{"x"},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return ReLU(in["x"]) }, 1e-6)
}

// TestReLUTorch includes 0 exactly, where PyTorch's gradient is 0.
func TestReLUTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "relu") {
		t.Run(f.Name, func(t *testing.T) {
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return ReLU(in["x"])
			})
		})
	}
}

// TestReLUMatchesRectify compares ReLU with Gorgonia's Rectify, the
// reference it replaces, on a tensor large enough to be split over the
// cores, in both dtypes; values and gradients must be identical.
func TestReLUMatchesRectify(t *testing.T) {
	x := randSpec("x", 23, 3, 5, 61, 47) // 43,005 elements: more than one part
	w := randSpec("w", 24, 3, 5, 61, 47).Data
	x.Data[0], x.Data[1], x.Data[2] = 0, math.Copysign(0, -1), math.Inf(1)
	build := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return ReLU(in["x"]) }
	ref := func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return G.Rectify(in["x"]) }
	assertMatchesReference(t, []spec{x}, []string{"x"}, w, build, ref, 3)
	h := newHarness[float64](t, []spec{x}, []string{"x"}, w, build)
	h.run(t)
	assert.Equal(t, []float64{0, 0, w[2]}, h.grad(t, "x")[:3], "PyTorch's gradient at 0, −0 and +Inf")
}
