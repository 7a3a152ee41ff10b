package transfer

import (
	"fmt"
	"math"

	"github.com/tanren-ml/tanren/solvers"
)

// OneCycle is fastai's fit_one_cycle schedule, which fine-tuning recipes
// are written for. Step t of TotalSteps sits at position p = t/TotalSteps;
// before PctStart the learning rate rises by cosine annealing from
// MaxLR/Div to MaxLR, then falls the same way to MaxLR/DivFinal, while
// momentum (β1 for the Adam family) goes Moms[0] → Moms[1] → Moms[2].
//
// It differs from solvers.OneCycle (torch's OneCycleLR) in two ways that
// change the numbers: the final rate is MaxLR/DivFinal (torch:
// MaxLR/DivFactor/FinalDivFactor), and the phases are fractions of the
// run rather than step counts, so any TotalSteps ≥ 1 is valid (a cycle of
// 10 steps with PctStart 0.99 is fine). Zero fields take fastai's
// defaults.
type OneCycle struct {
	// MaxLR is the peak learning rate (required).
	MaxLR float64
	// TotalSteps is the number of steps of the cycle (required).
	TotalSteps int
	// PctStart is the fraction of the run spent rising; 0 means 0.25.
	PctStart float64
	// Div sets the initial rate MaxLR/Div; 0 means 25.
	Div float64
	// DivFinal sets the final rate MaxLR/DivFinal; 0 means 1e5.
	DivFinal float64
	// Moms are the momentum at the start, the peak and the end; zero
	// means (0.95, 0.85, 0.95).
	Moms [3]float64
	// NoMomentum leaves the solver's momentum alone (for solvers without
	// one, such as adagrad).
	NoMomentum bool
}

var _ solvers.MomentumSchedule = OneCycle{}

func (o OneCycle) pctStart() float64 { return or(o.PctStart, 0.25) }

func (o OneCycle) moms() [3]float64 {
	if o.Moms == ([3]float64{}) {
		return [3]float64{0.95, 0.85, 0.95}
	}
	return o.Moms
}

// Validate checks the configuration.
func (o OneCycle) Validate() error {
	switch {
	case !(o.MaxLR > 0) || math.IsInf(o.MaxLR, 0):
		return fmt.Errorf("transfer: OneCycle: MaxLR %v must be finite and > 0", o.MaxLR)
	case o.TotalSteps < 1:
		return fmt.Errorf("transfer: OneCycle: TotalSteps %d must be ≥ 1", o.TotalSteps)
	case !(o.PctStart >= 0 && o.PctStart < 1):
		return fmt.Errorf("transfer: OneCycle: PctStart %v must be in [0, 1) (0 means 0.25)", o.PctStart)
	case !(o.Div >= 0) || math.IsInf(o.Div, 0) || !(o.DivFinal >= 0) || math.IsInf(o.DivFinal, 0):
		return fmt.Errorf("transfer: OneCycle: Div %v and DivFinal %v must be finite and > 0 (0 means the default)", o.Div, o.DivFinal)
	}
	for _, m := range o.moms() {
		if !(m >= 0 && m < 1) {
			return fmt.Errorf("transfer: OneCycle: momentum %v in Moms %v must be in [0, 1)", m, o.Moms)
		}
	}
	return nil
}

// position is fastai's pct_train for step t.
func (o OneCycle) position(t int) float64 {
	t = min(max(t, 0), o.TotalSteps-1)
	return float64(t) / float64(o.TotalSteps)
}

// LR returns the learning rate of step t (NaN for an invalid
// configuration, which solvers.Apply reports through Validate).
func (o OneCycle) LR(t int) float64 {
	if o.Validate() != nil {
		return math.NaN()
	}
	return combinedCos(o.pctStart(), o.MaxLR/or(o.Div, 25), o.MaxLR, o.MaxLR/or(o.DivFinal, 1e5), o.position(t))
}

// Momentum returns the momentum of step t.
func (o OneCycle) Momentum(t int) (float64, bool) {
	if o.NoMomentum {
		return 0, false
	}
	if o.Validate() != nil {
		return math.NaN(), true
	}
	m := o.moms()
	return combinedCos(o.pctStart(), m[0], m[1], m[2], o.position(t)), true
}

// combinedCos is fastai's combined_cos(pct, start, middle, end) at
// position pos: cosine annealing start→middle over [0, pct) and
// middle→end over [pct, 1].
func combinedCos(pct, start, middle, end, pos float64) float64 {
	if pos < pct {
		return schedCos(start, middle, pos/pct)
	}
	return schedCos(middle, end, (pos-pct)/(1-pct))
}

// schedCos is fastai's sched_cos.
func schedCos(start, end, pos float64) float64 {
	return start + (1+math.Cos(math.Pi*(1-pos)))*(end-start)/2
}

// or returns v, or def when v is 0.
func or(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
