package ops

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type conv2dCase struct {
	name                  string
	x                     []int // (N, C, H, W); w is (out, C, kernel)
	out                   int
	kernel                [2]int
	stride, pad, dilation [2]int
}

func (c conv2dCase) specs(seed uint64) []spec {
	return []spec{randSpec("x", seed, c.x...), randSpec("w", seed+1, c.out, c.x[1], c.kernel[0], c.kernel[1])}
}

func (c conv2dCase) build(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	return Conv2d(in["x"], in["w"], c.stride, c.pad, c.dilation)
}

// gorgonia is Gorgonia's Conv2d, verified against PyTorch.
func (c conv2dCase) gorgonia(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	s, d := c.stride, c.dilation
	for i := range s {
		s[i], d[i] = max(s[i], 1), max(d[i], 1)
	}
	return G.Conv2d(in["x"], in["w"], tensor.Shape{c.kernel[0], c.kernel[1]}, c.pad[:], s[:], d[:])
}

// closeToGorgonia checks the op's float64 output and gradients against
// Gorgonia's Conv2d to 1e-12 and returns Gorgonia's output.
func (c conv2dCase) closeToGorgonia(t *testing.T, specs []spec, wrt []string) []float64 {
	t.Helper()
	got := newHarness[float64](t, specs, wrt, nil, c.build)
	want := newHarness[float64](t, specs, wrt, nil, c.gorgonia)
	got.run(t)
	want.run(t)
	assert.Equal(t, want.out.Shape(), got.out.Shape())
	assertClose(t, want.output(t), got.output(t), 1e-12, "output")
	for _, name := range wrt {
		assertClose(t, want.grad(t, name), got.grad(t, name), 1e-12, "gradient %s", name)
	}
	return want.output(t)
}

var conv2dCases = []conv2dCase{
	{"k3 p1", []int{2, 3, 7, 6}, 4, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
	{"k3 s2 p1", []int{3, 2, 9, 8}, 5, [2]int{3, 3}, [2]int{2, 2}, [2]int{1, 1}, [2]int{}},
	{"k3x2 s2x1 p1x0", []int{2, 2, 5, 7}, 3, [2]int{3, 2}, [2]int{2, 1}, [2]int{1, 0}, [2]int{}},
	{"k5 p2", []int{1, 3, 4, 4}, 2, [2]int{5, 5}, [2]int{}, [2]int{2, 2}, [2]int{}},
	{"k5 lenet", []int{3, 1, 12, 12}, 6, [2]int{5, 5}, [2]int{}, [2]int{}, [2]int{}},
	// 1×1 stride 1 no padding: the columns are the image itself
	{"k1 direct", []int{3, 5, 4, 3}, 7, [2]int{1, 1}, [2]int{}, [2]int{}, [2]int{}},
	{"k1 s2", []int{3, 5, 6, 5}, 4, [2]int{1, 1}, [2]int{2, 2}, [2]int{}, [2]int{}},
	// windows entirely in the padding: zero outputs along the border
	{"k1 p2", []int{1, 2, 3, 4}, 3, [2]int{1, 1}, [2]int{}, [2]int{2, 2}, [2]int{}},
	{"k3 d2 p2", []int{2, 2, 7, 7}, 3, [2]int{3, 3}, [2]int{}, [2]int{2, 2}, [2]int{2, 2}},
	{"k3x2 s2x3 p2x1 d2x3", []int{3, 3, 8, 9}, 2, [2]int{3, 2}, [2]int{2, 3}, [2]int{2, 1}, [2]int{2, 3}},
	{"k7 s2 p3 odd", []int{5, 3, 11, 13}, 9, [2]int{7, 7}, [2]int{2, 2}, [2]int{3, 3}, [2]int{}},
	// P = 100: the weight gradient takes 3 images per GEMM, with a last
	// group of 1 (7 images on one core) or of 1 on one of two cores
	{"weight-gradient groups", []int{7, 2, 10, 10}, 3, [2]int{3, 3}, [2]int{}, [2]int{1, 1}, [2]int{}},
	{"k1 direct weight-gradient groups", []int{7, 3, 10, 10}, 4, [2]int{1, 1}, [2]int{}, [2]int{}, [2]int{}},
}

func TestConv2dFiniteDiff(t *testing.T) {
	for _, c := range conv2dCases[:10] {
		t.Run(c.name, func(t *testing.T) {
			checkFiniteDiff(t, c.specs(70), []string{"x", "w"}, c.build, 1e-6)
		})
	}
}

// TestConv2dGradFiniteDiff checks the backward passes' own gradients,
// which make Conv2d differentiable twice.
func TestConv2dGradFiniteDiff(t *testing.T) {
	for _, c := range []conv2dCase{conv2dCases[2], conv2dCases[5]} {
		c.stride, c.dilation = [2]int{max(c.stride[0], 1), max(c.stride[1], 1)}, [2]int{1, 1}
		xs, ws := tensor.Shape(c.x), tensor.Shape{c.out, c.x[1], c.kernel[0], c.kernel[1]}
		geom := newConvGeom(xs, ws, c.stride, c.pad, c.dilation)
		dy := randSpec("dy", 73, geom.yShape()...)
		for _, p := range []struct {
			pass bilinearPass
			a    spec
		}{{passGradX, randSpec("a", 71, ws...)}, {passGradW, randSpec("a", 72, xs...)}} {
			t.Run(c.name+"/"+convPassNames[p.pass], func(t *testing.T) {
				checkFiniteDiff(t, []spec{p.a, dy}, []string{"a", "dy"},
					func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
						return G.ApplyOp(&conv2dOp{convGeom: geom, pass: p.pass}, in["a"], in["dy"])
					}, 1e-6)
			})
		}
	}
}

