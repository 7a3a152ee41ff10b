package solvers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

// stepsOf runs s on one parameter w with the given gradients and returns w
// after each step.
func stepsOf(t *testing.T, s Solver, w0 []float64, grads ...[]float64) [][]float64 {
	w := tensor.New(tensor.WithShape(len(w0)), tensor.WithBacking(append([]float64(nil), w0...)))
	var out [][]float64
	for _, g := range grads {
		gt := tensor.New(tensor.WithShape(len(g)), tensor.WithBacking(append([]float64(nil), g...)))
		require.NoError(t, s.Step(vgsOf(fakeVG{"w", w, gt})))
		assert.Equal(t, make([]float64, len(g)), values(gt), "gradient zeroed after the step")
		out = append(out, values(w))
	}
	return out
}

func assertRows(t *testing.T, want, got [][]float64, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for k := range want {
		assert.LessOrEqual(t, maxRelDiff(got[k], want[k]), tol, "step %d: want %v, got %v", k+1, want[k], got[k])
	}
}

// TestAdaBoundHandChecked checks AdaBound and AMSBound against values worked
// out from the formulas in 40-digit decimals (testdata/gen/handcheck.py).
//
// Step 1 with γ = 0.5, lr = 1e-3, g = [0.5, 0.001], w = [1, −2]:
//
//	m = 0.1·g = [0.05, 1e-4];  v = 0.001·g² = [2.5e-4, 1e-9]
//	step = 1e-3·√0.001/0.1 = 3.1623e-4;  step/(√v+eps) = [0.0200, 9.968]
//	bounds: lower = 0.1·(1 − 1/1.5) = 1/30, upper = 0.1·(1 + 1/0.5) = 0.3
//	clamped = [1/30, 0.3], so w = [1 − 0.05/30, −2 − 0.3·1e-4] = [0.998333…, −2.00003]
//
// Later steps stay clamped (the raw m, not m̂, is scaled: m = [0.07, 3e-4]
// at step 2 with bounds [0.05, 0.2] gives −0.0035 and −6e-5).
func TestAdaBoundHandChecked(t *testing.T) {
	w0 := []float64{1, -2}
	clamped := [][]float64{{0.5, 0.001}, {0.25, 0.002}, {0.01, -0.003}}
	wantClamped := [][]float64{
		{0.99833333333333333333, -2.00003},
		{0.99483333333333333333, -2.000088},
		{0.99099333333333333333, -2.0000815},
	}
	for _, name := range []string{"adabound", "amsbound"} {
		s, err := New(name, WithGamma(0.5))
		require.NoError(t, err)
		assertRows(t, wantClamped, stepsOf(t, s, w0, clamped...), 1e-15)
	}

	// Default γ = 1e-3 leaves the bounds wide; the gradient of element 0
	// shrinks, so v falls below its maximum at step 2 and AMSBound (which
	// divides by the maximum) takes a smaller step than AdaBound.
	grads := [][]float64{{0.5, 0.001}, {0.01, 0.0001}, {0.02, 0.0005}}
	adaBound, err := New("adabound")
	require.NoError(t, err)
	assertRows(t, [][]float64{
		{0.99900000063245513203, -2.0009996838722023704},
		{0.99831518971378461668, -2.0017402613706516627},
		{0.99776070002654365646, -2.0025374131001756680},
	}, stepsOf(t, adaBound, w0, grads...), 1e-14)
	amsBound, err := New("amsbound")
	require.NoError(t, err)
	assertRows(t, [][]float64{
		{0.99900000063245513203, -2.0009996838722023704},
		{0.99831539518775600444, -2.0017402613706516627},
		{0.99776090550051504422, -2.0025374131001756680},
	}, stepsOf(t, amsBound, w0, grads...), 1e-14)
}

// TestRAdamHandChecked checks RAdam with a constant gradient g = 0.5 and
// lr = 0.1. Then m̂ = g exactly and √v = √(1−β2ᵗ)·g, so the rectified step is
// lr·rt·g·√(1−β2ᵗ)/(√(1−β2ᵗ)·g + eps) ≈ lr·rt. ρt = 1, 1.9995, 2.9987,
// 3.9975, 4.9960 for t = 1…5 and 5.9942 at t = 6:
//
//   - torch semantics: five SGD steps of lr·m̂ = 0.05 (w = 0.95 … 0.75), then
//     rectified steps from t = 6 (r6 = 0.0258…);
//   - authors' default (DegenerateToSGD false): nothing for five steps, then
//     the same rectified steps from w = 1.
//
// ρt = ρ∞ − 2tβ2ᵗ/(1−β2ᵗ) = 1999 − 1993.0… cancels about three digits in
// float64 (torch's formula does the same), hence a 1e-12 tolerance.
func TestRAdamHandChecked(t *testing.T) {
	g := make([][]float64, 8)
	for i := range g {
		g[i] = []float64{0.5}
	}
	torch, err := New("radam", WithLearnRate(0.1))
	require.NoError(t, err)
	assertRows(t, [][]float64{{0.95}, {0.90}, {0.85}, {0.80}, {0.75},
		{0.74741788938734539570}, {0.74414400873012120902}, {0.74027018189587344843},
	}, stepsOf(t, torch, []float64{1}, g...), 1e-12)

	authors, err := New("radam", WithLearnRate(0.1), WithDegenerateToSGD(false))
	require.NoError(t, err)
	assertRows(t, [][]float64{{1}, {1}, {1}, {1}, {1},
		{0.99741788938734539570}, {0.99414400873012120902}, {0.99027018189587344843},
	}, stepsOf(t, authors, []float64{1}, g...), 1e-12)

	// Decoupled decay only on updating steps: with DegenerateToSGD false
	// the first five steps leave w alone even with weight decay.
	decoupled, err := New("radam", WithLearnRate(0.1), WithDegenerateToSGD(false),
		WithDecoupledWeightDecay(true), WithWeightDecay(0.5))
	require.NoError(t, err)
	got := stepsOf(t, decoupled, []float64{1}, g[:6]...)
	assert.Equal(t, []float64{1}, got[4])
	// Step 6: p ← p − wd·lr·p = 0.95, then the same rectified step as above.
	assert.InDelta(t, 0.95-(1-0.99741788938734539570), got[5][0], 1e-12)
}

// TestAdamWFirstStep: with g constant, Adam's first step is lr·g/(|g|+eps')
// ≈ lr, and AdamW first decays p by lr·wd.
func TestAdamWFirstStep(t *testing.T) {
	s, err := New("adamw", WithLearnRate(0.1), WithWeightDecay(0.5))
	require.NoError(t, err)
	got := stepsOf(t, s, []float64{2}, []float64{0.25})
	// 2·(1 − 0.05) − 0.1·0.25/(0.25 + 1e-8)
	assert.InDelta(t, 1.9-0.1*0.25/(0.25+1e-8), got[0][0], 1e-15)
}
