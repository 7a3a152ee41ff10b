package solvers

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// quadraticSteps steps s k times on the given parameters with the gradient
// of ½‖w − 0.3‖² and returns nothing; weights change in place.
func quadraticSteps(t *testing.T, s Solver, k int, ps ...*tensor.Dense) {
	for i := 0; i < k; i++ {
		vgs := make([]G.ValueGrad, len(ps))
		for j, p := range ps {
			g := values(p)
			for e := range g {
				g[e] -= 0.3
			}
			vgs[j] = fakeVG{"p", p, newParam(p.Dtype(), g, p.Shape()...)}
		}
		require.NoError(t, s.Step(vgs))
	}
}

// TestLRScaleEqualsScaledLearnRate: for every solver, a parameter with
// scale s moves exactly (bit for bit) as it would with the learning rate set
// to s·lr, and a parameter without a scale is unaffected by others' scales.
// For AdaBound this includes its bounds (base_lr stays put).
func TestLRScaleEqualsScaledLearnRate(t *testing.T) {
	for _, name := range Names() {
		opts := []Option{WithLearnRate(0.02), WithWeightDecay(0.1)}
		build := func() Solver {
			s, err := New(name, opts...)
			require.NoError(t, err)
			return s
		}
		w0, b0 := []float64{1, -0.5, 2}, []float64{0.7}

		scaled := build()
		w, b := vec(append([]float64(nil), w0...)...), vec(append([]float64(nil), b0...)...)
		require.NoError(t, scaled.(LRScaler).SetLRScale(w, 0.25))
		assert.Equal(t, 0.25, scaled.(LRScaler).LRScale(w))
		assert.Equal(t, 1.0, scaled.(LRScaler).LRScale(b))
		quadraticSteps(t, scaled, 25, w, b)

		lower := build()
		lower.SetLearnRate(0.02 * 0.25)
		wRef := vec(append([]float64(nil), w0...)...)
		quadraticSteps(t, lower, 25, wRef)

		plain := build()
		bRef := vec(append([]float64(nil), b0...)...)
		quadraticSteps(t, plain, 25, bRef)

		assert.Equal(t, values(wRef), values(w), name)
		assert.Equal(t, values(bRef), values(b), name)
		assert.NotEqual(t, values(w), w0, name)
	}
}

// TestLRScaleZeroHoldsWeights: scale 0 keeps a parameter still under every
// solver, decoupled weight decay included.
func TestLRScaleZeroHoldsWeights(t *testing.T) {
	for _, name := range Names() {
		s, err := New(name, WithWeightDecay(0.5))
		require.NoError(t, err)
		w, b := vec(1, -2), vec(3)
		require.NoError(t, s.(LRScaler).SetLRScale(w, 0))
		quadraticSteps(t, s, 10, w, b)
		assert.Equal(t, []float64{1, -2}, values(w), name)
		assert.NotEqual(t, []float64{3}, values(b), name)
	}
}

func TestSetLRScaleValidation(t *testing.T) {
	s, err := New("adam")
	require.NoError(t, err)
	sc := s.(LRScaler)
	w := vec(1)
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		assert.Error(t, sc.SetLRScale(w, bad))
	}
	assert.Error(t, sc.SetLRScale(nil, 1))
	require.NoError(t, sc.SetLRScale(w, 3))
	assert.Equal(t, 3.0, sc.LRScale(w))
	s.(*Adam).ResetLRScales()
	assert.Equal(t, 1.0, sc.LRScale(w))
}