// TestConv2dMatchesGorgonia compares the output and both gradients with
// Gorgonia's Conv2d, in float64 and float32, with one core and with two
// (the images are split between the cores).
func TestConv2dMatchesGorgonia(t *testing.T) {
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		for _, c := range conv2dCases {
			t.Run(c.name, func(t *testing.T) {
				specs, wrt := c.specs(80), []string{"x", "w"}
				want := c.closeToGorgonia(t, specs, wrt)
				got32 := newHarness[float32](t, specs, wrt, nil, c.build)
				want32 := newHarness[float32](t, specs, wrt, nil, c.gorgonia)
				got32.run(t)
				want32.run(t)
				// relative to max(1, |want|): float32 sums of a few hundred
				// products of normals
				assertClose(t, want32.output(t), got32.output(t), 1e-4, "float32 output")
				for _, name := range wrt {
					assertClose(t, want32.grad(t, name), got32.grad(t, name), 1e-4, "float32 gradient %s", name)
				}
				assertClose(t, want, got32.output(t), 1e-4, "float32 output vs float64")
			})
		}
		runtime.GOMAXPROCS(prev)
	}
}

// TestConv2dSharedPackingGroups forces groups of two images (with a tail
// of one) to share one packing of the filters, instead of a whole core's
// chunk, and compares with Gorgonia's Conv2d as above.
func TestConv2dSharedPackingGroups(t *testing.T) {
	defer func(b int) { colBudget = b }(colBudget)
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	for _, c := range []conv2dCase{conv2dCases[1], conv2dCases[4], conv2dCases[10]} {
		t.Run(c.name, func(t *testing.T) {
			s, d := c.stride, c.dilation
			for i := range s {
				s[i], d[i] = max(s[i], 1), max(d[i], 1)
			}
			l := newConvGeom(tensor.Shape(c.x), tensor.Shape{c.out, c.x[1], c.kernel[0], c.kernel[1]}, s, c.pad, d).loop()
			colBudget = 2*l.k*l.p + 1
			c.closeToGorgonia(t, c.specs(81), []string{"x", "w"})
		})
	}
}

