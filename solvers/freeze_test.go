package solvers

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// freezePhases is a freeze/unfreeze sequence as a tanren Trainer runs it:
// each phase compiles a new graph over the same parameter tensors with only
// the trainable parameters differentiated, and passes them to Step in the
// given order. b leaves and comes back, W leaves and comes back, the order
// flips.
var freezePhases = []struct {
	until int      // phase ends before this step
	order []string // trainable parameters, in Step order
}{
	{15, []string{"W", "b"}},
	{27, []string{"W"}},
	{38, []string{"b"}},
	{50, []string{"b", "W"}},
	{60, []string{"W", "b"}},
}

// runFreeze runs the phases; stepFor returns the solver that steps the given
// ValueGrads. It returns W‖b after every step.
func runFreeze(t *testing.T, fx *fixture, w, b *tensor.Dense, step func(names []string, vgs []G.ValueGrad) error) [][]float64 {
	var traj [][]float64
	k := 0
	for _, ph := range freezePhases {
		r := newRegression(t, fx, w, b, ph.order...)
		for ; k < ph.until; k++ {
			r.forward(t, k)
			require.NoError(t, step(ph.order, r.vgs(ph.order...)), "step %d", k)
			traj = append(traj, append(values(w), values(b)...))
		}
	}
	return traj
}

// TestFreezeUnfreezeKeepsMomentsWithParameters checks that when the set and
// order of parameters given to Step changes mid-run, each parameter's
// moments and step count stay with it: one solver over the whole run must
// equal, bit for bit, one solver per parameter that only sees that
// parameter's steps.
func TestFreezeUnfreezeKeepsMomentsWithParameters(t *testing.T) {
	fx := loadFixture(t, "trajectories.json")
	cases := map[string][]Option{
		"sgd":      {WithLearnRate(0.2), WithWeightDecay(0.01)},
		"momentum": {WithLearnRate(0.1)},
		"nesterov": {WithLearnRate(0.1), WithWeightDecay(0.02)},
		"adagrad":  {WithLearnRate(0.1)},
		"rmsprop":  {WithLearnRate(0.01), WithMomentum(0.5)},
		"adam":     {WithLearnRate(0.02), WithAMSGrad(true)},
		"adamw":    {WithLearnRate(0.02), WithWeightDecay(0.1)},
		"radam":    {WithLearnRate(0.02), WithDecoupledWeightDecay(true), WithWeightDecay(0.1)},
		"adabound": {WithLearnRate(0.01), WithGamma(0.1)},
		"amsbound": {WithLearnRate(0.01)},
	}
	require.Len(t, cases, len(Names()))
	for name, opts := range cases {
		name, opts := name, opts
		t.Run(name, func(t *testing.T) {
			newSolver := func(w *tensor.Dense) Solver {
				s, err := New(name, opts...)
				require.NoError(t, err)
				// An LR scale keyed by the same tensor must follow it too.
				require.NoError(t, s.(LRScaler).SetLRScale(w, 0.5))
				return s
			}

			w, b := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
			one := newSolver(w)
			got := runFreeze(t, fx, w, b, func(_ []string, vgs []G.ValueGrad) error { return one.Step(vgs) })

			w2, b2 := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
			per := map[string]Solver{"W": newSolver(w2), "b": newSolver(w2)}
			want := runFreeze(t, fx, w2, b2, func(names []string, vgs []G.ValueGrad) error {
				for i, n := range names {
					if err := per[n].Step(vgs[i : i+1]); err != nil {
						return err
					}
				}
				return nil
			})
			require.Equal(t, want, got)
			// Frozen phases must really have frozen: b constant over steps 15..26.
			assert.Equal(t, got[14][6:], got[26][6:])
			assert.NotEqual(t, got[26][:6], got[14][:6])
		})
	}
}

// TestGorgoniaBuiltinLosesMomentsOnReorder shows why the solvers key state
// by tensor: Gorgonia's Adam keys by position, so after the order flips it
// applies W's moments to b (an error or a panic here, since shapes differ)
// or silently the wrong ones.
func TestGorgoniaBuiltinLosesMomentsOnReorder(t *testing.T) {
	fx := loadFixture(t, "trajectories.json")
	w, b := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
	builtin := G.NewAdamSolver(G.WithLearnRate(0.02))
	r := newRegression(t, fx, w, b, "W", "b")
	r.forward(t, 0)
	require.NoError(t, builtin.Step(r.vgs("W", "b")))
	r.forward(t, 1)
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return builtin.Step(r.vgs("b", "W"))
	}()
	assert.Error(t, err, "Gorgonia's Adam accepted a reordered parameter list: re-check GORGONIA.md")

	ours, e := New("adam", WithLearnRate(0.02))
	require.NoError(t, e)
	r.forward(t, 2)
	require.NoError(t, ours.Step(r.vgs("W", "b")))
	r.forward(t, 3)
	assert.NoError(t, ours.Step(r.vgs("b", "W")))
}
