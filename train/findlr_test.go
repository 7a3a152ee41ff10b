package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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

// regression is a least-squares problem whose divergence threshold is
// known: y = W*·x + noise for x ~ N(0, scale²) in 4 dimensions, K = 2
// outputs, fitted by a bias-free Linear layer with MSE. The MSE's Hessian
// for each output is (2/(N·K))·XᵀX, so full-batch gradient descent
// diverges exactly for learning rates above 2/λmax.
type regression struct {
	ds    *data.InMemory
	lrDiv float64 // 2/λmax: the largest stable learning rate
}

func newRegression(n int, scale float64, seed uint64) regression {
	const d, k = 4, 2
	rng := rand.New(rand.NewPCG(seed, 7))
	wStar := make([]float64, k*d)
	for i := range wStar {
		wStar[i] = rng.NormFloat64()
	}
	ds := &data.InMemory{}
	xtx := make([]float64, d*d)
	for range n {
		img := make([]float32, d)
		for j := range img {
			img[j] = float32(scale * rng.NormFloat64())
		}
		y := make([]float32, k)
		for o := range y {
			s := 0.0
			for j := range img {
				s += wStar[o*d+j] * float64(img[j])
			}
			y[o] = float32(s + 0.5*rng.NormFloat64())
		}
		for a := range d {
			for b := range d {
				xtx[a*d+b] += float64(img[a]) * float64(img[b])
			}
		}
		ds.Samples = append(ds.Samples, data.Sample{Image: img, C: 1, H: 2, W: 2, Target: y})
	}
	// λmax of the symmetric positive definite XᵀX by power iteration.
	v := []float64{1, 1, 1, 1}
	var lambda float64
	for range 500 {
		w := make([]float64, d)
		for a := range d {
			for b := range d {
				w[a] += xtx[a*d+b] * v[b]
			}
		}
		norm := 0.0
		for _, x := range w {
			norm += x * x
		}
		lambda = math.Sqrt(norm)
		for a := range w {
			v[a] = w[a] / lambda
		}
	}
	hessMax := 2 / float64(n*k) * lambda
	return regression{ds: ds, lrDiv: 2 / hessMax}
}

// trainer returns a Trainer fitting the regression with plain SGD and a
// full-batch loader, so every step sees the same batch.
func (r regression) trainer(t *testing.T) (*Trainer, *data.Loader) {
	t.Helper()
	st, err := graph.NewStore(tensor.Float32, 3)
	require.NoError(t, err)
	sgd, err := solvers.New("sgd")
	require.NoError(t, err)
	model := L.Sequential{L.Flatten{}, L.Named{Name: "fc", Layer: L.Linear{In: 4, Out: 2, NoBias: true}}}
	tr := &Trainer{Model: model, Store: st, Solver: sgd, Loss: L.MSE(), Quiet: true}
	return tr, &data.Loader{Dataset: r.ds, BatchSize: r.ds.Len(), NumClasses: 2, Workers: 1}
}

func TestFindLRSuggestsStableRates(t *testing.T) {
	r := newRegression(64, 10, 1)
	tr, loader := r.trainer(t)
	sweep, err := FindLR(context.Background(), tr, loader, FindLRConfig{})
	require.NoError(t, err)
	t.Logf("2/λmax %.4g; stopped after %d steps: %s; valley %v; steepest %v", r.lrDiv, len(sweep.LRs), sweep.Stopped, sweep.Valley, sweep.Steepest)

	assert.Contains(t, sweep.Stopped, "diverged")
	// Full-batch GD on a quadratic cannot increase the loss below 2/λmax,
	// so the sweep stops only above it, and soon after (within 25 steps of
	// ×1.2).
	last := sweep.LRs[len(sweep.LRs)-1]
	assert.Greater(t, last, r.lrDiv)
	assert.Less(t, last, 100*r.lrDiv)
	for name, s := range map[string]LRSuggestion{"valley": sweep.Valley, "steepest": sweep.Steepest} {
		assert.Greater(t, s.LR, r.lrDiv/1000, name)
		assert.Less(t, s.LR, r.lrDiv, name)
		assert.Equal(t, sweep.LRs[s.Index], s.LR, name)
		assert.Equal(t, sweep.Losses[s.Index], s.Loss, name)
		// Suggestions come from fastai's window: not the first NumIter/10
		// points, not the last 5.
		assert.GreaterOrEqual(t, s.Index, 10, name)
		assert.Less(t, s.Index, len(sweep.LRs)-5, name)
	}
	// The suggested rates train: 30 full-batch steps from the initial
	// weights at least halve the loss.
	for name, s := range map[string]LRSuggestion{"valley": sweep.Valley, "steepest": sweep.Steepest} {
		fresh, loader := r.trainer(t)
		fresh.Solver.(solvers.Solver).SetLearnRate(s.LR)
		fresh.Epochs = 30
		h, err := fresh.Fit(context.Background(), loader, nil)
		require.NoError(t, err)
		end, _ := h.Last()
		assert.Less(t, end.Train.Loss, sweep.RawLosses[0]/2, name)
	}
}

