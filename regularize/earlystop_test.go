package regularize

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
)

// replay feeds a metric sequence to e as a Fit would, setting a weight and
// a buffer to the epoch number before each epoch ends, and returns the
// epoch at which e stopped (0 if it never did) and the history.
func replay(t *testing.T, e *EarlyStopping, metric string, values []float64) (int, *train.History, *graph.Store) {
	t.Helper()
	store := newStore(t, 1)
	w, err := store.Get("fc.weight", graph.Parameter, tensor.Shape{2, 2}, nil)
	require.NoError(t, err)
	buf, err := store.Get("bn.running_mean", graph.Buffer, tensor.Shape{2}, nil)
	require.NoError(t, err)
	tr := &train.Trainer{Store: store}
	require.NoError(t, e.OnFitBegin(tr))
	h := tr.History()
	stopped := 0
	for i, v := range values {
		epoch := i + 1
		require.NoError(t, w.Value.Memset(float64(epoch)))
		require.NoError(t, buf.Value.Memset(float64(-epoch)))
		rec := train.Epoch{Epoch: epoch, Val: &train.Metrics{}}
		switch metric {
		case "val_loss":
			rec.Val.Loss = v
		case "val_accuracy":
			rec.Val.Accuracy = v
		case "loss":
			rec.Train.Loss, rec.Val = v, nil
		}
		h.Epochs = append(h.Epochs, rec)
		stop, err := e.OnEpochEnd(tr, h)
		require.NoError(t, err)
		if stop {
			stopped = epoch
			break
		}
	}
	require.NoError(t, e.OnFitEnd(tr, h))
	return stopped, h, store
}

func TestEarlyStoppingSchedule(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name      string
		e         EarlyStopping
		metric    string
		values    []float64
		stoppedAt int // 0: ran every epoch
		best      int
	}{
		{"zero value stops at first non-improvement", EarlyStopping{}, "val_loss", []float64{1, 0.8, 0.9, 0.5}, 3, 2},
		{"patience 1 is patience 0", EarlyStopping{Patience: 1}, "val_loss", []float64{1, 0.8, 0.9, 0.5}, 3, 2},
		{"patience 3", EarlyStopping{Patience: 3}, "val_loss", []float64{1, 0.8, 0.9, 0.85, 0.81, 0.7}, 5, 2},
		{"patience resets on improvement", EarlyStopping{Patience: 3}, "val_loss", []float64{1, 1.1, 1.2, 0.9, 1.0, 0.95, 0.91}, 7, 4},
		{"never stops", EarlyStopping{Patience: 2}, "val_loss", []float64{1, 0.9, 0.95, 0.8, 0.7}, 0, 5},
		{"min delta", EarlyStopping{Patience: 2, MinDelta: 0.1}, "val_loss", []float64{1, 0.95, 0.92, 0.5}, 3, 1},
		{"accuracy is maximized", EarlyStopping{Monitor: "val_accuracy", Patience: 2}, "val_accuracy", []float64{0.5, 0.6, 0.6, 0.55}, 4, 2},
		{"explicit mode", EarlyStopping{Monitor: "val_accuracy", Mode: Min}, "val_accuracy", []float64{0.5, 0.4, 0.45}, 3, 2},
		{"training loss", EarlyStopping{Monitor: "loss"}, "loss", []float64{2, 1, 1.5}, 3, 2},
		{"NaN never improves", EarlyStopping{Patience: 2}, "val_loss", []float64{nan, 1, nan, nan}, 4, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.e
			e.RestoreBest = true
			stopped, h, store := replay(t, &e, c.metric, c.values)
			assert.Equal(t, c.stoppedAt, stopped)
			assert.Equal(t, c.best, h.Best)
			best, _ := e.BestEpoch()
			assert.Equal(t, c.best, best)
			if c.stoppedAt > 0 {
				assert.Contains(t, h.Stopped, "early stopping: "+e.monitor()+" did not improve")
			} else {
				assert.Empty(t, h.Stopped)
			}
			w, _ := store.Lookup("fc.weight")
			buf, _ := store.Lookup("bn.running_mean")
			assert.Equal(t, []float64{float64(c.best), float64(c.best), float64(c.best), float64(c.best)}, graph.Float64s(w.Value), "restored weights")
			assert.Equal(t, []float64{float64(-c.best), float64(-c.best)}, graph.Float64s(buf.Value), "restored buffer")
			last, _ := h.Last()
			if last.Epoch != c.best {
				assert.Equal(t, c.best, e.Restored())
			} else {
				assert.Zero(t, e.Restored())
			}
		})
	}
}

func TestEarlyStoppingWithoutRestore(t *testing.T) {
	e := &EarlyStopping{Patience: 2}
	stopped, h, store := replay(t, e, "val_loss", []float64{1, 2, 3})
	assert.Equal(t, 3, stopped)
	assert.Equal(t, 1, h.Best)
	w, _ := store.Lookup("fc.weight")
	assert.Equal(t, 3.0, graph.Float64s(w.Value)[0], "weights of the last epoch are kept")
	assert.Zero(t, e.Restored())
}

