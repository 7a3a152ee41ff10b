package regularize

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
)

func rowNorms(v []float64, rows int) []float64 {
	n := len(v) / rows
	out := make([]float64, rows)
	for r := range out {
		for _, x := range v[r*n : (r+1)*n] {
			out[r] += x * x
		}
		out[r] = math.Sqrt(out[r])
	}
	return out
}

func setVar(t *testing.T, s *graph.Store, name string, kind graph.Kind, shape tensor.Shape, v []float64) *graph.Var {
	t.Helper()
	x, err := s.Get(name, kind, shape, nil)
	require.NoError(t, err)
	switch d := x.Value.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	}
	return x
}

func TestMaxNormApply(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		store, err := graph.NewStore(dt, 1)
		require.NoError(t, err)
		// Rows of norm 1, 5 (3-4-0-0) and 3.
		fc := setVar(t, store, "fc.weight", graph.Parameter, tensor.Shape{3, 4}, []float64{1, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 3})
		// Filters (in=1, 2×2) of norm 4 and 0.5.
		conv := setVar(t, store, "conv.weight", graph.Parameter, tensor.Shape{2, 1, 2, 2}, []float64{2, 2, 2, 2, 0.25, 0.25, 0.25, 0.25})
		bias := setVar(t, store, "fc.bias", graph.Parameter, tensor.Shape{3}, []float64{10, 0, 0})
		frozen := setVar(t, store, "head.weight", graph.Parameter, tensor.Shape{1, 2}, []float64{30, 40})
		frozen.Frozen = true

		require.NoError(t, MaxNorm{}.Apply(store)) // Max 0 → 2
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		assert.InDeltaSlice(t, []float64{1, 0, 0, 0, 3 * 2 / (5 + 1e-7), 4 * 2 / (5 + 1e-7), 0, 0, 0, 0, 0, 2 * 3 / (3 + 1e-7)}, graph.Float64s(fc.Value), tol)
		assert.InDeltaSlice(t, []float64{1, 2, 2}, rowNorms(graph.Float64s(fc.Value), 3), 1e-6)
		assert.InDeltaSlice(t, []float64{2, 0.5}, rowNorms(graph.Float64s(conv.Value), 2), 1e-6)
		assert.Equal(t, 0.25, graph.Float64s(conv.Value)[4], "a filter inside the ball is untouched")
		assert.Equal(t, []float64{10, 0, 0}, graph.Float64s(bias.Value), "biases are not selected by default")
		assert.Equal(t, []float64{30, 40}, graph.Float64s(frozen.Value), "frozen weights are not touched")

		// A 1-D parameter selected by pattern is one vector.
		require.NoError(t, MaxNorm{Max: 5, Select: Patterns("fc.bias")}.Apply(store))
		assert.InDeltaSlice(t, []float64{5 * 10 / (10 + 1e-7), 0, 0}, graph.Float64s(bias.Value), tol)
	}
}

func TestMaxNormErrors(t *testing.T) {
	store := newStore(t, 1)
	setVar(t, store, "fc.weight", graph.Parameter, tensor.Shape{1, 2}, []float64{3, 4})
	assert.Error(t, MaxNorm{Max: -1}.Apply(store))
	assert.Error(t, MaxNorm{Max: math.Inf(1)}.Apply(store))
	assert.Error(t, MaxNorm{}.Apply(nil))
	assert.Error(t, MaxNorm{Select: Patterns("[")}.Apply(store))
	assert.Error(t, MaxNorm{Max: -2}.OnFitBegin(&train.Trainer{Store: store}))
	err := MaxNorm{Select: Patterns("fc1.*")}.OnFitBegin(&train.Trainer{Store: store})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"fc1.*" matches no parameter`)
}

// TestMaxNormDuringFit: with a learning rate that would blow the weights
// up, every row stays within the bound after every step.
func TestMaxNormDuringFit(t *testing.T) {
	store := newStore(t, 4)
	solver, err := solvers.New("sgd", solvers.WithLearnRate(5))
	require.NoError(t, err)
	const c = 0.5
	check := stepCheck(func(step int) {
		v, _ := store.Lookup("fc.weight")
		for r, n := range rowNorms(graph.Float64s(v.Value), 3) {
			assert.LessOrEqual(t, n, c+1e-12, "step %d row %d", step, r)
		}
	})
	tr := &train.Trainer{Model: linear(4, 3), Store: store, Solver: solver, Loss: mse, Epochs: 3, Quiet: true,
		Callbacks: []train.Callback{MaxNorm{Max: c}, check}}
	ds := &data.InMemory{}
	for i := range 8 {
		img := graph.Float64s(randDense(uint64(i), 4))
		ds.Samples = append(ds.Samples, data.Sample{Image: []float32{float32(img[0]), float32(img[1]), float32(img[2]), float32(img[3])}, C: 4, H: 1, W: 1, Label: i % 3})
	}
	_, err = tr.Fit(context.Background(), &data.Loader{Dataset: ds, BatchSize: 4, Dtype: tensor.Float64, Workers: 1, NumClasses: 3}, nil)
	require.NoError(t, err)
	assert.Equal(t, 6, check.steps)
}

// stepCheck is a StepEnder that calls fn after each step.
type stepCheckT struct {
	fn    func(step int)
	steps int
}

func stepCheck(fn func(step int)) *stepCheckT { return &stepCheckT{fn: fn} }

func (s *stepCheckT) OnStepEnd(_ *train.Trainer, step int, _ float64) error {
	s.fn(step)
	s.steps++
	return nil
}
