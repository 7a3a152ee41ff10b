package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// recorder snapshots the store, and the solver's per-parameter step
// counts and first-moment sums, after every epoch.
type recorder struct {
	snaps []map[string][]float64
	steps []map[string]int
	moms  []map[string]float64
}

func (r *recorder) OnEpochEnd(t *train.Trainer, _ *train.History) (bool, error) {
	r.snaps = append(r.snaps, snapshot(t.Store))
	if cp, ok := t.Solver.(solvers.Checkpointer); ok {
		st, err := cp.State(t.Store.NameOf)
		if err != nil {
			return false, err
		}
		steps, moms := map[string]int{}, map[string]float64{}
		for n, p := range st.Params {
			steps[n] = p.Step
			if b, ok := p.Buffers["exp_avg"]; ok {
				moms[n] = sum(graph.Float64s(b))
			}
		}
		r.steps, r.moms = append(r.steps, steps), append(r.moms, moms)
	}
	return false, nil
}

func TestGradualUnfreezeTrainable(t *testing.T) {
	g := &GradualUnfreeze{Groups: make([]zoo.Group, 3), Every: 2}
	var got []int
	for e := 1; e <= 7; e++ {
		got = append(got, g.Trainable(e))
	}
	assert.Equal(t, []int{1, 1, 2, 2, 3, 3, 3}, got)
	g.Every = 0
	assert.Equal(t, 2, g.Trainable(2))
}

func TestGradualUnfreeze(t *testing.T) {
	m := lenet(t, 10, 4)
	initial := snapshot(m.Store)
	rec := &recorder{}
	tr := fit(t, m, &data.Loader{Dataset: squares(64, 10, 1, 28, 5), BatchSize: 16, Shuffle: true, Workers: 1}, 3,
		&GradualUnfreeze{Groups: m.Info.Groups}, rec)
	require.Len(t, rec.snaps, 3)
	groups := map[string][]string{
		"features":   {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"},
		"classifier": {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"},
		"head":       {"fc3.weight", "fc3.bias"},
	}
	// Epoch e trains the top e groups: a group starts moving in the epoch
	// it is unfrozen and not before.
	startsIn := map[string]int{"head": 1, "classifier": 2, "features": 3}
	for g, names := range groups {
		for _, n := range names {
			prev := initial[n]
			for e, snap := range rec.snaps {
				if e+1 < startsIn[g] {
					assert.Equal(t, prev, snap[n], "%s (%s) changed in epoch %d", n, g, e+1)
				} else {
					assert.NotEqual(t, prev, snap[n], "%s (%s) did not change in epoch %d", n, g, e+1)
				}
				prev = snap[n]
			}
		}
	}
	// Solver state stayed with each parameter across the rebuilt
	// programs: each group's step count runs on from the epoch it was
	// unfrozen (4 steps an epoch), with no state before.
	for g, names := range groups {
		for _, n := range names {
			for e, steps := range rec.steps {
				want := max(0, 4*(e+2-startsIn[g]))
				assert.Equal(t, want, steps[n], "%s (%s) after epoch %d", n, g, e+1)
			}
		}
	}
	assert.Equal(t, 12, tr.Step())
	assert.Empty(t, frozenNames(m.Store))
}

// spy records the gradient of one parameter at every step before the
// solver it wraps steps.
type spy struct {
	solvers.Solver
	param *tensor.Dense
	grads [][]float64
}

func (s *spy) Step(model []G.ValueGrad) error {
	for _, vg := range model {
		if vg.(*G.Node).Value() == G.Value(s.param) {
			g, err := vg.Grad()
			if err != nil {
				return err
			}
			s.grads = append(s.grads, graph.Float64s(g.(*tensor.Dense)))
		}
	}
	return s.Solver.Step(model)
}

// TestGradualUnfreezeKeepsMoments replays the head's Adam first moment
// over all 8 steps of two epochs, across the unfreezing between them: a
// moment reset at the change, or moved to another parameter (Gorgonia's
// built-ins key state by position), would not match.
func TestGradualUnfreezeKeepsMoments(t *testing.T) {
	m := lenet(t, 10, 9)
	head, _ := m.Store.Lookup("fc3.weight")
	adam, err := solvers.New("adam", solvers.WithLearnRate(1e-2))
	require.NoError(t, err)
	s := &spy{Solver: adam, param: head.Value}
	tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: s, Epochs: 2, Quiet: true,
		Callbacks: []train.Callback{&GradualUnfreeze{Groups: m.Info.Groups}}}
	_, err = tr.Fit(t.Context(), &data.Loader{Dataset: squares(64, 10, 1, 28, 6), BatchSize: 16, Shuffle: true, Workers: 1}, nil)
	require.NoError(t, err)
	require.Len(t, s.grads, 8)
	st, err := adam.(solvers.Checkpointer).State(m.Store.NameOf)
	require.NoError(t, err)
	got := graph.Float64s(st.Params["fc3.weight"].Buffers["exp_avg"])
	want := make([]float64, len(got))
	for _, g := range s.grads {
		for i := range want {
			want[i] = 0.9*want[i] + 0.1*g[i]
		}
	}
	assert.Less(t, maxRelDiff(got, want, 1e-6), 1e-4)
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
