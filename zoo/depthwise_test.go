package zoo

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
)

// groupedConv is the reference: layers.Conv2d with Groups = In = Out,
// which is verified against PyTorch in package layers.
type groupedConv struct{ depthwiseConv }

func (g groupedConv) Forward(s *graph.Scope, x *G.Node) (*G.Node, error) {
	d := g.depthwiseConv
	return L.Conv2d{In: d.Channels, Out: d.Channels, Groups: d.Channels, Kernel: d.Kernel, Stride: d.Stride, Padding: d.Padding, NoBias: true}.Forward(s, x)
}

// runConv runs layer on x in float64 with loss Σ y ⊙ r and returns the
// output, the input gradient and the weight gradient. weights are copied
// into "weight" first.
func runConv(t *testing.T, layer graph.Layer, x, weight, r *tensor.Dense) (y, dx, dw []float64) {
	t.Helper()
	st, err := graph.NewStore(tensor.Float64, 1)
	require.NoError(t, err)
	p, err := graph.Compile(st, layer, graph.Spec{Mode: graph.Train, Input: x.Shape(), Loss: dot, InputGrad: true})
	require.NoError(t, err)
	defer p.Close()
	w, ok := st.Lookup("weight")
	require.True(t, ok)
	require.NoError(t, tensor.Copy(w.Value, weight))
	res, err := p.Run(x, r)
	require.NoError(t, err)
	gx, err := p.InputGrad()
	require.NoError(t, err)
	grads, err := p.Grads()
	require.NoError(t, err)
	return graph.Float64s(res.Output), graph.Float64s(gx), graph.Float64s(grads["weight"])
}

func randDense(rng *rand.Rand, shape ...int) *tensor.Dense {
	t := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(shape...))
	d := t.Data().([]float64)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return t
}

// TestDepthwiseMatchesGroupedConv compares the depthwise op's output and
// both gradients with layers.Conv2d(Groups = channels) on shapes with
// strides, paddings, non-square kernels and odd sizes.
func TestDepthwiseMatchesGroupedConv(t *testing.T) {
	cases := []struct {
		name  string
		in    [4]int
		layer depthwiseConv
	}{
		{"k3s1p1", [4]int{2, 3, 7, 6}, depthwiseConv{Channels: 3, Kernel: L.Sq(3), Padding: L.Sq(1)}},
		{"k3s2p1", [4]int{1, 4, 9, 8}, depthwiseConv{Channels: 4, Kernel: L.Sq(3), Stride: L.Sq(2), Padding: L.Sq(1)}},
		{"k3x2s21p10", [4]int{2, 2, 5, 7}, depthwiseConv{Channels: 2, Kernel: L.Pair{3, 2}, Stride: L.Pair{2, 1}, Padding: L.Pair{1, 0}}},
		{"k5p2", [4]int{1, 3, 4, 4}, depthwiseConv{Channels: 3, Kernel: L.Sq(5), Padding: L.Sq(2)}},
		{"k1s2", [4]int{3, 5, 6, 5}, depthwiseConv{Channels: 5, Kernel: L.Sq(1), Stride: L.Sq(2)}},
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			x := randDense(rng, in[:]...)
			w := randDense(rng, in[1], 1, c.layer.Kernel[0], c.layer.Kernel[1])
			st, err := graph.NewStore(tensor.Float64, 1)
			require.NoError(t, err)
			p, err := graph.Compile(st, c.layer, graph.Spec{Input: x.Shape()})
			require.NoError(t, err)
			r := randDense(rng, p.OutputShape()...)
			p.Close()

			y, dx, dw := runConv(t, c.layer, x, w, r)
			wy, wdx, wdw := runConv(t, groupedConv{c.layer}, x, w, r)
			assertClose(t, wy, y, 1e-12, "output")
			assertClose(t, wdx, dx, 1e-12, "input gradient")
			assertClose(t, wdw, dw, 1e-12, "weight gradient")
		})
	}
}

// TestDepthwiseFloat32 checks the float32 kernels against float64.
func TestDepthwiseFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	layer := depthwiseConv{Channels: 3, Kernel: L.Sq(3), Stride: L.Sq(2), Padding: L.Sq(1)}
	x := randDense(rng, 2, 3, 7, 7)
	w := randDense(rng, 3, 1, 3, 3)
	r := randDense(rng, 2, 3, 4, 4)
	y64, dx64, dw64 := runConv(t, layer, x, w, r)

	st, err := graph.NewStore(tensor.Float32, 1)
	require.NoError(t, err)
	p, err := graph.Compile(st, layer, graph.Spec{Mode: graph.Train, Input: x.Shape(), Loss: dot, InputGrad: true})
	require.NoError(t, err)
	defer p.Close()
	wv, _ := st.Lookup("weight")
	for i, v := range w.Data().([]float64) {
		wv.Value.Data().([]float32)[i] = float32(v)
	}
	res, err := p.Run(x, r)
	require.NoError(t, err)
	gx, err := p.InputGrad()
	require.NoError(t, err)
	grads, err := p.Grads()
	require.NoError(t, err)
	assertClose(t, y64, graph.Float64s(res.Output), 1e-6, "float32 output")
	assertClose(t, dx64, graph.Float64s(gx), 1e-6, "float32 input gradient")
	assertClose(t, dw64, graph.Float64s(grads["weight"]), 1e-6, "float32 weight gradient")
}

// TestDepthwiseRejects checks configuration and input errors.
func TestDepthwiseRejects(t *testing.T) {
	cases := []struct {
		name  string
		layer depthwiseConv
		in    tensor.Shape
		want  string
	}{
		{"channels", depthwiseConv{Channels: 3, Kernel: L.Sq(3)}, tensor.Shape{1, 4, 5, 5}, "input with 3 channels"},
		{"kernel", depthwiseConv{Channels: 3}, tensor.Shape{1, 3, 5, 5}, "positive"},
		{"small", depthwiseConv{Channels: 3, Kernel: L.Sq(5)}, tensor.Shape{1, 3, 3, 3}, "too small"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := graph.NewStore(tensor.Float32, 1)
			require.NoError(t, err)
			_, err = graph.Compile(st, c.layer, graph.Spec{Input: c.in})
			require.ErrorContains(t, err, c.want)
			require.Zero(t, st.Len(), "a rejected layer must not create tensors")
		})
	}
}
