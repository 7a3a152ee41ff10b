package ops

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type poolCase struct {
	name                string
	shape               []int
	kernel, stride, pad [2]int
	includePad, ceil    bool
}

var poolCases = []poolCase{
	{"k2 s2", []int{1, 2, 4, 4}, [2]int{2, 2}, [2]int{2, 2}, [2]int{}, true, false},
	{"k3 s2 p1", []int{2, 1, 5, 4}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, true, false},
	{"k3 s2 p1 exclude pad", []int{2, 1, 5, 4}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, false},
	{"k3 s2 p1 ceil", []int{1, 2, 6, 6}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, true, true},
	{"k3x2 s1x2 p1x0 ceil exclude", []int{1, 1, 5, 7}, [2]int{3, 2}, [2]int{1, 2}, [2]int{1, 0}, false, true},
	{"default stride", []int{1, 1, 6, 6}, [2]int{3, 3}, [2]int{}, [2]int{}, true, false},
}

func TestAvgPoolFiniteDiff(t *testing.T) {
	for _, tc := range poolCases {
		t.Run(tc.name, func(t *testing.T) {
			checkFiniteDiff(t, []spec{randSpec("x", 8, tc.shape...)}, []string{"x"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return AvgPool2d(in["x"], tc.kernel, tc.stride, tc.pad, tc.includePad, tc.ceil)
				}, 1e-6)
		})
	}
}

func TestAvgPoolGradFiniteDiff(t *testing.T) {
	// the backward op's own gradient (the forward pool): second order
	for _, tc := range poolCases[1:4] {
		t.Run(tc.name, func(t *testing.T) {
			stride := tc.stride
			if stride == [2]int{} {
				stride = tc.kernel
			}
			p, err := newPoolParams(tensor.Shape(tc.shape), tc.kernel, stride, tc.pad, tc.includePad, tc.ceil)
			require.NoError(t, err)
			checkFiniteDiff(t, []spec{randSpec("g", 9, p.outShape()...)}, []string{"g"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return G.ApplyOp(&avgPoolGradOp{poolParams: p}, in["g"])
				}, 1e-6)
		})
	}
}

func TestAvgPoolTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "avgpool") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Kernel, Stride, Pad [2]int
				CountIncludePad     bool `json:"count_include_pad"`
				CeilMode            bool `json:"ceil_mode"`
			}
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return AvgPool2d(in["x"], p.Kernel, p.Stride, p.Pad, p.CountIncludePad, p.CeilMode)
			})
		})
	}
}

// TestAvgPoolBuiltinBroken: Gorgonia's AveragePool2D divides by the input
// width. Only its forward is run here: its backward can index out of range
// inside RunAll, which would kill the test process.
func TestAvgPoolBuiltinBroken(t *testing.T) {
	var f fixture
	for _, c := range loadFixtures(t, "avgpool") {
		if c.Name == "k(2, 2)_s(2, 2)_p(0, 0)_cip1_ceil0" {
			f = c
		}
	}
	require.NotEmpty(t, f.Name)
	x := f.input("x")
	ours := newHarness[float32](t, []spec{x}, nil, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return AvgPool2d(in["x"], [2]int{2, 2}, [2]int{2, 2}, [2]int{}, true, false)
	})
	ours.run(t)
	assertClose(t, f.Output.Data, ours.output(t), 1e-6, "ours")
	builtin := newHarness[float32](t, []spec{x}, nil, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
		return G.AveragePool2D(in["x"], tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
	})
	builtin.run(t)
	got := builtin.output(t)
	require.Len(t, got, len(f.Output.Data))
	assert.Greater(t, maxAbsDiff(f.Output.Data, got), 0.1, "Gorgonia's AveragePool2D was expected to be wrong")
	// it divides the window sum (4 elements) by the width 6 instead of 4
	assertClose(t, scale(f.Output.Data, 4.0/6), got, 1e-6, "built-in = sum/width")
}

func TestAvgPoolErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 1, 4, 4), G.WithName("x"))
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 4), G.WithName("m"))
	for _, tc := range []struct {
		name                string
		x                   *G.Node
		kernel, stride, pad [2]int
	}{
		{"3-d input", m, [2]int{2, 2}, [2]int{}, [2]int{}},
		{"zero kernel", x, [2]int{0, 2}, [2]int{1, 1}, [2]int{}},
		{"negative stride", x, [2]int{2, 2}, [2]int{-1, 1}, [2]int{}},
		{"half zero stride", x, [2]int{2, 2}, [2]int{0, 1}, [2]int{}},
		{"pad over half kernel", x, [2]int{2, 2}, [2]int{1, 1}, [2]int{2, 0}},
		{"negative pad", x, [2]int{2, 2}, [2]int{1, 1}, [2]int{-1, 0}},
		{"kernel too large", x, [2]int{5, 2}, [2]int{1, 1}, [2]int{}},
		{"nil", nil, [2]int{2, 2}, [2]int{1, 1}, [2]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := AvgPool2d(tc.x, tc.kernel, tc.stride, tc.pad, true, false)
			assert.Error(t, err)
			assert.Nil(t, n)
		})
	}
}

func TestAvgPoolOutputShapes(t *testing.T) {
	// sizes from torch.nn.AvgPool2d for a 7x6 input
	for _, tc := range []struct {
		kernel, stride, pad [2]int
		ceil                bool
		h, w                int
	}{
		{[2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, false, 4, 3},
		{[2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, true, 4, 4},
		{[2]int{2, 2}, [2]int{2, 2}, [2]int{0, 0}, true, 4, 3},
		{[2]int{2, 2}, [2]int{2, 2}, [2]int{1, 1}, true, 4, 4},
		{[2]int{7, 6}, [2]int{1, 1}, [2]int{0, 0}, false, 1, 1},
	} {
		p, err := newPoolParams(tensor.Shape{1, 1, 7, 6}, tc.kernel, tc.stride, tc.pad, true, tc.ceil)
		require.NoError(t, err)
		assert.Equal(t, [2]int{tc.h, tc.w}, [2]int{p.outH, p.outW}, "%+v", tc)
	}
}

func scale(x []float64, s float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * s
	}
	return out
}
