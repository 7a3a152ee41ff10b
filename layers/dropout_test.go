package layers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

func TestDropoutScalesSurvivorsAndIsSeeded(t *testing.T) {
	const n, p = 20000, 0.3
	x := tensor.New(tensor.WithShape(2, n/2), tensor.WithBacking(ones32(n)))
	st, err := graph.NewStore(tensor.Float32, 1)
	require.NoError(t, err)
	train, err := graph.Compile(st, Dropout{P: p}, graph.Spec{Mode: graph.Train, Input: x.Shape()})
	require.NoError(t, err)
	run := func(seed uint64) []float32 {
		train.Reseed(seed)
		out, err := train.Forward(x)
		require.NoError(t, err)
		return out.Data().([]float32)
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a, b, "same seed, same mask")
	assert.NotEqual(t, a, c, "another seed, another mask")
	zeros := 0
	for _, v := range a {
		if v == 0 {
			zeros++
		} else {
			assert.InDelta(t, 1/(1-p), v, 1e-6)
		}
	}
	assert.InDelta(t, p, float64(zeros)/n, 0.02)

	eval, err := graph.Compile(st, Dropout{P: p}, graph.Spec{Input: x.Shape()})
	require.NoError(t, err)
	out, err := eval.Forward(x)
	require.NoError(t, err)
	assert.Equal(t, x.Data(), out.Data(), "evaluation is the identity")
}

func TestDropout2dDropsWholeChannels(t *testing.T) {
	x := tensor.New(tensor.WithShape(4, 8, 3, 3), tensor.WithBacking(ones32(4*8*9)))
	st, _ := graph.NewStore(tensor.Float32, 1)
	p, err := graph.Compile(st, Dropout2d{P: 0.5}, graph.Spec{Mode: graph.Train, Input: x.Shape()})
	require.NoError(t, err)
	out, err := p.Forward(x)
	require.NoError(t, err)
	d := out.Data().([]float32)
	dropped := 0
	for ch := 0; ch < 32; ch++ {
		plane := d[ch*9 : (ch+1)*9]
		for _, v := range plane {
			assert.Equal(t, plane[0], v, "channel %d is all kept or all dropped", ch)
		}
		if plane[0] == 0 {
			dropped++
		} else {
			assert.Equal(t, float32(2), plane[0])
		}
	}
	assert.Greater(t, dropped, 0)
	assert.Less(t, dropped, 32)
}

func TestLayerErrorsNameTheProblem(t *testing.T) {
	for _, tc := range []struct {
		layer graph.Layer
		input tensor.Shape
		want  string
	}{
		{Sequential{Named{"fc", Linear{In: 3, Out: 2}}}, tensor.Shape{2, 4}, "layer fc (input shape (2, 4)): Linear(3→2) needs input (N, 3)"},
		{Sequential{Conv2d{In: 3, Out: 4, Kernel: Sq(3)}}, tensor.Shape{1, 1, 8, 8}, "layer 0 (input shape (1, 1, 8, 8)): Conv2d(3→4) needs NCHW input with 3 channels"},
		{Conv2d{In: 1, Out: 1, Kernel: Sq(5)}, tensor.Shape{1, 1, 3, 3}, "too small for kernel"},
		{Conv2d{In: 3, Out: 4, Kernel: Sq(1), Groups: 2}, tensor.Shape{1, 3, 2, 2}, "multiples of Groups"},
		{Dropout{P: 1}, tensor.Shape{1, 2}, "outside [0, 1)"},
		{BatchNorm2d{Features: 3}, tensor.Shape{2, 3}, "BatchNorm1d is for (N, C)"},
		{MaxPool2d{Kernel: Sq(2), Padding: Sq(2)}, tensor.Shape{1, 1, 4, 4}, "at most half the kernel"},
		{Residual{Body: Conv2d{In: 1, Out: 2, Kernel: Sq(1)}}, tensor.Shape{1, 1, 2, 2}, "add a downsampling shortcut"},
	} {
		st, _ := graph.NewStore(tensor.Float32, 1)
		_, err := graph.Compile(st, tc.layer, graph.Spec{Mode: graph.Train, Input: tc.input})
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func ones32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}