// TestConv2dRepeatable runs one compiled graph twice: the pooled column
// buffers must not carry anything from one run into the next.
func TestConv2dRepeatable(t *testing.T) {
	c := conv2dCases[1]
	h := newHarness[float32](t, c.specs(90), []string{"x", "w"}, nil, c.build)
	first := h.run(t)
	out, dx, dw := h.output(t), h.grad(t, "x"), h.grad(t, "w")
	assert.Equal(t, first, h.run(t))
	assert.Equal(t, out, h.output(t))
	assert.Equal(t, dx, h.grad(t, "x"))
	assert.Equal(t, dw, h.grad(t, "w"))
}

// TestConv2dNotMerged checks that hash-consing keeps convolutions over
// different weights, or with different geometry, apart.
func TestConv2dNotMerged(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(2, 3, 6, 6), G.WithName("x"))
	w1 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(4, 3, 3, 3), G.WithName("w1"))
	w2 := G.NewTensor(g, tensor.Float32, 4, G.WithShape(4, 3, 3, 3), G.WithName("w2"))
	y1, err := Conv2d(x, w1, [2]int{}, [2]int{1, 1}, [2]int{})
	require.NoError(t, err)
	y2, err := Conv2d(x, w2, [2]int{}, [2]int{1, 1}, [2]int{})
	require.NoError(t, err)
	y3, err := Conv2d(x, w1, [2]int{}, [2]int{1, 1}, [2]int{})
	require.NoError(t, err)
	y4, err := Conv2d(x, w1, [2]int{2, 2}, [2]int{1, 1}, [2]int{})
	require.NoError(t, err)
	assert.NotSame(t, y1, y2, "different weights")
	assert.Same(t, y1, y3, "same inputs and geometry")
	assert.NotSame(t, y1, y4, "different stride")
}

func TestConv2dErrors(t *testing.T) {
	cases := convErrorCases(func(g *G.ExprGraph, dt tensor.Dtype, k int, name string) *G.Node {
		return G.NewTensor(g, dt, 4, G.WithShape(6, 4, k, k), G.WithName(name))
	})
	cases["channels"] = convErrorCase{cases["nil weight"].x, G.NewTensor(cases["nil weight"].x.Graph(), tensor.Float64, 4, G.WithShape(6, 2, 3, 3), G.WithName("w2")), [2]int{}, [2]int{}, [2]int{}, "Conv2dGrouped"}
	checkConvErrors(t, cases, Conv2d)
}

// convErrorCase is one invalid call of a convolution.
type convErrorCase struct {
	x, w                  *G.Node
	stride, pad, dilation [2]int
	want                  string
}

// convErrorCases are the invalid calls every convolution must reject, for
// an input (1, 4, 5, 5) and weights made by weight (of the given dtype,
// k×k kernel and name, in graph g; valid for k = 3 and float64).
func convErrorCases(weight func(g *G.ExprGraph, dt tensor.Dtype, k int, name string) *G.Node) map[string]convErrorCase {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 4, 5, 5), G.WithName("x"))
	w := weight(g, tensor.Float64, 3, "w")
	var none [2]int
	return map[string]convErrorCase{
		"kernel too large":  {x, weight(g, tensor.Float64, 7, "big"), none, none, none, "larger than the padded input"},
		"dilated too large": {x, w, none, none, [2]int{3, 3}, "larger than the padded input"},
		"negative pad":      {x, w, none, [2]int{-1, 0}, none, "must not be negative"},
		"negative stride":   {x, w, [2]int{1, -1}, none, none, "must not be negative"},
		"2-d input":         {G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("m")), w, none, none, none, "(N, C, H, W)"},
		"dtype":             {x, weight(g, tensor.Float32, 3, "w32"), none, none, none, "dtype"},
		"integer":           {G.NewTensor(g, tensor.Int, 4, G.WithShape(1, 4, 5, 5), G.WithName("xi")), w, none, none, none, "float32 and float64"},
		"other graph":       {x, weight(G.NewGraph(), tensor.Float64, 3, "w"), none, none, none, "different graphs"},
		"nil weight":        {x, nil, none, none, none, "nil"},
		"nil input":         {nil, w, none, none, none, "nil"},
	}
}

