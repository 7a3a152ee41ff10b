package ops

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestReduceFiniteDiff(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape []int
		axes  []int
		mean  bool
	}{
		{"sum 4d axes 2,3", []int{2, 3, 2, 3}, []int{2, 3}, false},
		{"mean 4d axes 2,3", []int{2, 3, 2, 3}, []int{2, 3}, true},
		{"mean 4d axes 0,2", []int{2, 3, 2, 3}, []int{0, 2}, true},
		{"sum 3d axis 1", []int{2, 3, 4}, []int{1}, false},
		{"mean all", []int{2, 3, 4}, nil, true},
		{"sum 1d", []int{5}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkFiniteDiff(t, []spec{randSpec("x", 1, tc.shape...)}, []string{"x"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					if tc.mean {
						return Mean(in["x"], tc.axes...)
					}
					return Sum(in["x"], tc.axes...)
				}, 1e-6)
		})
	}
}

func TestExpandFiniteDiff(t *testing.T) {
	// expandOp (Sum's and Mean's backward) is itself differentiable, with
	// reduceOp as its gradient: check that pair directly. (Grad can be
	// called only once per graph, so a second-order Grad cannot be checked
	// through the harness.)
	op := &expandOp{in: tensor.Shape{2, 3, 4}, axes: []int{0, 2}, scale: 0.5}
	checkFiniteDiff(t, []spec{randSpec("g", 5, 3)}, []string{"g"},
		func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return G.ApplyOp(op, in["g"]) }, 1e-6)
}

func TestReduceTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "reduce") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Op   string `json:"op"`
				Axes []int  `json:"axes"`
			}
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				switch p.Op {
				case "sum":
					return Sum(in["x"], p.Axes...)
				case "mean":
					return Mean(in["x"], p.Axes...)
				default:
					return GlobalAvgPool2d(in["x"])
				}
			})
		})
	}
}

// TestReduceBuiltinBroken shows gorgonia.Mean and gorgonia.Sum over axes
// 2,3 of a 4-D tensor are wrong where ours match PyTorch. (Measured: the
// built-ins are right for the other axis sets in reduce.json.)
func TestReduceBuiltinBroken(t *testing.T) {
	fixtures := map[string]fixture{}
	for _, c := range loadFixtures(t, "reduce") {
		fixtures[c.Name] = c
	}
	for _, tc := range []struct {
		fixture       string
		builtin, ours func(*G.Node, ...int) (*G.Node, error)
	}{
		{"mean_[2, 3]", G.Mean, Mean},
		{"sum_[2, 3]", G.Sum, Sum},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			f, ok := fixtures[tc.fixture]
			require.True(t, ok)
			builtin := newHarness[float64](t, []spec{f.input("x")}, nil, f.Weight.Data,
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return tc.builtin(in["x"], 2, 3) })
			builtin.run(t)
			ours := newHarness[float64](t, []spec{f.input("x")}, nil, f.Weight.Data,
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) { return tc.ours(in["x"], 2, 3) })
			ours.run(t)
			assertClose(t, f.Output.Data, ours.output(t), 1e-12, "ours")
			assert.Greater(t, maxAbsDiff(f.Output.Data, builtin.output(t)), 0.1, "the built-in over axes 2, 3 was expected to be wrong")
		})
	}
}

func TestReduceErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 3, G.WithShape(2, 3, 4), G.WithName("x"))
	xi := G.NewTensor(g, tensor.Int, 2, G.WithShape(2, 3), G.WithName("xi"))
	s := G.NewScalar(g, tensor.Float64, G.WithName("s"))
	for _, tc := range []struct {
		name string
		f    func() (*G.Node, error)
	}{
		{"axis out of range", func() (*G.Node, error) { return Sum(x, 3) }},
		{"negative out of range", func() (*G.Node, error) { return Mean(x, -4) }},
		{"duplicate", func() (*G.Node, error) { return Sum(x, 1, -2) }},
		{"int dtype", func() (*G.Node, error) { return Sum(xi) }},
		{"scalar", func() (*G.Node, error) { return Mean(s) }},
		{"nil", func() (*G.Node, error) { return Sum(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.f()
			assert.Error(t, err)
			assert.Nil(t, n)
		})
	}
}

func TestReduceShapes(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 4, 5), G.WithName("x"))
	for _, tc := range []struct {
		axes []int
		want tensor.Shape
	}{
		{[]int{2, 3}, tensor.Shape{2, 3}},
		{[]int{-1}, tensor.Shape{2, 3, 4}},
		{[]int{0, 2}, tensor.Shape{3, 5}},
		{nil, tensor.ScalarShape()},
	} {
		n, err := Mean(x, tc.axes...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, n.Shape(), "axes %v", tc.axes)
		assert.Equal(t, len(tc.want) == 0, n.IsScalar())
	}
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return 1e300
	}
	m := 0.0
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		if d != d {
			return 1e300
		}
		if d > m {
			m = d
		}
	}
	return m
}
