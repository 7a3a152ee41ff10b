package ops

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

type linearCase struct {
	name           string
	batch, in, out int
	bias           bool
}

func (c linearCase) specs(seed uint64) []spec {
	s := []spec{randSpec("x", seed, c.batch, c.in), randSpec("w", seed+1, c.out, c.in)}
	if c.bias {
		s = append(s, randSpec("b", seed+2, c.out))
	}
	return s
}

func (c linearCase) wrt() []string {
	if c.bias {
		return []string{"x", "w", "b"}
	}
	return []string{"x", "w"}
}

func (c linearCase) build(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	return Linear(in["x"], in["w"], in["b"])
}

// composed is what layers.Linear computed before Linear existed, from
// Gorgonia's verified Mul, Transpose and BroadcastAdd.
func (c linearCase) composed(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
	wt, err := G.Transpose(in["w"])
	if err != nil {
		return nil, err
	}
	y, err := G.Mul(in["x"], wt)
	if err != nil || !c.bias {
		return y, err
	}
	return G.BroadcastAdd(y, in["b"], nil, []byte{0})
}

var linearCases = []linearCase{
	{"1x1x1", 1, 1, 1, true},
	{"3x5x2 no bias", 3, 5, 2, false},
	{"4x7x3", 4, 7, 3, true},
	{"odd 13x37x11", 13, 37, 11, true},
	{"batch 1 wide", 1, 29, 17, true},
	{"17x9x31 no bias", 17, 9, 31, false},
	// large enough for fastblas to pack several blocks and use threads
	{"65x300x130", 65, 300, 130, true},
}

func TestLinearFiniteDiff(t *testing.T) {
	for _, c := range linearCases[:5] {
		t.Run(c.name, func(t *testing.T) {
			checkFiniteDiff(t, c.specs(50), c.wrt(), c.build, 1e-6)
		})
	}
}

// TestLinearGradFiniteDiff checks the backward passes' own gradients,
// which make Linear differentiable twice.
func TestLinearGradFiniteDiff(t *testing.T) {
	geom := linearGeom{batch: 3, in: 5, out: 4}
	dy := randSpec("dy", 53, geom.yShape()...)
	for _, p := range []struct {
		pass bilinearPass
		a    spec
	}{{passGradX, randSpec("a", 51, geom.wShape()...)}, {passGradW, randSpec("a", 52, geom.xShape()...)}} {
		t.Run(linPassNames[p.pass], func(t *testing.T) {
			checkFiniteDiff(t, []spec{p.a, dy}, []string{"a", "dy"},
				func(g *G.ExprGraph, in map[string]*G.Node) (*G.Node, error) {
					return G.ApplyOp(&linearOp{geom: geom, pass: p.pass}, in["a"], in["dy"])
				}, 1e-6)
		})
	}
}

// TestLinearMatchesComposition compares output and gradients with the
// composition Linear replaces, in float64 and float32.
func TestLinearMatchesComposition(t *testing.T) {
	for _, c := range linearCases {
		t.Run(c.name, func(t *testing.T) {
			specs, wrt := c.specs(60), c.wrt()
			got := newHarness[float64](t, specs, wrt, nil, c.build)
			want := newHarness[float64](t, specs, wrt, nil, c.composed)
			got.run(t)
			want.run(t)
			assert.Equal(t, want.out.Shape(), got.out.Shape())
			assertClose(t, want.output(t), got.output(t), 1e-12, "output")
			for _, name := range wrt {
				assertClose(t, want.grad(t, name), got.grad(t, name), 1e-12, "gradient %s", name)
			}
			got32 := newHarness[float32](t, specs, wrt, nil, c.build)
			want32 := newHarness[float32](t, specs, wrt, nil, c.composed)
			got32.run(t)
			want32.run(t)
			// relative to max(1, |want|): sums of up to 300 products of
			// normals carry float32 rounding of a few 1e-6 times their size
			assertClose(t, want32.output(t), got32.output(t), 1e-4, "float32 output")
			for _, name := range wrt {
				assertClose(t, want32.grad(t, name), got32.grad(t, name), 1e-4, "float32 gradient %s", name)
			}
			assertClose(t, want.output(t), got32.output(t), 1e-4, "float32 output vs float64")
		})
	}
}

// TestLinearNotMerged checks that Gorgonia's hash-consing keeps two Linear
// nodes of the same shapes apart when their weights differ, and merges them
// when everything is the same.
func TestLinearNotMerged(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 3), G.WithName("x"))
	w1 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("w1"))
	w2 := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("w2"))
	b := G.NewVector(g, tensor.Float32, G.WithShape(2), G.WithName("b"))
	y1, err := Linear(x, w1, b)
	require.NoError(t, err)
	y2, err := Linear(x, w2, b)
	require.NoError(t, err)
	y3, err := Linear(x, w1, b)
	require.NoError(t, err)
	y4, err := Linear(x, w1, nil)
	require.NoError(t, err)
	assert.NotSame(t, y1, y2, "different weights")
	assert.Same(t, y1, y3, "same inputs")
	assert.NotSame(t, y1, y4, "with and without bias")
	assert.NotEqual(t, y1.Hashcode(), y2.Hashcode())
}

func TestLinearErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 3), G.WithName("x"))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("w"))
	b := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("b"))
	for name, c := range map[string]struct {
		x, w, b *G.Node
		want    string
	}{
		"features":    {x, G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("w4")), nil, "x has 3 features but w expects 4"},
		"3-d input":   {G.NewTensor(g, tensor.Float64, 3, G.WithShape(1, 4, 3), G.WithName("x3")), w, nil, "flatten"},
		"bias shape":  {x, w, G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("b3")), "want (2)"},
		"bias dtype":  {x, w, G.NewVector(g, tensor.Float32, G.WithShape(2), G.WithName("b32")), "dtype"},
		"dtype":       {x, G.NewMatrix(g, tensor.Float32, G.WithShape(2, 3), G.WithName("w32")), b, "dtype"},
		"integer":     {G.NewMatrix(g, tensor.Int, G.WithShape(4, 3), G.WithName("xi")), w, b, "float32 and float64"},
		"other graph": {x, G.NewMatrix(G.NewGraph(), tensor.Float64, G.WithShape(2, 3), G.WithName("w")), b, "different graphs"},
		"nil weight":  {x, nil, b, "nil"},
		"nil input":   {nil, w, b, "nil"},
	} {
		n, err := Linear(c.x, c.w, c.b)
		assert.ErrorContains(t, err, c.want, name)
		assert.Nil(t, n, name)
	}
}

// TestLinearKernelRejectsWrongSizes runs the op on values of the wrong
// size, as a TapeMachine would if a bound tensor were replaced: an error,
// not a panic.
func TestLinearKernelRejectsWrongSizes(t *testing.T) {
	op := &linearOp{geom: linearGeom{batch: 2, in: 3, out: 4}}
	x := tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float32))
	w := tensor.New(tensor.WithShape(4, 2), tensor.Of(tensor.Float32))
	_, err := op.Do(x, w)
	assert.ErrorContains(t, err, "input 1 has 8 elements, want 12")
}
