package solvers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

// runCase replays a fixture configuration through solvers.New, real Gorgonia
// nodes and Step, and returns W‖b after every step and the losses.
func runCase(t testing.TB, fx *fixture, c fixtureCase) (traj [][]float64, losses []float64) {
	t.Helper()
	dt := tensor.Float64
	if fx.Dtype == "float32" {
		dt = tensor.Float32
	}
	w := newParam(dt, flat(fx.W0), 3, 2)
	b := newParam(dt, fx.B0, 2)
	s, err := New(c.Solver, c.Opts.options()...)
	require.NoError(t, err)
	sc := s.(LRScaler)
	if v, ok := c.Scales["W"]; ok {
		require.NoError(t, sc.SetLRScale(w, v))
	}
	if v, ok := c.Scales["b"]; ok {
		require.NoError(t, sc.SetLRScale(b, v))
	}
	r := newRegression(t, fx, w, b, "W", "b")
	for k := 0; k < fx.Steps; k++ {
		if c.LRs != nil {
			s.SetLearnRate(c.LRs[k])
		}
		if c.OneCycle != nil {
			require.NoError(t, Apply(s, OneCycle{MaxLR: c.OneCycle.MaxLR, TotalSteps: fx.Steps}, k))
		}
		losses = append(losses, r.forward(t, k))
		require.NoError(t, s.Step(r.vgs("W", "b")))
		traj = append(traj, append(values(w), values(b)...))
	}
	return traj, losses
}

func TestTrajectoriesMatchReferenceFloat64(t *testing.T) {
	fx := loadFixture(t, "trajectories.json")
	require.Equal(t, 60, fx.Steps)
	seen := map[string]bool{}
	for _, c := range fx.Configs {
		c := c
		seen[c.Solver] = true
		t.Run(c.Name, func(t *testing.T) {
			traj, losses := runCase(t, fx, c)
			var worst float64
			for k := range traj {
				worst = max(worst, maxRelDiff(traj[k], c.Traj[k]))
			}
			assert.LessOrEqual(t, worst, 1e-9, "max relative difference to %s over %d steps", c.Reference, fx.Steps)
			assert.LessOrEqual(t, maxRelDiff(losses, c.Losses), 1e-9, "losses")
			// The trajectory must actually move: a solver that did nothing
			// would fail here rather than pass vacuously.
			assert.Greater(t, maxRelDiff(traj[len(traj)-1], append(flat(fx.W0), fx.B0...)), 1e-3)
			t.Logf("%-28s max rel diff %.2e vs %s", c.Name, worst, c.Reference)
		})
	}
	for _, n := range Names() {
		assert.True(t, seen[n], "no fixture configuration for %q", n)
	}
}

func TestTrajectoriesMatchReferenceFloat32(t *testing.T) {
	fx := loadFixture(t, "trajectories_f32.json")
	require.Equal(t, "float32", fx.Dtype)
	for _, c := range fx.Configs {
		c := c
		t.Run(c.Name, func(t *testing.T) {
			traj, _ := runCase(t, fx, c)
			var worst float64
			for k := range traj {
				worst = max(worst, maxScaledDiff(traj[k], c.Traj[k]))
			}
			// float32 rounding differs between Gorgonia's and torch's kernels
			// (forward and backward too): the trajectories agree to a few
			// float32 ulps of the parameters' magnitude (elements near zero
			// have large relative but tiny absolute differences).
			assert.LessOrEqual(t, worst, 1e-5, fmt.Sprintf("max difference to %s relative to the largest weight", c.Reference))
			t.Logf("%-28s float32 max diff/max|w| %.2e", c.Name, worst)
		})
	}
}