func TestFindLRLeavesAFreshStoreAtItsInitialization(t *testing.T) {
	// A Trainer's Store is empty until its first program compiles; the
	// sweep creates the weights and must leave them as initialized.
	r := newRegression(64, 10, 7)
	tr, loader := r.trainer(t)
	require.Zero(t, tr.Store.Len())
	_, err := FindLR(context.Background(), tr, loader, FindLRConfig{})
	require.NoError(t, err)
	twin, _ := r.trainer(t)
	_, err = twin.Evaluate(context.Background(), loader)
	require.NoError(t, err)
	assert.Equal(t, storeValues(twin.Store), storeValues(tr.Store))
}

func TestFindLRCurveFollowsFastai(t *testing.T) {
	r := newRegression(64, 10, 2)
	tr, loader := r.trainer(t)
	sweep, err := FindLR(context.Background(), tr, loader, FindLRConfig{NumIter: 50, StartLR: 1e-5, EndLR: 1})
	require.NoError(t, err)
	avg := 0.0
	for i, lr := range sweep.LRs {
		assert.InDelta(t, 1e-5*math.Pow(1e5, float64(i)/50), lr, 1e-12*lr, "lr of step %d", i)
		avg = 0.98*avg + 0.02*sweep.RawLosses[i]
		assert.InDelta(t, avg/(1-math.Pow(0.98, float64(i+1))), sweep.Losses[i], 1e-9*sweep.Losses[i], "smoothed loss %d", i)
	}
}

