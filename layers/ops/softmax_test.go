package ops

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestSoftmaxFiniteDiff(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape []int
		axis  int
	}{
		{"2d axis 1", []int{3, 4}, 1},
		{"2d axis 0", []int{3, 4}, 0},
		{"3d axis 1", []int{2, 3, 2}, 1},
		{"4d axis -1", []int{2, 2, 2, 3}, -1},
		{"1d", []int{5}, 0},
	} {
		for _, log := range []bool{true, false} {
			name := tc.name + " softmax"
			if log {
				name = tc.name + " log-softmax"
			}
			t.Run(name, func(t *testing.T) {
				checkFiniteDiff(t, []spec{randSpec("x", 2, tc.shape...)}, []string{"x"},
					func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
						if log {
							return LogSoftmax(in["x"], tc.axis)
						}
						return Softmax(in["x"], tc.axis)
					}, 1e-6)
			})
		}
	}
}

func TestSoftmaxTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "softmax") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Axis int  `json:"axis"`
				Log  bool `json:"log"`
			}
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				if p.Log {
					return LogSoftmax(in["x"], p.Axis)
				}
				return Softmax(in["x"], p.Axis)
			})
		})
	}
}

// TestSoftmaxBuiltinBroken: on logits [[0,0,0],[100,0,0]] in float32,
// Gorgonia's SoftMax and LogSoftMax return NaN or -Inf in row 1; ours are exact.
func TestSoftmaxBuiltinBroken(t *testing.T) {
	x := spec{Name: "x", Shape: []int{2, 3}, Data: []float64{0, 0, 0, 100, 0, 0}}
	third := math.Log(3)
	wantLog := []float64{-third, -third, -third, 0, -100, -100}
	wantSoft := []float64{1. / 3, 1. / 3, 1. / 3, 1, math.Exp(-100), math.Exp(-100)}
	for _, tc := range []struct {
		name    string
		builtin func(*G.Node) (*G.Node, error)
		ours    func(*G.Node) (*G.Node, error)
		want    []float64
	}{
		{"log-softmax", func(x *G.Node) (*G.Node, error) { return G.LogSoftMax(x, 1) },
			func(x *G.Node) (*G.Node, error) { return LogSoftmax(x, 1) }, wantLog},
		{"softmax", func(x *G.Node) (*G.Node, error) { return G.SoftMax(x, 1) },
			func(x *G.Node) (*G.Node, error) { return Softmax(x, 1) }, wantSoft},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness[float32](t, []spec{x}, nil, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return tc.ours(in["x"])
			})
			h.run(t)
			assertClose(t, tc.want, h.output(t), 1e-6, "ours")

			b := newHarness[float32](t, []spec{x}, nil, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return tc.builtin(in["x"])
			})
			b.run(t)
			got := b.output(t)
			t.Logf("built-in: %v", got)
			assert.False(t, allFinite(got[3:]) && maxAbsDiff(tc.want, got) < 1e-3,
				"Gorgonia's built-in was expected to fail on row 1, got %v", got)
		})
	}
}

func TestSoftmaxAndLogSoftmaxAreDistinct(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("x"))
	a, err := Softmax(x, 1)
	require.NoError(t, err)
	b, err := LogSoftmax(x, 1)
	require.NoError(t, err)
	c, err := LogSoftmax(x, 0)
	require.NoError(t, err)
	assert.NotSame(t, a, b)
	assert.NotSame(t, b, c)
	d, err := LogSoftmax(x, -1)
	require.NoError(t, err)
	assert.Same(t, b, d, "the same computation may be shared")
}

func TestSoftmaxErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("x"))
	s := G.NewScalar(g, tensor.Float64, G.WithName("s"))
	xi := G.NewMatrix(g, tensor.Int, G.WithShape(2, 3), G.WithName("xi"))
	for name, f := range map[string]func() (*G.Node, error){
		"axis 2":  func() (*G.Node, error) { return LogSoftmax(x, 2) },
		"axis -3": func() (*G.Node, error) { return Softmax(x, -3) },
		"scalar":  func() (*G.Node, error) { return Softmax(s, 0) },
		"int":     func() (*G.Node, error) { return LogSoftmax(xi, 1) },
		"nil":     func() (*G.Node, error) { return LogSoftmax(nil, 1) },
	} {
		n, err := f()
		assert.Error(t, err, name)
		assert.Nil(t, n, name)
	}
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