// checkConvErrors requires conv to return an error containing each case's
// text, and no node.
func checkConvErrors(t *testing.T, cases map[string]convErrorCase, conv func(x, w *G.Node, stride, pad, dilation [2]int) (*G.Node, error)) {
	t.Helper()
	for name, c := range cases {
		n, err := conv(c.x, c.w, c.stride, c.pad, c.dilation)
		assert.ErrorContains(t, err, c.want, name)
		assert.Nil(t, n, name)
	}
}

// TestConv2dKernelRejectsWrongSizes runs the op on values of the wrong
// size: an error, not a panic.
func TestConv2dKernelRejectsWrongSizes(t *testing.T) {
	geom := newConvGeom(tensor.Shape{1, 2, 4, 4}, tensor.Shape{3, 2, 3, 3}, [2]int{1, 1}, [2]int{1, 1}, [2]int{1, 1})
	op := &conv2dOp{convGeom: geom}
	x := tensor.New(tensor.WithShape(1, 2, 4, 4), tensor.Of(tensor.Float64))
	w := tensor.New(tensor.WithShape(3, 2, 3, 2), tensor.Of(tensor.Float64))
	_, err := op.Do(x, w)
	assert.ErrorContains(t, err, "input 1 has 36 elements, want 54")
}

// TestConv2dTorch runs the groups = 1 cases of the grouped convolution's
// PyTorch fixtures (layers' parity tests cover more, through layers.Conv2d).
func TestConv2dTorch(t *testing.T) {
	ran := 0
	for _, f := range loadFixtures(t, "conv_grouped") {
		var p struct {
			Groups                int
			Stride, Pad, Dilation [2]int
		}
		f.params(t, &p)
		if p.Groups != 1 {
			continue
		}
		ran++
		t.Run(f.Name, func(t *testing.T) {
			checkFixture(t, f, []spec{f.input("x"), f.input("w")}, func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
				return Conv2d(in["x"], in["w"], p.Stride, p.Pad, p.Dilation)
			})
		})
	}
	assert.Positive(t, ran, "fixtures with groups = 1")
}

// biased adds a bias input to the case's specs.
func (c conv2dCase) biasedSpecs(seed uint64) []spec {
	return append(c.specs(seed), randSpec("b", seed+2, c.out))
}

func (c conv2dCase) buildBias(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	return Conv2dBias(in["x"], in["w"], in["b"], c.stride, c.pad, c.dilation)
}

// gorgoniaBias is what layers.Conv2d computed before Conv2dBias: Gorgonia's
// Conv2d, then BroadcastAdd of the reshaped bias.
func (c conv2dCase) gorgoniaBias(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	y, err := c.gorgonia(g, in)
	if err != nil {
		return nil, err
	}
	b4, err := G.Reshape(in["b"], tensor.Shape{1, c.out, 1, 1})
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, b4, nil, []byte{0, 2, 3})
}

func TestConv2dBiasFiniteDiff(t *testing.T) {
	for _, c := range []conv2dCase{conv2dCases[1], conv2dCases[5], conv2dCases[9]} {
		t.Run(c.name, func(t *testing.T) {
			checkFiniteDiff(t, c.biasedSpecs(75), []string{"x", "w", "b"}, c.buildBias, 1e-6)
		})
	}
}

func TestConv2dBiasMatchesGorgonia(t *testing.T) {
	for _, c := range conv2dCases {
		t.Run(c.name, func(t *testing.T) {
			specs, wrt := c.biasedSpecs(85), []string{"x", "w", "b"}
			got := newHarness[float64](t, specs, wrt, nil, c.buildBias)
			want := newHarness[float64](t, specs, wrt, nil, c.gorgoniaBias)
			got.run(t)
			want.run(t)
			assertClose(t, want.output(t), got.output(t), 1e-12, "output")
			for _, name := range wrt {
				assertClose(t, want.grad(t, name), got.grad(t, name), 1e-12, "gradient %s", name)
			}
			got32 := newHarness[float32](t, specs, wrt, nil, c.buildBias)
			want32 := newHarness[float32](t, specs, wrt, nil, c.gorgoniaBias)
			got32.run(t)
			want32.run(t)
			assertClose(t, want32.output(t), got32.output(t), 1e-4, "float32 output")
			for _, name := range wrt {
				assertClose(t, want32.grad(t, name), got32.grad(t, name), 1e-4, "float32 gradient %s", name)
			}
		})
	}
}

