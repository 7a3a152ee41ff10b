package solvers

import (
	"fmt"
	"math"
)

// OneCycle is the one-cycle policy with torch.optim.lr_scheduler.OneCycleLR
// semantics. The learning rate rises from MaxLR/DivFactor to MaxLR over the
// first PctStart of TotalSteps and then falls to MaxLR/DivFactor/
// FinalDivFactor; momentum (β1 for the Adam family) moves the opposite way,
// MaxMomentum → BaseMomentum → MaxMomentum. With ThreePhase the rate comes
// back down to MaxLR/DivFactor symmetrically before a final annihilation
// phase. Annealing is cosine unless Linear. Zero fields take torch's
// defaults. Steps past TotalSteps−1 keep the final values (torch raises).
type OneCycle struct {
	MaxLR           float64 // peak learning rate (required)
	TotalSteps      int     // steps in the cycle (required)
	PctStart        float64 // fraction of steps rising; default 0.3
	DivFactor       float64 // initial LR = MaxLR/DivFactor; default 25
	FinalDivFactor  float64 // final LR = initial LR/FinalDivFactor; default 1e4
	ThreePhase      bool    // torch three_phase
	Linear          bool    // linear annealing instead of cosine
	NoMomentumCycle bool    // do not cycle momentum (torch cycle_momentum=False)
	BaseMomentum    float64 // lowest momentum, at the LR peak; default 0.85
	MaxMomentum     float64 // highest momentum, at the LR ends; default 0.95
}

type cyclePhase struct {
	end              float64 // last step of the phase (torch's float end_step)
	lr0, lr1, m0, m1 float64
}

func (o OneCycle) phases() []cyclePhase {
	total := float64(o.TotalSteps)
	pct := or(o.PctStart, 0.3)
	initial := o.MaxLR / or(o.DivFactor, 25)
	final := initial / or(o.FinalDivFactor, 1e4)
	baseM, maxM := or(o.BaseMomentum, 0.85), or(o.MaxMomentum, 0.95)
	if o.ThreePhase {
		return []cyclePhase{
			{pct*total - 1, initial, o.MaxLR, maxM, baseM},
			{2*pct*total - 2, o.MaxLR, initial, baseM, maxM},
			{total - 1, initial, final, maxM, maxM},
		}
	}
	return []cyclePhase{
		{pct*total - 1, initial, o.MaxLR, maxM, baseM},
		{total - 1, o.MaxLR, final, baseM, maxM},
	}
}

// at returns the learning rate and momentum for step t (NaN for an invalid
// configuration, which Validate reports).
func (o OneCycle) at(t int) (lr, m float64) {
	if o.Validate() != nil {
		return math.NaN(), math.NaN()
	}
	if t > o.TotalSteps-1 {
		t = o.TotalSteps - 1
	}
	anneal := annealCos
	if o.Linear {
		anneal = annealLinear
	}
	ph := o.phases()
	start := 0.0
	for i, p := range ph {
		if float64(t) <= p.end || i == len(ph)-1 {
			pct := (float64(t) - start) / (p.end - start)
			return anneal(p.lr0, p.lr1, pct), anneal(p.m0, p.m1, pct)
		}
		start = p.end
	}
	return math.NaN(), math.NaN() // unreachable: the last phase always returns
}

// LR returns the learning rate for step t.
func (o OneCycle) LR(t int) float64 {
	lr, _ := o.at(t)
	return lr
}

// Momentum returns the momentum (or β1) for step t; ok is false with
// NoMomentumCycle.
func (o OneCycle) Momentum(t int) (float64, bool) {
	if o.NoMomentumCycle {
		return 0, false
	}
	_, m := o.at(t)
	return m, true
}

// Validate checks the configuration.
func (o OneCycle) Validate() error {
	if !finite(o.MaxLR) || o.MaxLR <= 0 {
		return fmt.Errorf("solvers: OneCycle: MaxLR %v is invalid: set it > 0", o.MaxLR)
	}
	if o.TotalSteps < 1 {
		return fmt.Errorf("solvers: OneCycle: TotalSteps %d is invalid: set it ≥ 1", o.TotalSteps)
	}
	if p := o.PctStart; p != 0 && !(p > 0 && p < 1) {
		return fmt.Errorf("solvers: OneCycle: PctStart %v is invalid: set it in (0, 1)", p)
	}
	for _, f := range []float64{o.DivFactor, o.FinalDivFactor} {
		if f != 0 && !(f > 0 && finite(f)) {
			return fmt.Errorf("solvers: OneCycle: division factor %v is invalid: set it > 0", f)
		}
	}
	for _, m := range []float64{o.BaseMomentum, o.MaxMomentum} {
		if !(m >= 0 && m < 1) {
			return fmt.Errorf("solvers: OneCycle: momentum %v is invalid: set it in [0, 1)", m)
		}
	}
	start := 0.0
	for i, p := range o.phases() {
		if !(p.end > start) {
			return fmt.Errorf("solvers: OneCycle: phase %d of %d steps is empty (TotalSteps %d, PctStart %v): use more steps or another PctStart", i+1, o.TotalSteps, o.TotalSteps, or(o.PctStart, 0.3))
		}
		start = p.end
	}
	return nil
}

// annealCos is torch's _annealing_cos: from start (pct 0) to end (pct 1).
func annealCos(start, end, pct float64) float64 {
	return end + (start-end)/2.0*(math.Cos(math.Pi*pct)+1)
}

// annealLinear is torch's _annealing_linear.
func annealLinear(start, end, pct float64) float64 {
	return (end-start)*pct + start
}
