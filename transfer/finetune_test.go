package transfer

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// lrLog records the learning rate the schedule set before every step and
// the flags in force.
type lrLog struct {
	lrs   []float64
	conv1 [][]float64
}

// OnStepBegin runs before the trainer applies its schedule, so it reads
// the schedule itself.
func (l *lrLog) OnStepBegin(t *train.Trainer, step int) error {
	l.lrs = append(l.lrs, t.Schedule.LR(step))
	return nil
}

func (l *lrLog) OnEpochEnd(t *train.Trainer, _ *train.History) (bool, error) {
	v, _ := t.Store.Lookup("conv1.weight")
	l.conv1 = append(l.conv1, values(v.Value))
	return false, nil
}

func TestFineTune(t *testing.T) {
	cases := []struct {
		name                   string
		cfg                    Config
		epochs                 int
		cached                 bool
		frozenRates, rates     []float64
		frozenSteps, steps     int
		firstLR, firstLRPhase2 float64
		minAccuracy            float64
	}{
		// fastai's defaults: slice(2e-3) for one epoch, pct_start 0.99 and
		// div 25; then slice(1e-5, 1e-3), div 5. Too gentle to learn much
		// in 18 steps.
		{"defaults", Config{}, 2, true,
			[]float64{2e-4, 2e-4, 2e-3}, []float64{1e-5, 1e-4, 1e-3}, 6, 12, 2e-3 / 25, 1e-3 / 5, 0},
		{"overridden", Config{BaseLR: 2e-2, FreezeEpochs: 2, LRMult: 10, Div: 4, FrozenDiv: 10, NoCache: true}, 4, false,
			[]float64{2e-3, 2e-3, 2e-2}, []float64{1e-3, 1e-3 * 3.1622776601683795, 1e-2}, 12, 24, 2e-2 / 10, 1e-2 / 4, 0.9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Pretrained on MNIST digits 0–4; the new task has 5 other
			// classes.
			m, err := zoo.New("lenet5", zoo.WithPretrained("lenet5-mnist-0to4"), zoo.WithClasses(5),
				zoo.WithLoadOptions(graph.LoadOptions{SkipMismatched: true}))
			require.NoError(t, err)
			require.NoError(t, ReplaceHead(m, 5, 1))
			initial := snapshot(m.Store)
			log := &lrLog{}
			tl := &data.Loader{Dataset: squares(96, 5, 1, 28, 1), BatchSize: 16, Shuffle: true, Seed: 2, Workers: 2}
			vl := &data.Loader{Dataset: squares(40, 5, 1, 28, 2), BatchSize: 20, Workers: 2}
			cfg := c.cfg
			cfg.Callbacks, cfg.Quiet = []train.Callback{log}, true
			phases, err := FineTune(context.Background(), m, tl, vl, c.epochs, cfg)
			require.NoError(t, err)
			require.Len(t, phases, 2)

			frozen, unfrozen := phases[0], phases[1]
			assert.Equal(t, "frozen", frozen.Name)
			assert.Equal(t, "unfrozen", unfrozen.Name)
			assert.Equal(t, c.cached, frozen.Cached, "lenet5 has no batch norm: its frozen phase caches unless told not to")
			assert.False(t, unfrozen.Cached)
			assert.InDeltaSlice(t, c.frozenRates, frozen.Rates, 1e-15)
			assert.InDeltaSlice(t, c.rates, unfrozen.Rates, 1e-15)
			assert.Len(t, frozen.History.Epochs, c.frozenSteps/6)
			assert.Len(t, unfrozen.History.Epochs, c.epochs)

			// The frozen phase leaves the body alone; the unfrozen one
			// moves it.
			nf := c.frozenSteps / 6
			require.Len(t, log.conv1, nf+c.epochs)
			assert.Equal(t, initial["conv1.weight"], log.conv1[nf-1])
			assert.NotEqual(t, initial["conv1.weight"], log.conv1[nf])
			assert.Empty(t, frozenNames(m.Store), "fine_tune ends unfrozen")

			require.Len(t, log.lrs, c.frozenSteps+c.steps)
			assert.InDelta(t, c.firstLR, log.lrs[0], 1e-15)
			assert.InDelta(t, c.firstLRPhase2, log.lrs[c.frozenSteps], 1e-15)
			assert.Greater(t, log.lrs[c.frozenSteps-1], log.lrs[0], "pct_start 0.99: the frozen phase rises nearly to the end")

			last := unfrozen.History.Epochs[c.epochs-1]
			t.Logf("%s: frozen %+v, last %+v", c.name, *frozen.History.Epochs[len(frozen.History.Epochs)-1].Val, *last.Val)
			assert.GreaterOrEqual(t, last.Val.Accuracy, c.minAccuracy)
		})
	}
}

func TestFineTuneErrors(t *testing.T) {
	m := lenet(t, 10, 1)
	l := &data.Loader{Dataset: squares(16, 10, 1, 28, 1), BatchSize: 16, Workers: 1}
	ctx := context.Background()
	_, err := FineTune(ctx, m, nil, nil, 1, Config{})
	assert.ErrorContains(t, err, "no training data")
	_, err = FineTune(ctx, m, l, nil, -1, Config{})
	assert.ErrorContains(t, err, "epochs = -1")
	_, err = FineTune(ctx, m, l, nil, 1, Config{PctStart: 1})
	assert.ErrorContains(t, err, "PctStart")
	_, err = FineTune(ctx, m, l, nil, 1, Config{LRMult: 0.5})
	assert.ErrorContains(t, err, "LRMult")
	builtin, err := solvers.New("sgd")
	require.NoError(t, err)
	_, err = FineTune(ctx, m, l, nil, 1, Config{Solver: builtinSolver{builtin}})
	assert.ErrorContains(t, err, "cannot scale learning rates")
	_, err = FineTune(ctx, m, &data.Loader{Dataset: &data.InMemory{}}, nil, 1, Config{})
	assert.ErrorContains(t, err, "no batches")
}

// builtinSolver hides the LRScaler of a solver, as Gorgonia's built-ins
// lack one.
type builtinSolver struct{ s solvers.Solver }

func (b builtinSolver) Step(m []G.ValueGrad) error { return b.s.Step(m) }
func (b builtinSolver) LearnRate() float64         { return b.s.LearnRate() }
func (b builtinSolver) SetLearnRate(lr float64)    { b.s.SetLearnRate(lr) }
