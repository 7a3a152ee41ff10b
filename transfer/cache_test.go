package transfer

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// TestFitCachedMatchesFit trains the same models on the same data with and
// without caching and compares the weights they end with.
func TestFitCachedMatchesFit(t *testing.T) {
	cases := []struct {
		name   string
		model  func(t testing.TB) *zoo.Model
		freeze func(m *zoo.Model) error
		ds     func() (train, val *data.InMemory)
		frozen []string // cached, hence bit-for-bit unchanged
	}{
		{"lenet5 head", func(t testing.TB) *zoo.Model { return lenet(t, 5, 11) },
			func(m *zoo.Model) error { return FreezeBody(m, Options{}) },
			func() (*data.InMemory, *data.InMemory) { return squares(80, 5, 1, 28, 1), squares(30, 5, 1, 28, 2) },
			[]string{"conv1.weight", "fc2.bias"}},
		{"lenet5 conv frozen", func(t testing.TB) *zoo.Model { return lenet(t, 5, 12) },
			func(m *zoo.Model) error { _, err := Freeze(m.Store, Options{}, "conv*"); return err },
			func() (*data.InMemory, *data.InMemory) { return squares(80, 5, 1, 28, 1), squares(30, 5, 1, 28, 2) },
			[]string{"conv1.weight", "conv2.bias"}},
		{"batch norm frozen", func(t testing.TB) *zoo.Model { return pretrainedBN(t) },
			func(m *zoo.Model) error { return FreezeBody(m, Options{}) },
			func() (*data.InMemory, *data.InMemory) { return squares(80, 3, 1, 8, 3), squares(30, 3, 1, 8, 4) },
			[]string{"conv.weight", "bn.weight", "bn.running_mean", "bn.num_batches_tracked"}},
		{"train_bn", func(t testing.TB) *zoo.Model { return pretrainedBN(t) },
			func(m *zoo.Model) error { return FreezeBody(m, Options{TrainBN: true}) },
			func() (*data.InMemory, *data.InMemory) { return squares(80, 3, 1, 8, 3), squares(30, 3, 1, 8, 4) },
			[]string{"conv.weight", "bn.running_var"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var weights [2]map[string][]float64
			var hist [2]*train.History
			var before map[string][]float64
			for run := range weights {
				m := c.model(t)
				require.NoError(t, c.freeze(m))
				trainDS, valDS := c.ds()
				tl := &data.Loader{Dataset: trainDS, BatchSize: 16, Shuffle: true, Seed: 5, Workers: 2}
				vl := &data.Loader{Dataset: valDS, BatchSize: 16, Workers: 2}
				require.NoError(t, CanCache(m, tl, vl))
				solver, err := solvers.New("adam", solvers.WithLearnRate(1e-2))
				require.NoError(t, err)
				tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Epochs: 3, Seed: 1, Quiet: true,
					Schedule: OneCycle{MaxLR: 1e-2, TotalSteps: 3 * tl.NumBatches()}}
				before = snapshot(m.Store)
				if run == 0 {
					hist[run], err = tr.Fit(context.Background(), tl, vl)
				} else {
					hist[run], err = FitCached(context.Background(), tr, m, tl, vl)
					assert.Equal(t, m.Layer, tr.Model, "the trainer's model is restored")
				}
				require.NoError(t, err)
				weights[run] = snapshot(m.Store)
				for _, n := range c.frozen {
					assert.Equal(t, before[n], weights[run][n], "run %d: frozen %s changed", run, n)
				}
			}
			for n, w := range weights[0] {
				assert.Less(t, maxRelDiff(weights[1][n], w, 1e-3), 1e-4, "%s: cached and uncached differ", n)
				if maxRelDiff(before[n], w, 1) == 0 {
					continue
				}
				assert.NotEqual(t, before[n], weights[1][n], "%s moved uncached but not cached", n)
			}
			require.Len(t, hist[1].Epochs, 3)
			for e := range hist[0].Epochs {
				a, b := hist[0].Epochs[e], hist[1].Epochs[e]
				assert.InDelta(t, a.Train.Loss, b.Train.Loss, 1e-4)
				assert.InDelta(t, a.Val.Loss, b.Val.Loss, 1e-4)
				assert.Equal(t, a.Val.N, b.Val.N)
			}
		})
	}
}

// pretrainedBN is tinyBN with running statistics away from (0, 1).
func pretrainedBN(t testing.TB) *zoo.Model {
	m := tinyBN(t, 21)
	fit(t, m, &data.Loader{Dataset: squares(32, 3, 1, 8, 9), BatchSize: 16, Workers: 1}, 1)
	return m
}

func TestCanCache(t *testing.T) {
	augment := data.TransformFunc(func(rng *rand.Rand, s data.Sample) (data.Sample, error) { return s, nil })
	batchAug := data.BatchTransformFunc(func(*rand.Rand, *data.Batch) error { return nil })
	norm := data.Normalize{Mean: []float32{0.1}, Std: []float32{0.3}}
	cases := []struct {
		name   string
		freeze func(m *zoo.Model) error
		loader data.Loader
		err    string
	}{
		{"body frozen", func(m *zoo.Model) error { return FreezeBody(m, Options{}) }, data.Loader{Transform: norm}, ""},
		{"deterministic compose", func(m *zoo.Model) error { return FreezeBody(m, Options{}) },
			data.Loader{Transform: Deterministic(data.Compose(data.Resize{H: 28, W: 28}, norm))}, ""},
		{"nothing frozen", func(*zoo.Model) error { return nil }, data.Loader{}, `first layer "conv1" has trainable tensors`},
		{"all frozen", func(m *zoo.Model) error { _, err := Freeze(m.Store, Options{}, "*"); return err }, data.Loader{}, "nothing to train"},
		{"augmenting", func(m *zoo.Model) error { return FreezeBody(m, Options{}) }, data.Loader{Transform: augment}, "TransformFunc may augment"},
		{"compose", func(m *zoo.Model) error { return FreezeBody(m, Options{}) }, data.Loader{Transform: data.Compose(norm)}, "may augment"},
		{"batch transform", func(m *zoo.Model) error { return FreezeBody(m, Options{}) }, data.Loader{BatchTransform: batchAug}, "BatchTransform"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := lenet(t, 10, 1)
			require.NoError(t, c.freeze(m))
			l := c.loader
			l.Dataset = squares(4, 10, 1, 28, 1)
			err := CanCache(m, &l, nil)
			if c.err == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, c.err)
			solver, serr := solvers.New("adam")
			require.NoError(t, serr)
			tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Quiet: true}
			_, err = FitCached(context.Background(), tr, m, &l, nil)
			assert.ErrorContains(t, err, c.err)
		})
	}
}

// TestFitCachedRefusesUnfreezing: a callback that unfreezes a cached layer
// stops the run instead of training on stale features.
func TestFitCachedRefusesUnfreezing(t *testing.T) {
	m := lenet(t, 10, 1)
	require.NoError(t, FreezeBody(m, Options{}))
	solver, err := solvers.New("adam")
	require.NoError(t, err)
	tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Epochs: 2, Quiet: true,
		Callbacks: []train.Callback{&GradualUnfreeze{Groups: m.Info.Groups}}}
	_, err = FitCached(context.Background(), tr, m, &data.Loader{Dataset: squares(16, 10, 1, 28, 1), BatchSize: 16, Workers: 1}, nil)
	assert.ErrorContains(t, err, `epoch 2: layer "fc1" was unfrozen`)
	assert.Len(t, tr.History().Epochs, 1)
}
