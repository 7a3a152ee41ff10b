package solvers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMatchesGorgoniaBuiltins runs ours and Gorgonia's correct built-ins on
// the same problem from the same start and compares them after every step.
// Gorgonia's solvers stay first-class: this shows the two are
// interchangeable wherever the built-ins are correct.
func TestMatchesGorgoniaBuiltins(t *testing.T) {
	fx := loadFixture(t, "trajectories.json")
	cases := []struct {
		name    string
		ours    func() (Solver, error)
		builtin func() G.Solver
	}{
		{"sgd vs NewVanillaSolver",
			func() (Solver, error) { return New("sgd", WithLearnRate(0.3)) },
			func() G.Solver { return G.NewVanillaSolver(G.WithLearnRate(0.3)) }},
		{"momentum vs NewMomentum",
			func() (Solver, error) { return New("momentum", WithLearnRate(0.1), WithMomentum(0.8)) },
			func() G.Solver { return G.NewMomentum(G.WithLearnRate(0.1), G.WithMomentum(0.8)) }},
		{"adam vs NewAdamSolver",
			func() (Solver, error) { return New("adam", WithLearnRate(0.02), WithBetas(0.85, 0.995), WithEps(1e-7)) },
			func() G.Solver {
				return G.NewAdamSolver(G.WithLearnRate(0.02), G.WithBeta1(0.85), G.WithBeta2(0.995), G.WithEps(1e-7))
			}},
		// Gorgonia adds eps inside the square root (√(v+eps)), torch and we
		// after it (√v + eps): they agree when eps is negligible against v.
		{"rmsprop vs NewRMSPropSolver",
			func() (Solver, error) { return New("rmsprop", WithLearnRate(0.01), WithAlpha(0.9), WithEps(1e-300)) },
			func() G.Solver { return G.NewRMSPropSolver(G.WithLearnRate(0.01), G.WithRho(0.9), G.WithEps(1e-300)) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ours, err := c.ours()
			require.NoError(t, err)
			builtin := c.builtin()
			w1, b1 := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
			w2, b2 := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
			r1 := newRegression(t, fx, w1, b1, "W", "b")
			r2 := newRegression(t, fx, w2, b2, "W", "b")
			var worst float64
			for k := 0; k < 60; k++ {
				r1.forward(t, k)
				r2.forward(t, k)
				require.NoError(t, ours.Step(r1.vgs("W", "b")))
				require.NoError(t, builtin.Step(r2.vgs("W", "b")))
				worst = max(worst, maxRelDiff(append(values(w1), values(b1)...), append(values(w2), values(b2)...)))
			}
			assert.LessOrEqual(t, worst, 1e-12)
			assert.Greater(t, maxRelDiff(values(w1), flat(fx.W0)), 1e-3, "weights must move")
			t.Logf("max rel diff over 60 steps: %.2e", worst)
		})
	}
}

// TestGorgoniaAdamWNeverUpdates is the regression test for Gorgonia's
// NewAdamW: it decays and steps a copy of each weight tensor, so the weights
// never change, while ours follows torch.optim.AdamW.
func TestGorgoniaAdamWNeverUpdates(t *testing.T) {
	fx := loadFixture(t, "trajectories.json")
	var want fixtureCase
	for _, c := range fx.Configs {
		if c.Name == "adamw" {
			want = c
		}
	}
	require.Equal(t, "adamw", want.Name)

	w, b := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
	r := newRegression(t, fx, w, b, "W", "b")
	builtin := G.NewAdamW(G.WithLearnRate(0.02))
	for k := 0; k < 10; k++ {
		r.forward(t, k)
		require.NoError(t, builtin.Step(r.vgs("W", "b")))
	}
	assert.Equal(t, flat(fx.W0), values(w), "Gorgonia's AdamW changed the weights: the workaround may be obsolete")
	assert.Equal(t, fx.B0, values(b))

	traj, _ := runCase(t, fx, want)
	assert.LessOrEqual(t, maxRelDiff(traj[9], want.Traj[9]), 1e-9, "ours after 10 steps vs torch")
	assert.Greater(t, maxRelDiff(traj[9], append(flat(fx.W0), fx.B0...)), 1e-3, "ours moves the weights")
}
