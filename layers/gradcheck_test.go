package layers

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/graph"
)

// gradCheck compares a Train-mode program's gradients (parameters and
// input) with central finite differences of the loss sum(output ⊙ r) in
// float64. Noise inputs are reseeded identically before every evaluation,
// so dropout masks stay fixed while the weights are perturbed.
func gradCheck(t *testing.T, layer graph.Layer, st *graph.Store, x, r *tensor.Dense) {
	t.Helper()
	p, err := graph.Compile(st, layer, graph.Spec{Mode: graph.Train, Input: x.Shape(), Loss: dot, InputGrad: true})
	require.NoError(t, err)
	loss := func() float64 {
		p.Reseed(7)
		res, err := p.Run(x, r)
		require.NoError(t, err)
		return res.Loss
	}
	loss()
	grads, err := p.Grads()
	require.NoError(t, err)
	gx, err := p.InputGrad()
	require.NoError(t, err)
	check := func(what string, data []float64, grad []float64) {
		const h = 1e-6
		for i := range data {
			orig := data[i]
			data[i] = orig + h
			up := loss()
			data[i] = orig - h
			down := loss()
			data[i] = orig
			fd := (up - down) / (2 * h)
			if d := abs(fd - grad[i]); d > 1e-6*max(1, abs(fd)) {
				t.Errorf("%s[%d]: finite difference %.9g, gradient %.9g", what, i, fd, grad[i])
				return
			}
		}
	}
	names := make([]string, 0, len(grads))
	for k := range grads {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v, _ := st.Lookup(k)
		check(k, v.Value.Data().([]float64), graph.Float64s(grads[k]))
	}
	check("input", x.Data().([]float64), graph.Float64s(gx))
}

// TestGradientsMatchFiniteDifferences checks every parity case's layer in
// float64 with PyTorch's weights and inputs.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	fixtures := loadFixtures(t)
	for name, layer := range parityCases {
		fx := fixtures[name]
		t.Run(name, func(t *testing.T) {
			st, err := graph.NewStore(tensor.Float64, 1)
			require.NoError(t, err)
			_, err = graph.Compile(st, layer, graph.Spec{Input: fx.Input.Shape})
			require.NoError(t, err)
			for k, v := range fx.State {
				sv, _ := st.Lookup(k)
				require.NoError(t, tensor.Copy(sv.Value, v.dense()))
				sv.Frozen = sv.Kind == graph.Buffer && !isTrainCase(name)
			}
			gradCheck(t, layer, st, fx.Input.dense(), tensor.New(tensor.WithShape(fx.Output.Shape...), tensor.WithBacking(fx.R)))
		})
	}
}

func TestDropoutGradientsMatchFiniteDifferences(t *testing.T) {
	for _, tc := range []struct {
		name  string
		layer graph.Layer
		shape tensor.Shape
	}{
		{"dropout p=0.3", Sequential{Named{"fc", Linear{In: 4, Out: 5}}, Dropout{P: 0.3}}, tensor.Shape{3, 4}},
		{"dropout2d p=0.6", Sequential{Named{"conv", Conv2d{In: 2, Out: 3, Kernel: Sq(2)}}, Dropout2d{P: 0.6}}, tensor.Shape{2, 2, 3, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := graph.NewStore(tensor.Float64, 2)
			require.NoError(t, err)
			x := tensor.New(tensor.WithShape(tc.shape...), tensor.WithBacking(ramp(tc.shape.TotalSize())))
			p, err := graph.Compile(st, tc.layer, graph.Spec{Input: tc.shape})
			require.NoError(t, err)
			out := p.OutputShape()
			gradCheck(t, tc.layer, st, x, tensor.New(tensor.WithShape(out...), tensor.WithBacking(ramp(out.TotalSize()))))
		})
	}
}

// ramp returns n distinct values in about [-1, 1].
func ramp(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64((i*37)%n)/float64(n)*2 - 1 + 0.01*float64(i%3)
	}
	return v
}
