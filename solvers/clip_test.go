package solvers

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestClipGradNorm(t *testing.T) {
	w1, w2 := vec(0, 0), tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{0}))
	g1, g2 := vec(3, 4), tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{12}))
	vgs := vgsOf(fakeVG{"a", w1, g1}, fakeVG{"b", w2, g2})

	// ‖(3, 4, 12)‖ = 13 ≤ 20: nothing changes.
	norm, err := ClipGradNorm(vgs, 20)
	require.NoError(t, err)
	assert.Equal(t, 13.0, norm)
	assert.Equal(t, []float64{3, 4}, values(g1))

	// Over 6.5: scaled by 6.5/(13 + 1e-6), in both dtypes.
	norm, err = ClipGradNorm(vgs, 6.5)
	require.NoError(t, err)
	assert.Equal(t, 13.0, norm)
	maxNorm, total := 6.5, 13.0 // variables: float64 arithmetic, not exact constants
	c := maxNorm / (total + 1e-6)
	assert.Equal(t, []float64{3 * c, 4 * c}, values(g1))
	assert.Equal(t, float32(12)*float32(c), data[float32](g2)[0])
	assert.Equal(t, []float64{0, 0}, values(w1), "weights untouched")

	for _, bad := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		_, err := ClipGradNorm(vgs, bad)
		assert.Error(t, err)
	}
	_, err = ClipGradNorm(vgsOf(fakeVG{"a", w1, vec(math.NaN(), 1)}), 1)
	assert.Error(t, err)
}

// TestClipGradNormHugeGradients: a sum of squares that overflows float64
// is recomputed scaled instead of clipping everything to zero.
func TestClipGradNormHugeGradients(t *testing.T) {
	g := vec(3e200, 4e200)
	norm, err := ClipGradNorm(vgsOf(fakeVG{"a", vec(0, 0), g}), 1)
	require.NoError(t, err)
	assert.InEpsilon(t, 5e200, norm, 1e-15)
	assert.InEpsilon(t, 0.6, values(g)[0], 1e-15)
	assert.InEpsilon(t, 0.8, values(g)[1], 1e-15)
}

// TestWithClipNormEqualsClipThenStep: a solver built with WithClipNorm steps
// exactly as ClipGradNorm followed by the same solver without clipping, and
// ClipGradNorm works in front of Gorgonia's built-ins too.
func TestWithClipNormEqualsClipThenStep(t *testing.T) {
	for _, name := range Names() {
		clipped, err := New(name, WithClipNorm(0.1))
		require.NoError(t, err)
		plain, err := New(name)
		require.NoError(t, err)
		w1, w2 := vec(1, -1, 2), vec(1, -1, 2)
		for k := 0; k < 5; k++ {
			require.NoError(t, clipped.Step(vgsOf(fakeVG{"w", w1, vec(0.5, -0.3, float64(k))})))
			vgs := vgsOf(fakeVG{"w", w2, vec(0.5, -0.3, float64(k))})
			_, err := ClipGradNorm(vgs, 0.1)
			require.NoError(t, err)
			require.NoError(t, plain.Step(vgs))
		}
		assert.Equal(t, values(w2), values(w1), name)
	}

	w, g := vec(1, 1), vec(30, 40)
	vgs := vgsOf(fakeVG{"w", w, g})
	_, err := ClipGradNorm(vgs, 5)
	require.NoError(t, err)
	require.NoError(t, G.NewVanillaSolver(G.WithLearnRate(0.1)).Step(vgs))
	assert.InDeltaSlice(t, []float64{1 - 0.1*3, 1 - 0.1*4}, values(w), 1e-6)
}
