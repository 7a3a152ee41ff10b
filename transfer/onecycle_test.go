package transfer

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/solvers"
)

func TestOneCycleValues(t *testing.T) {
	// Hand-computed from fastai's combined_cos: 4 steps at positions
	// 0, .25, .5, .75; cosine halves at .25 and .75 of each phase.
	o := OneCycle{MaxLR: 1, TotalSteps: 4, PctStart: 0.5, Div: 10, DivFinal: 100, Moms: [3]float64{0.9, 0.8, 0.7}}
	wantLR := []float64{0.1, 0.55, 1, 0.505}
	wantMom := []float64{0.9, 0.85, 0.8, 0.75}
	for step := 0; step < 4; step++ {
		assert.InDelta(t, wantLR[step], o.LR(step), 1e-15, "lr at step %d", step)
		m, ok := o.Momentum(step)
		assert.True(t, ok)
		assert.InDelta(t, wantMom[step], m, 1e-15, "momentum at step %d", step)
	}
	assert.Equal(t, o.LR(3), o.LR(10), "past the end the last value holds")
	assert.Equal(t, o.LR(0), o.LR(-1))

	d := OneCycle{MaxLR: 2e-3, TotalSteps: 100}
	assert.InDelta(t, 2e-3/25, d.LR(0), 1e-18, "fastai's div 25")
	assert.InDelta(t, 2e-3, d.LR(25), 1e-18, "peak at pct_start 0.25")
	// The last step sits at position 0.99, on the way to 2e-3/1e5.
	pos := (0.99 - 0.25) / 0.75
	assert.InDelta(t, 2e-3+(1+math.Cos(math.Pi*(1-pos)))*(2e-3/1e5-2e-3)/2, d.LR(99), 1e-18, "towards div_final 1e5")
	m, _ := d.Momentum(25)
	assert.InDelta(t, 0.85, m, 1e-15)
	_, ok := OneCycle{MaxLR: 1, TotalSteps: 1, NoMomentum: true}.Momentum(0)
	assert.False(t, ok)
	// One step is a valid cycle (torch's OneCycleLR rejects it).
	assert.InDelta(t, 1.0/25, OneCycle{MaxLR: 1, TotalSteps: 1, PctStart: 0.99}.LR(0), 1e-15)
}

func TestOneCycleDrivesSolver(t *testing.T) {
	s, err := solvers.New("adam")
	require.NoError(t, err)
	o := OneCycle{MaxLR: 1e-2, TotalSteps: 10}
	require.NoError(t, solvers.Apply(s, o, 3))
	assert.Equal(t, o.LR(3), s.LearnRate())
	m, _ := o.Momentum(3)
	assert.Equal(t, m, s.(solvers.MomentumSetter).Momentum())
}

func TestOneCycleInvalid(t *testing.T) {
	for _, o := range []OneCycle{
		{TotalSteps: 10},
		{MaxLR: 1},
		{MaxLR: math.Inf(1), TotalSteps: 10},
		{MaxLR: 1, TotalSteps: 10, PctStart: 1},
		{MaxLR: 1, TotalSteps: 10, Div: -1},
		{MaxLR: 1, TotalSteps: 10, Moms: [3]float64{0.9, 1, 0.9}},
	} {
		assert.Error(t, o.Validate(), "%+v", o)
		assert.True(t, math.IsNaN(o.LR(0)))
		s, err := solvers.New("sgd")
		require.NoError(t, err)
		assert.Error(t, solvers.Apply(s, o, 0), "%+v", o)
	}
}