func TestFindLRStopCriterion(t *testing.T) {
	r := newRegression(64, 10, 3)
	t.Run("4x best", func(t *testing.T) {
		tr, loader := r.trainer(t)
		sweep, err := FindLR(context.Background(), tr, loader, FindLRConfig{})
		require.NoError(t, err)
		n := len(sweep.Losses)
		require.Less(t, n, 100)
		best := math.Inf(1)
		for i, l := range sweep.Losses {
			best = math.Min(best, l)
			if i < n-1 {
				assert.LessOrEqual(t, l, 4*best, "step %d should not have stopped the sweep", i)
			}
		}
		assert.Greater(t, sweep.Losses[n-1], 4*best, "the last step is the one that stopped it")
	})
	t.Run("custom factor stops earlier", func(t *testing.T) {
		tr, loader := r.trainer(t)
		four, err := FindLR(context.Background(), tr, loader, FindLRConfig{})
		require.NoError(t, err)
		tight, err := FindLR(context.Background(), tr, loader, FindLRConfig{StopFactor: 1.5})
		require.NoError(t, err)
		assert.Less(t, len(tight.LRs), len(four.LRs))
		assert.Equal(t, four.RawLosses[:len(tight.LRs)], tight.RawLosses, "same start, same trajectory")
	})
	t.Run("no stop runs until the loss overflows", func(t *testing.T) {
		tr, loader := r.trainer(t)
		sweep, err := FindLR(context.Background(), tr, loader, FindLRConfig{NoStop: true, EndLR: 1e6})
		require.NoError(t, err)
		assert.Less(t, len(sweep.LRs), 100)
		assert.Contains(t, sweep.Stopped, "finite")
	})
	t.Run("NaN loss", func(t *testing.T) {
		tr, loader := r.trainer(t)
		// log of a negative number: NaN from the first step.
		tr.Loss = func(s *graph.Scope, out, target *G.Node) (*G.Node, error) {
			mse, err := L.MSE()(s, out, target)
			if err != nil {
				return nil, err
			}
			neg, err := G.Neg(G.Must(G.Add(mse, G.NewConstant(float32(1)))))
			if err != nil {
				return nil, err
			}
			return G.Log(neg)
		}
		sweep, err := FindLR(context.Background(), tr, loader, FindLRConfig{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no suggestion")
		require.NotNil(t, sweep)
		assert.Len(t, sweep.LRs, 1)
		assert.True(t, math.IsNaN(sweep.RawLosses[0]))
		assert.Contains(t, sweep.Stopped, "not finite")
	})
}

// bnNet has batch-norm buffers and dropout on the blobs problem.
func bnNet() graph.Layer {
	return L.Sequential{L.Named{Name: "bn", Layer: L.BatchNorm2d{Features: 1}}, L.Flatten{},
		L.Named{Name: "fc1", Layer: L.Linear{In: 16, Out: 8}}, L.ReLU{},
		L.Named{Name: "drop", Layer: L.Dropout{P: 0.2}}, L.Named{Name: "fc2", Layer: L.Linear{In: 8, Out: 3}}}
}

func storeValues(s *graph.Store) map[string]any {
	out := map[string]any{}
	for _, v := range s.Vars() {
		out[v.Name] = v.Value.Clone().(*tensor.Dense).Data()
	}
	return out
}

func TestFindLRRestoresWeightsBuffersAndSolver(t *testing.T) {
	mk := func() *Trainer {
		st, err := graph.NewStore(tensor.Float32, 11)
		require.NoError(t, err)
		adam, err := solvers.New("adam", solvers.WithLearnRate(0.01))
		require.NoError(t, err)
		return &Trainer{Model: bnNet(), Store: st, Solver: adam, Epochs: 1, Seed: 4, Quiet: true}
	}
	trainL, valL := loaders(4)
	a, b := mk(), mk()
	for _, tr := range []*Trainer{a, b} {
		_, err := tr.Fit(context.Background(), trainL, valL)
		require.NoError(t, err)
	}
	before := storeValues(a.Store)
	require.Contains(t, before, "bn.running_mean")
	sweep, err := FindLR(context.Background(), a, trainL, FindLRConfig{})
	require.NoError(t, err)
	require.Greater(t, len(sweep.LRs), 20)
	assert.NotEqual(t, sweep.RawLosses[0], sweep.RawLosses[len(sweep.RawLosses)-1], "the sweep trained")
	assert.Equal(t, before, storeValues(a.Store), "weights and buffers bit-identical after the sweep")
	assert.InDelta(t, 0.01, a.Solver.(solvers.Solver).LearnRate(), 0, "learning rate restored")
	assert.Equal(t, b.Step(), a.Step(), "the sweep is not training")
	assert.Len(t, a.History().Epochs, 1)

	// The solver's moments and step counts are back too: training on gives
	// exactly what it gives without the sweep.
	for _, tr := range []*Trainer{a, b} {
		tr.Epochs = 2
		_, err := tr.Fit(context.Background(), trainL, valL)
		require.NoError(t, err)
	}
	assert.Equal(t, storeValues(b.Store), storeValues(a.Store))
	assert.Equal(t, b.History().Epochs[1].Train.Loss, a.History().Epochs[1].Train.Loss)
}

func TestFindLRSolverChoice(t *testing.T) {
	r := newRegression(32, 10, 4)
	tr, loader := r.trainer(t)
	vanilla := G.NewVanillaSolver(G.WithLearnRate(0.1))
	tr.Solver = vanilla
	_, err := FindLR(context.Background(), tr, loader, FindLRConfig{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NewSolver")

	_, err = tr.Evaluate(context.Background(), loader) // creates the weights
	require.NoError(t, err)
	before := storeValues(tr.Store)
	require.Contains(t, before, "fc.weight")
	built := 0
	sweep, err := FindLR(context.Background(), tr, loader, FindLRConfig{NewSolver: func() (solvers.Solver, error) {
		built++
		return solvers.New("sgd", solvers.WithMomentum(0.9))
	}})
	require.NoError(t, err)
	assert.Equal(t, 1, built)
	assert.Greater(t, sweep.Valley.LR, 0.0)
	assert.Equal(t, before, storeValues(tr.Store))
	assert.Same(t, vanilla, tr.Solver)
}

func TestFindLRErrors(t *testing.T) {
	r := newRegression(16, 1, 5)
	for _, tc := range []struct {
		name string
		cfg  FindLRConfig
		want string
	}{
		{"start above end", FindLRConfig{StartLR: 1, EndLR: 0.1}, "StartLR < EndLR"},
		{"negative start", FindLRConfig{StartLR: -1}, "must be finite, > 0"},
		{"infinite end", FindLRConfig{EndLR: math.Inf(1)}, "must be finite, > 0"},
		{"few steps", FindLRConfig{NumIter: 3}, "at least 6"},
		{"beta", FindLRConfig{Beta: 1}, "Beta 1"},
		{"factor", FindLRConfig{StopFactor: 0.5}, "StopFactor 0.5"},
		{"solver factory", FindLRConfig{NewSolver: func() (solvers.Solver, error) { return nil, nil }}, "nil solver"},
		{"panicking solver factory", FindLRConfig{NewSolver: func() (solvers.Solver, error) { panic("boom") }}, "panic: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, loader := r.trainer(t)
			_, err := FindLR(context.Background(), tr, loader, tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	tr, loader := r.trainer(t)
	_, err := FindLR(context.Background(), tr, nil, FindLRConfig{})
	assert.ErrorContains(t, err, "no training data")
	_, err = FindLR(context.Background(), tr, &data.Loader{Dataset: r.ds, BatchSize: 32, DropLast: true, NumClasses: 2}, FindLRConfig{})
	assert.ErrorContains(t, err, "no batches")

	_, err = tr.Evaluate(context.Background(), loader)
	require.NoError(t, err)
	before := storeValues(tr.Store)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = FindLR(ctx, tr, loader, FindLRConfig{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, before, storeValues(tr.Store))
}

func TestValleyAndSteepestMatchFastai(t *testing.T) {
	// Expected indices from fastai's valley and steep (fastai/callback/
	// schedule.py) run on the same lists, lrs = 1e-3·1.5^i.
	for _, tc := range []struct {
		name           string
		losses         []float64
		valley, steepI int
	}{
		{"flat, descent, rise", []float64{2.3, 2.3, 2.29, 2.2, 2.0, 1.6, 1.1, 0.7, 0.5, 0.45, 0.5, 0.9, 2.0}, 4, 5},
		{"noisy", []float64{1.0, 1.1, 0.9, 0.95, 0.8, 0.85, 0.7, 0.6, 0.65, 0.5, 0.4, 0.45, 0.3, 1.0}, 7, 1},
		{"two valleys", []float64{3, 2.2, 1, 2, 3, 2.5, 2.0, 1.5, 1.0, 0.8, 0.6, 0.4, 0.3, 5}, 7, 1},
		{"rising", []float64{1, 2, 3.5, 4}, 0, 2},
		// fastai computes index −1 here (Python then takes the last
		// point); the start of the valley is the sensible reading.
		{"two points down", []float64{2, 1}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lrs := make([]float64, len(tc.losses))
			for i := range lrs {
				lrs[i] = 1e-3 * math.Pow(1.5, float64(i))
			}
			assert.Equal(t, tc.valley, valley(tc.losses))
			assert.Equal(t, tc.steepI, steepest(lrs, tc.losses))
		})
	}
}

func ExampleFindLR() {
	// Least squares: y = x·w* for 2×2 "images" x, fitted by a linear layer.
	rng := rand.New(rand.NewPCG(1, 2))
	wStar := []float64{2, -1, 0.5, 1}
	ds := &data.InMemory{}
	for range 256 {
		img, y := make([]float32, 4), 0.0
		for j := range img {
			img[j] = float32(rng.NormFloat64())
			y += wStar[j] * float64(img[j])
		}
		ds.Samples = append(ds.Samples, data.Sample{Image: img, C: 1, H: 2, W: 2, Target: []float32{float32(y)}})
	}
	store, _ := graph.NewStore(tensor.Float32, 1)
	sgd, _ := solvers.New("sgd")
	t := &Trainer{Model: L.Sequential{L.Flatten{}, L.Named{Name: "fc", Layer: L.Linear{In: 4, Out: 1}}},
		Store: store, Solver: sgd, Loss: L.MSE(), Quiet: true}
	loader := &data.Loader{Dataset: ds, BatchSize: 32, Shuffle: true, Seed: 1, Workers: 1, NumClasses: 1}

	sweep, err := FindLR(context.Background(), t, loader, FindLRConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("stopped after %d of 100 steps: %s\n", len(sweep.LRs), strings.SplitN(sweep.Stopped, ":", 2)[0])
	fmt.Printf("valley %.1e\n", sweep.Valley.LR) // fastai's default suggestion
	// The weights are as before the sweep: train from them at the
	// suggested rate.
	sgd.SetLearnRate(sweep.Valley.LR)
	// Output:
	// stopped after 98 of 100 steps: diverged
	// valley 2.8e-02
}
