package transfer

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

func TestSlice(t *testing.T) {
	cases := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{1e-5, 1e-3, 3, []float64{1e-5, 1e-4, 1e-3}},
		{1e-4, 1e-2, 5, []float64{1e-4, 1e-4 * 3.1622776601683795, 1e-3, 1e-3 * 3.1622776601683795, 1e-2}},
		{0, 1e-3, 3, []float64{1e-4, 1e-4, 1e-3}}, // fastai's slice(1e-3)
		{2e-3, 2e-3, 3, []float64{2e-3, 2e-3, 2e-3}},
		{1e-5, 1e-3, 1, []float64{1e-3}},
	}
	for _, c := range cases {
		got, err := Slice(c.lo, c.hi, c.n)
		require.NoError(t, err)
		require.Len(t, got, c.n)
		assert.InDeltaSlice(t, c.want, got, 1e-15, "Slice(%v, %v, %d)", c.lo, c.hi, c.n)
	}
	for _, bad := range [][3]float64{{1e-3, 1e-5, 3}, {-1, 1, 3}, {0, 0, 3}, {0, 1, 0}} {
		_, err := Slice(bad[0], bad[1], int(bad[2]))
		assert.Error(t, err, "Slice%v", bad)
	}
}

// stepOnce trains m for one step (one batch of 16) with solver.
func stepOnce(t *testing.T, m *zoo.Model, solver G.Solver) {
	t.Helper()
	l := &data.Loader{Dataset: squares(16, 10, 1, 28, 4), BatchSize: 16, Workers: 1, Dtype: m.Store.Dtype()}
	tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Quiet: true}
	_, err := tr.Fit(context.Background(), l, nil)
	require.NoError(t, err)
}

// TestSetRatesScalesSteps checks that a group's step is its rate's share
// of the unscaled step, for every solver.
func TestSetRatesScalesSteps(t *testing.T) {
	const lr = 1e-2
	rates := []float64{lr / 100, lr / 10, lr}
	for _, name := range solvers.Names() {
		t.Run(name, func(t *testing.T) {
			var deltas [2]map[string][]float64
			var groupOf map[string]int
			var scale map[string]float64
			for run := range deltas {
				m, err := zoo.New("lenet5", zoo.WithSeed(5), zoo.WithDtype(tensor.Float64))
				require.NoError(t, err)
				solver, err := solvers.New(name, solvers.WithLearnRate(lr))
				require.NoError(t, err)
				if run == 1 {
					require.NoError(t, SetRates(m.Store, m.Info.Groups, solver, lr, rates))
					a, err := assign(m.Store, m.Info.Groups)
					require.NoError(t, err)
					groupOf = map[string]int{}
					for g, vs := range a.members {
						for _, v := range vs {
							groupOf[v.Name] = g
							assert.Equal(t, m.Info.Groups[g].Name, v.Group)
							assert.Equal(t, rates[g]/lr, v.LRScale)
						}
					}
				}
				before := snapshot(m.Store)
				scale = map[string]float64{}
				for n, w := range before {
					for _, x := range w {
						scale[n] = math.Max(scale[n], 10*math.Abs(x))
					}
				}
				stepOnce(t, m, solver)
				deltas[run] = map[string][]float64{}
				for n, after := range snapshot(m.Store) {
					d := make([]float64, len(after))
					for i := range d {
						d[i] = after[i] - before[n][i]
					}
					deltas[run][n] = d
				}
			}
			require.Len(t, groupOf, 10)
			for n, g := range groupOf {
				want := make([]float64, len(deltas[0][n]))
				for i, d := range deltas[0][n] {
					want[i] = d * rates[g] / lr
				}
				// Differences of weights lose ~1e-16·|w| to rounding.
				for i := range want {
					tol := 1e-15*scale[n] + 1e-9*math.Abs(want[i])
					if !assert.InDelta(t, want[i], deltas[1][n][i], tol, "%s[%d]: group %d", n, i, g) {
						break
					}
				}
				assert.NotEqual(t, 0.0, maxRelDiff(deltas[0][n], make([]float64, len(want)), 1), "%s did not move", n)
			}
		})
	}
}

func TestSetRatesErrors(t *testing.T) {
	m := lenet(t, 10, 1)
	adam, err := solvers.New("adam")
	require.NoError(t, err)
	assert.ErrorContains(t, SetRates(m.Store, m.Info.Groups, G.NewVanillaSolver(), 1, []float64{1, 1, 1}), "cannot scale learning rates per parameter")
	assert.ErrorContains(t, SetRates(m.Store, m.Info.Groups, adam, 1, []float64{1, 1}), "2 rates for 3 groups")
	assert.ErrorContains(t, SetRates(m.Store, m.Info.Groups, adam, 0, []float64{1, 1, 1}), "base rate 0")
	assert.ErrorContains(t, SetRates(m.Store, m.Info.Groups, adam, 1, []float64{1, 0, 1}), `rate 0 of group "classifier"`)
	assert.ErrorContains(t, SetRates(m.Store, nil, adam, 1, nil), "no layer groups")
}
