package solvers

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	G "gorgonia.org/gorgonia"
)

// scheduleSpec is a schedule description in testdata/schedules.json.
type scheduleSpec struct {
	Type           string        `json:"type"`
	StepSize       int           `json:"step_size"`
	Gamma          float64       `json:"gamma"`
	TMax           int           `json:"t_max"`
	T0             int           `json:"t_0"`
	TMult          int           `json:"t_mult"`
	EtaMin         float64       `json:"eta_min"`
	Steps          int           `json:"steps"`
	StartFactor    float64       `json:"start_factor"`
	Then           *scheduleSpec `json:"then"`
	MaxLR          float64       `json:"max_lr"`
	TotalSteps     int           `json:"total_steps"`
	ThreePhase     bool          `json:"three_phase"`
	Linear         bool          `json:"linear"`
	PctStart       float64       `json:"pct_start"`
	DivFactor      float64       `json:"div_factor"`
	FinalDivFactor float64       `json:"final_div_factor"`
	BaseMomentum   float64       `json:"base_momentum"`
	MaxMomentum    float64       `json:"max_momentum"`
	// ReduceLROnPlateau
	Maximize  bool    `json:"maximize"`
	Patience  *int    `json:"patience"`
	Cooldown  int     `json:"cooldown"`
	Factor    float64 `json:"factor"`
	Threshold float64 `json:"threshold"`
	Abs       bool    `json:"abs"`
	MinLR     float64 `json:"min_lr"`
	Eps       float64 `json:"eps"`
}

func (s scheduleSpec) schedule(t *testing.T, base float64) Schedule {
	switch s.Type {
	case "step":
		return StepDecay{Base: base, StepSize: s.StepSize, Gamma: s.Gamma}
	case "exponential":
		return Exponential{Base: base, Gamma: s.Gamma}
	case "cosine":
		return Cosine{Base: base, Period: s.TMax, Min: s.EtaMin}
	case "cosine_restarts":
		return CosineRestarts{Base: base, Period: s.T0, Mult: s.TMult, Min: s.EtaMin}
	case "warmup":
		return Warmup{Steps: s.Steps, StartFactor: s.StartFactor, Then: s.Then.schedule(t, base)}
	case "onecycle":
		return OneCycle{MaxLR: s.MaxLR, TotalSteps: s.TotalSteps, ThreePhase: s.ThreePhase, Linear: s.Linear,
			PctStart: s.PctStart, DivFactor: s.DivFactor, FinalDivFactor: s.FinalDivFactor,
			BaseMomentum: s.BaseMomentum, MaxMomentum: s.MaxMomentum}
	}
	t.Fatalf("unknown schedule type %q", s.Type)
	return nil
}

type scheduleCase struct {
	Name    string       `json:"name"`
	Spec    scheduleSpec `json:"spec"`
	Base    float64      `json:"base"`
	LRs     []float64    `json:"lrs"`
	Momenta []float64    `json:"momenta"`
	Metrics []float64    `json:"metrics"`
}

