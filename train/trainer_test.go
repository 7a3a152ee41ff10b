package train

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
)

// blobs is a separable 3-class problem: 1×4×4 images whose class decides
// which quadrant is bright.
func blobs(n int, seed uint64) *data.InMemory {
	rng := rand.New(rand.NewPCG(seed, 1))
	ds := &data.InMemory{ClassNames: []string{"a", "b", "c"}}
	for i := 0; i < n; i++ {
		label := i % 3
		img := make([]float32, 16)
		for j := range img {
			img[j] = float32(rng.Float64() * 0.3)
		}
		for _, j := range [][]int{{0, 1, 4, 5}, {2, 3, 6, 7}, {10, 11, 14, 15}}[label] {
			img[j] += 0.7
		}
		ds.Samples = append(ds.Samples, data.Sample{Image: img, C: 1, H: 4, W: 4, Label: label})
	}
	return ds
}

func smallNet() graph.Layer {
	return L.Sequential{L.Flatten{}, L.Named{Name: "fc1", Layer: L.Linear{In: 16, Out: 8}}, L.ReLU{},
		L.Named{Name: "drop", Layer: L.Dropout{P: 0.2}}, L.Named{Name: "fc2", Layer: L.Linear{In: 8, Out: 3}}}
}

func newTrainer(t *testing.T, seed uint64) *Trainer {
	t.Helper()
	st, err := graph.NewStore(tensor.Float32, seed)
	require.NoError(t, err)
	return &Trainer{Model: smallNet(), Store: st, Solver: G.NewVanillaSolver(G.WithLearnRate(0.2)), Epochs: 4, Seed: seed, Quiet: true}
}

func loaders(seed int64) (trainL, valL *data.Loader) {
	return &data.Loader{Dataset: blobs(90, 1), BatchSize: 16, Shuffle: true, Seed: seed, Workers: 2},
		&data.Loader{Dataset: blobs(30, 2), BatchSize: 16, Workers: 2}
}

func TestFitLearnsAndRecordsHistory(t *testing.T) {
	tr := newTrainer(t, 1)
	var out bytes.Buffer
	tr.Quiet, tr.Out = false, &out
	trainL, valL := loaders(1)
	h, err := tr.Fit(context.Background(), trainL, valL)
	require.NoError(t, err)
	require.Len(t, h.Epochs, 4)
	first, last := h.Epochs[0], h.Epochs[3]
	assert.Less(t, last.Train.Loss, first.Train.Loss)
	require.NotNil(t, last.Val)
	assert.Equal(t, 30, last.Val.N)
	assert.Equal(t, 90, last.Train.N)
	assert.Equal(t, 1.0, last.Val.Accuracy)
	assert.Equal(t, 4*6, tr.Step()) // 90 samples in batches of 16: 6 per epoch
	assert.Contains(t, out.String(), "epoch 4: loss")
	m, err := tr.Evaluate(context.Background(), valL)
	require.NoError(t, err)
	assert.Equal(t, *last.Val, m)
}

func TestFitIsReproducible(t *testing.T) {
	run := func() []float64 {
		tr := newTrainer(t, 3)
		trainL, valL := loaders(3)
		_, err := tr.Fit(context.Background(), trainL, valL)
		require.NoError(t, err)
		v, _ := tr.Store.Lookup("fc1.weight")
		return graph.Float64s(v.Value)
	}
	assert.Equal(t, run(), run())
}

// stopAt cancels the run's context at a given global step.
type stopAt struct {
	step   int
	cancel context.CancelFunc
}

func (s stopAt) OnStepEnd(_ *Trainer, step int, _ float64) error {
	if step == s.step {
		s.cancel()
	}
	return nil
}

func TestInterruptedRunResumesExactly(t *testing.T) {
	t.Run("vanilla", func(t *testing.T) { testResume(t, nil) })
	t.Run("adam+onecycle", func(t *testing.T) {
		testResume(t, func(tr *Trainer) {
			s, err := solvers.New("adam", solvers.WithLearnRate(0.01))
			require.NoError(t, err)
			tr.Solver = s
			tr.Schedule = solvers.OneCycle{MaxLR: 0.05, TotalSteps: 24}
		})
	})
}

func testResume(t *testing.T, setup func(*Trainer)) {
	if setup == nil {
		setup = func(*Trainer) {}
	}
	ref := newTrainer(t, 5)
	setup(ref)
	trainL, valL := loaders(5)
	refHist, err := ref.Fit(context.Background(), trainL, valL)
	require.NoError(t, err)

	ckpt := filepath.Join(t.TempDir(), "run.ckpt")
	for _, stop := range []int{3, 6, 13} { // mid-epoch, epoch boundary, mid-epoch
		a := newTrainer(t, 5)
		setup(a)
		a.Checkpoint = ckpt
		ctx, cancel := context.WithCancel(context.Background())
		a.Callbacks = []Callback{stopAt{stop, cancel}}
		_, err := a.Fit(ctx, trainL, valL)
		require.ErrorIs(t, err, context.Canceled)

		b := newTrainer(t, 99) // different init: the checkpoint must overwrite it
		setup(b)
		b.Seed = 5
		b.Checkpoint = ckpt
		found, err := b.Resume()
		require.NoError(t, err)
		require.True(t, found)
		h, err := b.Fit(context.Background(), trainL, valL)
		require.NoError(t, err)
		for _, v := range ref.Store.Vars() {
			w, _ := b.Store.Lookup(v.Name)
			assert.Equal(t, graph.Float64s(v.Value), graph.Float64s(w.Value), "stop at %d: %s", stop, v.Name)
		}
		require.Len(t, h.Epochs, len(refHist.Epochs))
		for i := range h.Epochs {
			assert.InDelta(t, refHist.Epochs[i].Train.Loss, h.Epochs[i].Train.Loss, 1e-12)
			assert.Equal(t, refHist.Epochs[i].Val, h.Epochs[i].Val)
		}
		assert.Equal(t, ref.Step(), b.Step())
	}
}

