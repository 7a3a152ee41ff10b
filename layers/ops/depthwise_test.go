package ops

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type depthwiseCase struct {
	name                  string
	x                     []int // (N, C, H, W); w is (C, 1, kernel)
	kernel                [2]int
	stride, pad, dilation [2]int
}

func (c depthwiseCase) specs(seed uint64) []spec {
	return []spec{randSpec("x", seed, c.x...), randSpec("w", seed+1, c.x[1], 1, c.kernel[0], c.kernel[1])}
}

func (c depthwiseCase) build(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	return DepthwiseConv2d(in["x"], in["w"], c.stride, c.pad, c.dilation)
}

var depthwiseCases = []depthwiseCase{
	{"k3 p1", []int{2, 3, 7, 6}, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
	{"k3 s2 p1", []int{1, 4, 9, 8}, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, [2]int{}},
	{"k3x2 s2x1 p1x0", []int{2, 2, 5, 7}, [2]int{3, 2}, [2]int{2, 1}, [2]int{1, 0}, [2]int{}},
	{"k5 p2", []int{1, 3, 4, 4}, [2]int{5, 5}, [2]int{}, [2]int{2, 2}, [2]int{}},
	{"k1 s2", []int{3, 5, 6, 5}, [2]int{1, 1}, [2]int{2, 2}, [2]int{}, [2]int{}},
	// windows entirely in the padding: zero outputs along the border
	{"k1 p2", []int{1, 2, 3, 4}, [2]int{1, 1}, [2]int{}, [2]int{2, 2}, [2]int{}},
	{"k3 d2 p2", []int{1, 2, 7, 7}, [2]int{3, 3}, [2]int{}, [2]int{2, 2}, [2]int{2, 2}},
	{"k3x2 s2 p2x1 d2x3", []int{2, 3, 8, 9}, [2]int{3, 2}, [2]int{2, 2}, [2]int{2, 1}, [2]int{2, 3}},
}

func TestDepthwiseConv2dFiniteDiff(t *testing.T) {
	for _, c := range depthwiseCases {
		t.Run(c.name, func(t *testing.T) {
			checkFiniteDiff(t, c.specs(30), []string{"x", "w"}, c.build, 1e-6)
		})
	}
}

// TestDepthwiseConv2dGradFiniteDiff checks the backward passes' own
// gradients, which make DepthwiseConv2d differentiable twice.
func TestDepthwiseConv2dGradFiniteDiff(t *testing.T) {
	for _, c := range depthwiseCases[1:3] {
		c.stride, c.dilation = [2]int{max(c.stride[0], 1), max(c.stride[1], 1)}, [2]int{1, 1}
		xs, ws := tensor.Shape(c.x), tensor.Shape{c.x[1], 1, c.kernel[0], c.kernel[1]}
		geom := newDWGeom(xs, ws, c.stride, c.pad, c.dilation)
		dy := randSpec("dy", 33, geom.yShape()...)
		for _, p := range []struct {
			pass bilinearPass
			a    spec
		}{{passGradX, randSpec("a", 31, ws...)}, {passGradW, randSpec("a", 32, xs...)}} {
			t.Run(c.name+"/"+dwPassNames[p.pass], func(t *testing.T) {
				checkFiniteDiff(t, []spec{p.a, dy}, []string{"a", "dy"},
					func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
						return G.ApplyOp(&depthwiseOp{dwGeom: geom, pass: p.pass}, in["a"], in["dy"])
					}, 1e-6)
			})
		}
	}
}

func TestDepthwiseConv2dTorch(t *testing.T) {
	for _, f := range loadFixtures(t, "depthwise") {
		t.Run(f.Name, func(t *testing.T) {
			var p struct{ Stride, Pad, Dilation [2]int }
			f.params(t, &p)
			checkFixture(t, f, []spec{f.input("x"), f.input("w")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return DepthwiseConv2d(in["x"], in["w"], p.Stride, p.Pad, p.Dilation)
			})
		})
	}
}