func TestEarlyStoppingErrors(t *testing.T) {
	tr := &train.Trainer{Store: newStore(t, 1)}
	for _, e := range []*EarlyStopping{{Patience: -1}, {MinDelta: -0.1}, {MinDelta: math.NaN()}, {Monitor: "val_los"}, {Mode: 7}} {
		assert.Error(t, e.OnFitBegin(tr), "%+v", *e)
	}
	e := &EarlyStopping{}
	require.NoError(t, e.OnFitBegin(tr))
	h := tr.History()
	h.Epochs = append(h.Epochs, train.Epoch{Epoch: 1})
	_, err := e.OnEpochEnd(tr, h)
	require.Error(t, err, "val_loss without validation")
	assert.Contains(t, err.Error(), "validation loader")
}

// TestEarlyStoppingResumeKeepsPatience: the state is rebuilt from the
// history a resumed trainer carries.
func TestEarlyStoppingResumeKeepsPatience(t *testing.T) {
	tr := &train.Trainer{Store: newStore(t, 1)}
	h := tr.History()
	for i, v := range []float64{1, 0.5, 0.7} {
		h.Epochs = append(h.Epochs, train.Epoch{Epoch: i + 1, Val: &train.Metrics{Loss: v}})
	}
	e := &EarlyStopping{Patience: 2}
	require.NoError(t, e.OnFitBegin(tr))
	h.Epochs = append(h.Epochs, train.Epoch{Epoch: 4, Val: &train.Metrics{Loss: 0.6}})
	stop, err := e.OnEpochEnd(tr, h)
	require.NoError(t, err)
	assert.True(t, stop, "epochs 3 and 4 did not improve on epoch 2")
	assert.Equal(t, 2, h.Best)
}

// noisyBlobs returns two Gaussian classes in 2-D (as 1×1×2 images); a
// fraction of the labels is flipped, which a big enough model memorizes.
func noisyBlobs(n int, flip float64, seed uint64) *data.InMemory {
	rng := rand.New(rand.NewPCG(seed, 2))
	ds := &data.InMemory{}
	for i := range n {
		label := i % 2
		cx := float32(2*label - 1)
		img := []float32{cx + float32(rng.NormFloat64()), float32(rng.NormFloat64())}
		if rng.Float64() < flip {
			label = 1 - label
		}
		ds.Samples = append(ds.Samples, data.Sample{Image: img, C: 1, H: 1, W: 2, Label: label})
	}
	return ds
}

// TestEarlyStoppingOnOverfittingRun trains an MLP on 40 points with 30%
// wrong labels: the validation loss falls, then rises as the model
// memorizes the noise. Early stopping must stop Patience epochs after the
// best, and the restored weights must reproduce the best validation score.
func TestEarlyStoppingOnOverfittingRun(t *testing.T) {
	model := layers.Sequential{
		layers.Flatten{},
		layers.Named{Name: "fc1", Layer: layers.Linear{In: 2, Out: 64}},
		layers.ReLU{},
		layers.Named{Name: "fc2", Layer: layers.Linear{In: 64, Out: 64}},
		layers.ReLU{},
		layers.Named{Name: "fc3", Layer: layers.Linear{In: 64, Out: 2}},
	}
	store, err := graph.NewStore(tensor.Float64, 5)
	require.NoError(t, err)
	solver, err := solvers.New("adam", solvers.WithLearnRate(0.003))
	require.NoError(t, err)
	const patience, epochs = 10, 400
	es := &EarlyStopping{Patience: patience, RestoreBest: true}
	tr := &train.Trainer{Model: model, Store: store, Solver: solver, Epochs: epochs, Quiet: true, Callbacks: []train.Callback{es}}
	trainSet := &data.Loader{Dataset: noisyBlobs(40, 0.3, 1), BatchSize: 40, Dtype: tensor.Float64, Workers: 1}
	valSet := &data.Loader{Dataset: noisyBlobs(400, 0, 2), BatchSize: 200, Dtype: tensor.Float64, Workers: 1}
	h, err := tr.Fit(context.Background(), trainSet, valSet)
	require.NoError(t, err)

	stopped := len(h.Epochs)
	t.Logf("best epoch %d, stopped after %d: %s", h.Best, stopped, h.Stopped)
	require.Less(t, stopped, epochs, "the run should overfit and stop early")
	require.Greater(t, h.Best, 3, "the validation loss should fall before it rises")
	assert.Equal(t, h.Best+patience, stopped, "stops Patience epochs after the best")
	best := h.Epochs[h.Best-1].Val.Loss
	for _, rec := range h.Epochs {
		assert.GreaterOrEqual(t, rec.Val.Loss, best, "epoch %d beats the best", rec.Epoch)
	}
	assert.Contains(t, h.Stopped, "restored the weights of epoch")
	assert.Equal(t, h.Best, es.Restored())

	m, err := tr.Evaluate(context.Background(), valSet)
	require.NoError(t, err)
	assert.InDelta(t, best, m.Loss, 1e-12, "restored weights give the best validation loss")
	assert.InDelta(t, h.Epochs[h.Best-1].Val.Accuracy, m.Accuracy, 1e-12)
	last, _ := h.Last()
	assert.Greater(t, last.Val.Loss, m.Loss, "and not the last epoch's")
}