func TestResumeRefusesAnotherRun(t *testing.T) {
	ckpt := filepath.Join(t.TempDir(), "run.ckpt")
	a := newTrainer(t, 1)
	a.Checkpoint, a.Epochs = ckpt, 1
	trainL, _ := loaders(1)
	_, err := a.Fit(context.Background(), trainL, nil)
	require.NoError(t, err)
	b := newTrainer(t, 2)
	b.Checkpoint = ckpt
	_, err = b.Resume()
	assert.ErrorContains(t, err, "seed 1")
}

func TestFitErrors(t *testing.T) {
	tr := newTrainer(t, 1)
	tr.Solver = nil
	_, err := tr.Fit(context.Background(), nil, nil)
	assert.ErrorContains(t, err, "Solver is nil")
	tr = newTrainer(t, 1)
	bad := &data.Loader{Dataset: &data.InMemory{Samples: []data.Sample{{Image: make([]float32, 4), C: 1, H: 2, W: 2, Label: 0}}}}
	_, err = tr.Fit(context.Background(), bad, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fc1")
}

// copyAt copies the checkpoint file aside after a step, as if the process
// had been killed there.
type copyAt struct {
	step     int
	src, dst string
}

func (c copyAt) OnStepEnd(_ *Trainer, step int, _ float64) error {
	if step != c.step {
		return nil
	}
	raw, err := os.ReadFile(c.src)
	if err != nil {
		return err
	}
	return os.WriteFile(c.dst, raw, 0o644)
}

func TestCheckpointEveryResumesAfterAKill(t *testing.T) {
	dir := t.TempDir()
	ref := newTrainer(t, 8)
	trainL, valL := loaders(8)
	ref.Checkpoint, ref.CheckpointEvery = filepath.Join(dir, "ref.ckpt"), 4
	// After step 9 the last checkpoint is the one written at step 8, mid-epoch 2.
	ref.Callbacks = []Callback{copyAt{step: 9, src: ref.Checkpoint, dst: filepath.Join(dir, "killed.ckpt")}}
	_, err := ref.Fit(context.Background(), trainL, valL)
	require.NoError(t, err)

	b := newTrainer(t, 8)
	b.Checkpoint = filepath.Join(dir, "killed.ckpt")
	found, err := b.Resume()
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 8, b.Step())
	_, err = b.Fit(context.Background(), trainL, valL)
	require.NoError(t, err)
	for _, v := range ref.Store.Vars() {
		w, _ := b.Store.Lookup(v.Name)
		assert.Equal(t, graph.Float64s(v.Value), graph.Float64s(w.Value), v.Name)
	}
}

type noHooks struct{}

func TestCallbackWithoutHooksIsAnError(t *testing.T) {
	tr := newTrainer(t, 1)
	tr.Callbacks = []Callback{noHooks{}}
	trainL, _ := loaders(1)
	_, err := tr.Fit(context.Background(), trainL, nil)
	assert.ErrorContains(t, err, "implements no hook")
}

// A parameter whose Store entry has LRScale 0.5 moves exactly as with half
// the learning rate: SGD steps are linear in the rate.
func TestStoreLRScalesReachTheSolver(t *testing.T) {
	deltas := func(scale float64, lr float64) []float64 {
		tr := newTrainer(t, 6)
		tr.Model = L.Sequential{L.Flatten{}, L.Named{Name: "fc", Layer: L.Linear{In: 16, Out: 3}}}
		s, err := solvers.New("sgd", solvers.WithLearnRate(lr))
		require.NoError(t, err)
		tr.Solver, tr.Epochs = s, 1
		trainL, _ := loaders(6)
		trainL.Shuffle = false
		trainL.Dataset = blobs(16, 1)
		trainL.BatchSize = 16
		_, err = graph.Compile(tr.Store, tr.Model, graph.Spec{Input: tensor.Shape{1, 1, 4, 4}})
		require.NoError(t, err)
		if scale != 0 {
			_, err = tr.Store.SetLRScale(scale, "fc.weight")
			require.NoError(t, err)
		}
		v, _ := tr.Store.Lookup("fc.weight")
		before := graph.Float64s(v.Value)
		_, err = tr.Fit(context.Background(), trainL, nil)
		require.NoError(t, err)
		after := graph.Float64s(v.Value)
		for i := range after {
			after[i] -= before[i]
		}
		return after
	}
	assert.InDeltaSlice(t, deltas(0, 0.05), deltas(0.5, 0.1), 1e-7)

	tr := newTrainer(t, 1)
	_, err := graph.Compile(tr.Store, tr.Model, graph.Spec{Input: tensor.Shape{1, 1, 4, 4}})
	require.NoError(t, err)
	_, err = tr.Store.SetLRScale(2, "fc1.*")
	require.NoError(t, err)
	trainL, _ := loaders(1)
	_, err = tr.Fit(context.Background(), trainL, nil) // Gorgonia's vanilla solver
	assert.ErrorContains(t, err, "no per-parameter rates")
}