// TestDepthwiseConv2dMatchesGrouped compares the output and both gradients
// with Conv2dGrouped, groups = channels, which is composed of Gorgonia's
// verified Conv2d.
func TestDepthwiseConv2dMatchesGrouped(t *testing.T) {
	for _, c := range depthwiseCases {
		t.Run(c.name, func(t *testing.T) {
			specs, wrt := c.specs(40), []string{"x", "w"}
			got := newHarness[float64](t, specs, wrt, nil, c.build)
			want := newHarness[float64](t, specs, wrt, nil, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return Conv2dGrouped(in["x"], in["w"], c.x[1], c.stride, c.pad, c.dilation)
			})
			got.run(t)
			want.run(t)
			assert.Equal(t, want.out.Shape(), got.out.Shape())
			assertClose(t, want.output(t), got.output(t), 1e-12, "output")
			for _, name := range wrt {
				assertClose(t, want.grad(t, name), got.grad(t, name), 1e-12, "gradient %s", name)
			}
		})
	}
}

// TestDepthwiseConv2dIsOneNode checks what makes DepthwiseConv2d worth
// having: its forward and backward graphs do not grow with the channels.
func TestDepthwiseConv2dIsOneNode(t *testing.T) {
	nodes := map[int]int{}
	for _, channels := range []int{1, 64} {
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, channels, 5, 5), G.WithName("x"))
		w := G.NewTensor(g, tensor.Float32, 4, G.WithShape(channels, 1, 3, 3), G.WithName("w"))
		y, err := DepthwiseConv2d(x, w, [2]int{2, 2}, [2]int{1, 1}, [2]int{})
		require.NoError(t, err)
		loss, err := G.Sum(y)
		require.NoError(t, err)
		_, err = G.Grad(loss, x, w)
		require.NoError(t, err)
		n := 0
		for _, node := range g.AllNodes() {
			if _, ok := node.Op().(*depthwiseOp); ok {
				n++
			}
		}
		assert.Equal(t, 3, n, "forward and two backward passes for %d channels", channels)
		nodes[channels] = len(g.AllNodes())
	}
	assert.Equal(t, nodes[1], nodes[64], "nodes of the graph for 1 and for 64 channels")
}

func TestDepthwiseConv2dErrors(t *testing.T) {
	cases := convErrorCases(func(g *G.ExprGraph, dt tensor.Dtype, k int, name string) *G.Node {
		return G.NewTensor(g, dt, 4, G.WithShape(4, 1, k, k), G.WithName(name))
	})
	x := cases["nil weight"].x
	g := x.Graph()
	cases["channels"] = convErrorCase{x, G.NewTensor(g, tensor.Float64, 4, G.WithShape(3, 1, 3, 3), G.WithName("w3")), [2]int{}, [2]int{}, [2]int{}, "Conv2dGrouped"}
	cases["multiplier 2"] = convErrorCase{x, G.NewTensor(g, tensor.Float64, 4, G.WithShape(8, 1, 3, 3), G.WithName("w8")), [2]int{}, [2]int{}, [2]int{}, "Conv2dGrouped"}
	cases["grouped weight"] = convErrorCase{x, G.NewTensor(g, tensor.Float64, 4, G.WithShape(4, 2, 3, 3), G.WithName("w2")), [2]int{}, [2]int{}, [2]int{}, "(C, 1, kh, kw)"}
	checkConvErrors(t, cases, DepthwiseConv2d)
}

// TestDepthwiseKernelRejectsWrongSizes runs the op on values of the wrong
// size, as a TapeMachine would if a bound tensor were replaced: an error,
// not a panic.
func TestDepthwiseKernelRejectsWrongSizes(t *testing.T) {
	geom := newDWGeom(tensor.Shape{1, 2, 4, 4}, tensor.Shape{2, 1, 3, 3}, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1})
	op := &depthwiseOp{dwGeom: geom}
	x := tensor.New(tensor.WithShape(1, 2, 4, 4), tensor.Of(tensor.Float64))
	w := tensor.New(tensor.WithShape(2, 1, 3, 2), tensor.Of(tensor.Float64))
	_, err := op.Do(x, w)
	assert.ErrorContains(t, err, "input 1 has 12 elements, want 18")
}

func TestParallelForRecovers(t *testing.T) {
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		seen := make([]bool, 10)
		err := parallelFor(len(seen), func(i int) { seen[i] = true })
		assert.NoError(t, err)
		assert.NotContains(t, seen, false, "every index with GOMAXPROCS %d", procs)
		err = parallelFor(10, func(i int) {
			if i == 7 {
				panic("boom")
			}
		})
		assert.ErrorContains(t, err, "boom", "GOMAXPROCS %d", procs)
		runtime.GOMAXPROCS(prev)
	}
}
