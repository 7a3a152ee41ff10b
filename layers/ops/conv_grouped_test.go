package ops

import (
	"testing"

	"github.com/stretchr/testify/assert"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConv2dGroupedFiniteDiff(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		x, w                  []int
		groups                int
		stride, pad, dilation [2]int
	}{
		{"groups 2", []int{2, 4, 4, 4}, []int{4, 2, 3, 3}, 2, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1}},
		{"depthwise stride 2", []int{2, 3, 5, 5}, []int{3, 1, 3, 3}, 3, [2]int{2, 2}, [2]int{1, 1}, [2]int{}},
		{"depthwise multiplier 2", []int{1, 2, 4, 4}, []int{4, 1, 2, 3}, 2, [2]int{}, [2]int{0, 1}, [2]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkFiniteDiff(t, []spec{randSpec("x", 18, tc.x...), randSpec("w", 19, tc.w...)}, []string{"x", "w"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return Conv2dGrouped(in["x"], in["w"], tc.groups, tc.stride, tc.pad, tc.dilation)
				}, 1e-6)
		})
	}
}

func TestConv2dGroupedTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "conv_grouped") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct {
				Groups                int
				Stride, Pad, Dilation [2]int
			}
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x"), f.input("w")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return Conv2dGrouped(in["x"], in["w"], p.Groups, p.Stride, p.Pad, p.Dilation)
			})
		})
	}
}

// Gorgonia has no grouped convolution, so there is no broken built-in to
// compare with.

func TestConv2dGroupedErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 4, 5, 5), G.WithName("x"))
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(4, 2, 3, 3), G.WithName("w"))
	w1 := G.NewTensor(g, tensor.Float64, 4, G.WithShape(4, 1, 3, 3), G.WithName("w1"))
	big := G.NewTensor(g, tensor.Float64, 4, G.WithShape(4, 2, 7, 7), G.WithName("big"))
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("m"))
	w32 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(4, 2, 3, 3), G.WithName("w32"))
	for name, f := range map[string]func() (*G.Node, error){
		"groups 3":           func() (*G.Node, error) { return Conv2dGrouped(x, w, 3, [2]int{}, [2]int{}, [2]int{}) },
		"groups 0":           func() (*G.Node, error) { return Conv2dGrouped(x, w, 0, [2]int{}, [2]int{}, [2]int{}) },
		"channels per group": func() (*G.Node, error) { return Conv2dGrouped(x, w1, 2, [2]int{}, [2]int{}, [2]int{}) },
		"kernel too large":   func() (*G.Node, error) { return Conv2dGrouped(x, big, 2, [2]int{}, [2]int{}, [2]int{}) },
		"dilated too large":  func() (*G.Node, error) { return Conv2dGrouped(x, w, 2, [2]int{}, [2]int{}, [2]int{3, 3}) },
		"negative pad":       func() (*G.Node, error) { return Conv2dGrouped(x, w, 2, [2]int{}, [2]int{-1, 0}, [2]int{}) },
		"2-d input":          func() (*G.Node, error) { return Conv2dGrouped(m, w, 2, [2]int{}, [2]int{}, [2]int{}) },
		"dtype":              func() (*G.Node, error) { return Conv2dGrouped(x, w32, 2, [2]int{}, [2]int{}, [2]int{}) },
		"nil":                func() (*G.Node, error) { return Conv2dGrouped(x, nil, 2, [2]int{}, [2]int{}, [2]int{}) },
	} {
		n, err := f()
		assert.Error(t, err, name)
		assert.Nil(t, n, name)
	}
}