func TestConv2dBiasErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 4, 5, 5), G.WithName("x"))
	w := G.NewTensor(g, tensor.Float64, 4, G.WithShape(6, 4, 3, 3), G.WithName("w"))
	b := G.NewVector(g, tensor.Float64, G.WithShape(6), G.WithName("b"))
	for name, c := range map[string]struct {
		x, w, b *G.Node
		want    string
	}{
		"bias shape": {x, w, G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("b4")), "want (6)"},
		"bias dtype": {x, w, G.NewVector(g, tensor.Float32, G.WithShape(6), G.WithName("b32")), "dtype"},
		"nil bias":   {x, w, nil, "nil"},
		"channels":   {x, G.NewTensor(g, tensor.Float64, 4, G.WithShape(6, 2, 3, 3), G.WithName("w2")), b, "Conv2dGrouped"},
		"nil input":  {nil, w, b, "nil"},
	} {
		n, err := Conv2dBias(c.x, c.w, c.b, [2]int{}, [2]int{}, [2]int{})
		assert.ErrorContains(t, err, c.want, name)
		assert.Nil(t, n, name)
	}
	y1, err := Conv2dBias(x, w, b, [2]int{}, [2]int{}, [2]int{})
	require.NoError(t, err)
	y2, err := Conv2d(x, w, [2]int{}, [2]int{}, [2]int{})
	require.NoError(t, err)
	assert.NotSame(t, y1, y2, "with and without bias")
}

// With NoInputGrad the parameter gradients are the same and no gradient
// pass with respect to x is built.
func TestConvNoInputGrad(t *testing.T) {
	build := func(noGrad bool) (G.Nodes, *G.ExprGraph, *G.Node, *G.Node) {
		g := G.NewGraph()
		x := G.NewTensor(g, G.Float64, 4, G.WithShape(2, 3, 6, 5), G.WithName("x"), G.WithInit(G.RangedFrom(0)))
		w := G.NewTensor(g, G.Float64, 4, G.WithShape(4, 3, 3, 3), G.WithName("w"), G.WithInit(G.RangedFrom(1)))
		b := G.NewVector(g, G.Float64, G.WithShape(4), G.WithName("b"), G.WithInit(G.RangedFrom(2)))
		y, err := Conv{Pad: [2]int{1, 1}, NoInputGrad: noGrad}.Apply(x, w, b)
		require.NoError(t, err)
		loss, err := Sum(y)
		require.NoError(t, err)
		_, err = G.Grad(loss, w, b)
		require.NoError(t, err)
		vm := G.NewTapeMachine(g, G.BindDualValues(w, b))
		defer vm.Close()
		require.NoError(t, vm.RunAll())
		return g.AllNodes(), g, w, b
	}
	countGradX := func(nodes G.Nodes) int {
		n := 0
		for _, nd := range nodes {
			if op, ok := nd.Op().(*conv2dOp); ok && op.pass == passGradX {
				n++
			}
		}
		return n
	}
	allA, _, wA, bA := build(false)
	allB, _, wB, bB := build(true)
	assert.Equal(t, 1, countGradX(allA))
	assert.Equal(t, 0, countGradX(allB))
	for _, pair := range [][2]*G.Node{{wA, wB}, {bA, bB}} {
		ga, err := pair[0].Grad()
		require.NoError(t, err)
		gb, err := pair[1].Grad()
		require.NoError(t, err)
		assert.Equal(t, ga.Data(), gb.Data())
	}
}