func loadSchedules(t *testing.T) []scheduleCase {
	raw, err := os.ReadFile(filepath.Join("testdata", "schedules.json"))
	require.NoError(t, err, "run /usr/bin/python3 solvers/testdata/gen/gen_schedules.py")
	var fx struct {
		Cases []scheduleCase `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(raw, &fx))
	require.NotEmpty(t, fx.Cases)
	return fx.Cases
}

// TestSchedulesMatchTorch compares every schedule with torch's
// lr_scheduler, step by step, through Apply on a real solver.
func TestSchedulesMatchTorch(t *testing.T) {
	types := map[string]bool{}
	for _, c := range loadSchedules(t) {
		c := c
		types[c.Spec.Type] = true
		if c.Spec.Type == "plateau" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			sch := c.Spec.schedule(t, c.Base)
			require.NoError(t, sch.(validator).Validate())
			s, err := New("momentum", WithLearnRate(c.Base))
			require.NoError(t, err)
			if c.Spec.Type == "onecycle" {
				s, err = New("adam", WithLearnRate(c.Base)) // β1 cycles like momentum
				require.NoError(t, err)
			}
			var worst float64
			for k, want := range c.LRs {
				require.NoError(t, Apply(s, sch, k))
				worst = max(worst, relDiff(want, s.LearnRate()))
				assert.LessOrEqual(t, relDiff(want, s.LearnRate()), 1e-12, "step %d: torch %v, ours %v", k, want, s.LearnRate())
				wantM := 0.9 // torch leaves the SGD momentum alone
				if c.Spec.Type == "onecycle" {
					wantM = c.Momenta[k]
				}
				assert.InDelta(t, wantM, s.(MomentumSetter).Momentum(), 1e-14, "momentum at step %d", k)
			}
			t.Logf("%-28s %3d steps, max rel diff %.1e", c.Name, len(c.LRs), worst)
		})
	}
	for _, typ := range []string{"step", "exponential", "cosine", "cosine_restarts", "warmup", "onecycle", "plateau"} {
		assert.True(t, types[typ], "no torch fixture for %s", typ)
	}
}

func TestReduceOnPlateauMatchesTorch(t *testing.T) {
	for _, c := range loadSchedules(t) {
		c := c
		if c.Spec.Type != "plateau" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			p := &ReduceOnPlateau{Base: c.Base, Maximize: c.Spec.Maximize, Cooldown: c.Spec.Cooldown,
				Factor: c.Spec.Factor, Threshold: c.Spec.Threshold, AbsThreshold: c.Spec.Abs,
				MinLR: c.Spec.MinLR, Eps: c.Spec.Eps}
			if c.Spec.Patience != nil {
				p.Patience = *c.Spec.Patience
				if p.Patience == 0 {
					p.Patience = -1 // torch patience=0
				}
			}
			assert.Equal(t, c.Base, p.LR())
			cuts := 0
			for e, m := range c.Metrics {
				before := p.LR()
				lr, err := p.Step(m)
				require.NoError(t, err)
				assert.LessOrEqual(t, relDiff(c.LRs[e], lr), 1e-15, "epoch %d", e)
				if lr < before {
					cuts++
				}
			}
			assert.Greater(t, cuts, 0, "the fixture must exercise a cut")
		})
	}
}

func TestReduceOnPlateauStateRoundTrip(t *testing.T) {
	metrics := []float64{1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85}
	a := &ReduceOnPlateau{Base: 0.1, Patience: 2, Factor: 0.5}
	for _, m := range metrics[:5] {
		_, err := a.Step(m)
		require.NoError(t, err)
	}
	b := &ReduceOnPlateau{Base: 0.1, Patience: 2, Factor: 0.5}
	require.NoError(t, b.SetState(a.State()))
	for _, m := range metrics[5:] {
		la, err := a.Step(m)
		require.NoError(t, err)
		lb, err := b.Step(m)
		require.NoError(t, err)
		assert.Equal(t, la, lb)
	}
	assert.Less(t, a.LR(), 0.1)
	assert.Error(t, b.SetState(PlateauState{Started: true, LR: -1}))
}

func TestScheduleEdges(t *testing.T) {
	// Cosine past its period rises again, like torch's.
	c := Cosine{Base: 1, Period: 10}
	assert.InDelta(t, 0, c.LR(10), 1e-15)
	assert.InDelta(t, 1, c.LR(20), 1e-15)
	// Restarts with Mult 0 behave as Mult 1.
	r := CosineRestarts{Base: 1, Period: 4}
	assert.Equal(t, r.LR(1), r.LR(5))
	assert.Equal(t, 1.0, r.LR(8))
	// One-cycle holds its final value past the end.
	o := OneCycle{MaxLR: 1, TotalSteps: 10}
	assert.Equal(t, o.LR(9), o.LR(50))
	assert.InDelta(t, 1.0/25/1e4, o.LR(9), 1e-18)
	m, ok := o.Momentum(0)
	assert.True(t, ok)
	assert.Equal(t, 0.95, m)
	_, ok = OneCycle{MaxLR: 1, TotalSteps: 10, NoMomentumCycle: true}.Momentum(0)
	assert.False(t, ok)
	// A warmup of 0 steps is the schedule itself.
	assert.Equal(t, c.LR(3), Warmup{Then: c}.LR(3))
	// ScheduleFunc adapts a function.
	assert.Equal(t, 0.5, ScheduleFunc(func(int) float64 { return 0.5 }).LR(7))
	assert.Equal(t, 0.25, Constant{Base: 0.25}.LR(1000))
}

func TestScheduleValidation(t *testing.T) {
	bad := map[string]Schedule{
		"constant zero":        Constant{},
		"step size":            StepDecay{Base: 0.1},
		"step gamma":           StepDecay{Base: 0.1, StepSize: 3, Gamma: 2},
		"exponential gamma":    Exponential{Base: 0.1},
		"cosine period":        Cosine{Base: 0.1},
		"cosine min":           Cosine{Base: 0.1, Period: 5, Min: 0.2},
		"restarts mult":        CosineRestarts{Base: 0.1, Period: 5, Mult: -1},
		"warmup nil":           Warmup{Steps: 3},
		"warmup factor":        Warmup{Steps: 3, StartFactor: 2, Then: Constant{Base: 1}},
		"warmup inner":         Warmup{Steps: 3, Then: Cosine{Base: 1}},
		"onecycle lr":          OneCycle{TotalSteps: 10},
		"onecycle steps":       OneCycle{MaxLR: 1},
		"onecycle empty phase": OneCycle{MaxLR: 1, TotalSteps: 3},
		"onecycle momentum":    OneCycle{MaxLR: 1, TotalSteps: 100, MaxMomentum: 1.5},
		"onecycle pct":         OneCycle{MaxLR: 1, TotalSteps: 100, PctStart: 1},
		"negative from func":   ScheduleFunc(func(int) float64 { return -1 }),
		"plateau not a sched":  nil,
	}
	s, err := New("adam")
	require.NoError(t, err)
	for name, sch := range bad {
		err := Apply(s, sch, 0)
		assert.Error(t, err, name)
	}
	assert.Error(t, Apply(s, Constant{Base: 1}, -1), "negative step")
	assert.Equal(t, 1e-3, s.LearnRate(), "failed Applies change nothing")

	// Built-ins cannot change their learning rate.
	err = Apply(G.NewAdamSolver(), Constant{Base: 1}, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "solvers.New")
	// Momentum cycling needs a solver with momentum.
	ada, err := New("adagrad")
	require.NoError(t, err)
	err = Apply(ada, OneCycle{MaxLR: 1, TotalSteps: 100}, 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "momentum")
	assert.NoError(t, Apply(ada, OneCycle{MaxLR: 1, TotalSteps: 100, NoMomentumCycle: true}, 0))

	p := &ReduceOnPlateau{Base: 0.1, Factor: 1}
	_, err = p.Step(1)
	assert.Error(t, err)
}

// TestInvalidSchedulesDoNotPanic: LR called directly on a bad configuration
// gives NaN instead of panicking or looping forever.
func TestInvalidSchedulesDoNotPanic(t *testing.T) {
	for name, s := range map[string]Schedule{
		"step":     StepDecay{Base: 1},
		"restarts": CosineRestarts{Base: 1, Mult: 2},
		"negative": CosineRestarts{Base: 1, Period: 3, Mult: -2},
		"warmup":   Warmup{Steps: 2},
		"onecycle": OneCycle{MaxLR: 1, TotalSteps: 2},
	} {
		assert.True(t, math.IsNaN(s.LR(5)), name)
	}
}
