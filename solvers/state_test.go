package solvers

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

// namer maps parameter names to tensors both ways, as a Store does.
type namer map[string]*tensor.Dense

func (n namer) nameOf(p *tensor.Dense) (string, bool) {
	for k, v := range n {
		if v == p {
			return k, true
		}
	}
	return "", false
}

func (n namer) byName(name string) (*tensor.Dense, bool) {
	p, ok := n[name]
	return p, ok
}

// TestResumeIsBitIdentical trains 60 steps in one go, and 30 steps, a
// checkpoint (State), a fresh solver built with other settings over fresh
// tensors holding the checkpointed weights (LoadState) and 30 more steps:
// the trajectories must be identical bit for bit. A one-cycle schedule
// drives the learning rate and momentum/β1 so that restored
// hyperparameters matter.
func TestResumeIsBitIdentical(t *testing.T) {
	fx := loadFixture(t, "trajectories.json")
	cases := map[string][]Option{
		"sgd":      {WithWeightDecay(0.01)},
		"momentum": nil,
		"nesterov": nil,
		"adagrad":  nil,
		"rmsprop":  {WithMomentum(0.5)},
		"adam":     {WithAMSGrad(true)},
		"adamw":    nil,
		"radam":    {WithDegenerateToSGD(false)},
		"adabound": {WithGamma(0.1), WithLearnRate(0.003)},
		"amsbound": {WithGamma(0.1), WithLearnRate(0.003)},
	}
	require.Len(t, cases, len(Names()))
	for name, opts := range cases {
		name, opts := name, opts
		t.Run(name, func(t *testing.T) {
			sched := OneCycle{MaxLR: 0.05, TotalSteps: 60, NoMomentumCycle: name == "adagrad"}
			train := func(s Solver, w, b *tensor.Dense, from, to int) [][]float64 {
				var traj [][]float64
				r := newRegression(t, fx, w, b, "W", "b")
				for k := from; k < to; k++ {
					require.NoError(t, Apply(s, sched, k))
					r.forward(t, k)
					require.NoError(t, s.Step(r.vgs("W", "b")))
					traj = append(traj, append(values(w), values(b)...))
				}
				return traj
			}
			build := func(w *tensor.Dense, opts ...Option) Solver {
				s, err := New(name, opts...)
				require.NoError(t, err)
				require.NoError(t, s.(LRScaler).SetLRScale(w, 0.5))
				return s
			}

			w, b := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
			straight := train(build(w, opts...), w, b, 0, 60)

			w1, b1 := newParam(tensor.Float64, flat(fx.W0), 3, 2), newParam(tensor.Float64, fx.B0, 2)
			first := build(w1, opts...)
			firstHalf := train(first, w1, b1, 0, 30)
			st, err := first.(Checkpointer).State(namer{"fc.weight": w1, "fc.bias": b1}.nameOf)
			require.NoError(t, err)
			require.Len(t, st.Params, 2)
			assert.Equal(t, 30, st.Params["fc.weight"].Step)

			// The checkpoint holds copies: stepping on must not change it.
			snapshot := values(st.Params["fc.bias"].Buffers[first.(stateSlots).slots()[0]])
			train(first, w1, b1, 30, 31)
			assert.Equal(t, snapshot, values(st.Params["fc.bias"].Buffers[first.(stateSlots).slots()[0]]))

			// Resume: new tensors loaded with the checkpointed weights, a
			// solver built with a different learning rate.
			w2 := newParam(tensor.Float64, firstHalf[29][:6], 3, 2)
			b2 := newParam(tensor.Float64, firstHalf[29][6:], 2)
			resumed := build(w2, append(opts, WithLearnRate(0.5))...)
			require.NoError(t, resumed.(Checkpointer).LoadState(st, namer{"fc.weight": w2, "fc.bias": b2}.byName))
			secondHalf := train(resumed, w2, b2, 30, 60)

			require.Equal(t, straight[:30], firstHalf)
			require.Equal(t, straight[30:], secondHalf)
		})
	}
}

// stateSlots exposes the buffer names of a solver to the tests.
type stateSlots interface{ slots() []string }

func TestLoadStateRejectsMismatches(t *testing.T) {
	w := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	g := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{0.1, -0.2, 0.3, -0.4}))
	s, err := New("adam")
	require.NoError(t, err)
	require.NoError(t, s.Step(vgsOf(fakeVG{"w", w, g})))
	names := namer{"w": w}
	st, err := s.(Checkpointer).State(names.nameOf)
	require.NoError(t, err)

	other := tensor.New(tensor.WithShape(4), tensor.WithBacking([]float64{1, 2, 3, 4}))
	f32 := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4}))
	withBuf := func(name string) State {
		c := st
		c.Params = map[string]ParamState{"w": {Step: 1, Buffers: map[string]*tensor.Dense{name: w.Clone().(*tensor.Dense)}}}
		return c
	}
	cases := []struct {
		name  string
		into  string
		st    State
		param namer
		msg   string
	}{
		{"other solver", "sgd", st, names, `state is from solver "adam"`},
		{"unknown name", "adam", st, namer{"v": w}, `parameter "w" that byName does not find`},
		{"shape", "adam", st, namer{"w": other}, "buffer"},
		{"dtype", "adam", st, namer{"w": f32}, "buffer"},
		{"unknown buffer", "adam", withBuf("sum"), names, `buffer "sum"`},
		{"missing hyper", "adam", State{Solver: "adam", LearnRate: 1e-3}, names, `"beta1" missing`},
		{"bad lr", "adam", State{Solver: "adam", LearnRate: -1}, names, "learning rate -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target, err := New(c.into, WithLearnRate(0.25))
			require.NoError(t, err)
			require.NoError(t, target.Step(vgsOf(fakeVG{"w", w, g.Clone().(*tensor.Dense)})))
			before, err := target.(Checkpointer).State(names.nameOf)
			require.NoError(t, err)
			err = target.(Checkpointer).LoadState(c.st, c.param.byName)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msg)
			after, err := target.(Checkpointer).State(names.nameOf)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a failed LoadState must change nothing")
		})
	}
}

func TestStateNeedsNamesAndForget(t *testing.T) {
	w := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 2}))
	head := tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 4}))
	s, err := New("momentum")
	require.NoError(t, err)
	require.NoError(t, s.Step(vgsOf(
		fakeVG{"w", w, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))},
		fakeVG{"head", head, tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{1, 1}))})))
	cp := s.(Checkpointer)
	_, err = cp.State(namer{"w": w}.nameOf)
	require.Error(t, err, "a parameter the caller cannot name must not be dropped silently")
	assert.Contains(t, err.Error(), "Forget")
	cp.Forget(head)
	st, err := cp.State(namer{"w": w}.nameOf)
	require.NoError(t, err)
	assert.Len(t, st.Params, 1)
	assert.Equal(t, map[string]float64{"momentum": 0.9}, st.Hyper)
	assert.Equal(t, "sgd", st.Solver)
}
