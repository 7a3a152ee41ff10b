package solvers

import (
	"fmt"
	"math"
)

// Cosine anneals the learning rate from Base to Min over Period steps
// (torch.optim.lr_scheduler.CosineAnnealingLR, closed form):
//
//	lr(t) = Min + (Base − Min)·(1 + cos(π·t/Period))/2
//
// Past Period the cosine continues, rising back to Base at 2·Period, as in
// torch; use CosineRestarts to jump back instead.
type Cosine struct {
	Base   float64
	Period int     // T_max, steps from Base to Min, ≥ 1
	Min    float64 // eta_min, default 0
}

// LR returns the learning rate for step t.
func (c Cosine) LR(t int) float64 {
	return cosineAt(c.Base, c.Min, float64(t), float64(c.Period))
}

// Validate checks the configuration.
func (c Cosine) Validate() error {
	return checkCosine("Cosine", c.Base, c.Min, c.Period)
}

// CosineRestarts is cosine annealing with warm restarts, SGDR
// (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts): the learning rate
// anneals from Base to Min over a cycle, then jumps back to Base; the first
// cycle is Period steps and each next one Mult times longer:
//
//	lr(t) = Min + (Base − Min)·(1 + cos(π·Tcur/Ti))/2
//
// with Tcur the steps since the last restart and Ti the current cycle length.
type CosineRestarts struct {
	Base   float64
	Period int     // T_0, length of the first cycle, ≥ 1
	Mult   int     // T_mult, cycle growth factor, ≥ 1; 0 means torch's default 1
	Min    float64 // eta_min, default 0
}

// LR returns the learning rate for step t (NaN for an invalid Period or
// Mult, or a negative t).
func (c CosineRestarts) LR(t int) float64 {
	if c.Period < 1 || c.Mult < 0 || t < 0 {
		return math.NaN()
	}
	mult := c.Mult
	if mult == 0 {
		mult = 1
	}
	cur, length := t, c.Period
	if mult == 1 {
		cur %= length
	} else {
		// Walk the cycles in integers, as torch's step() does, so that
		// restarts fall on exact steps (a log-based closed form can be off by
		// one at cycle boundaries).
		for cur >= length {
			cur -= length
			length *= mult
		}
	}
	return cosineAt(c.Base, c.Min, float64(cur), float64(length))
}

// Validate checks the configuration.
func (c CosineRestarts) Validate() error {
	if err := checkCosine("CosineRestarts", c.Base, c.Min, c.Period); err != nil {
		return err
	}
	if c.Mult < 0 {
		return fmt.Errorf("solvers: CosineRestarts: Mult %d is invalid: set it ≥ 1 (0 means 1)", c.Mult)
	}
	return nil
}

func cosineAt(base, min, t, period float64) float64 {
	return min + (base-min)*(1+math.Cos(math.Pi*t/period))/2
}

func checkCosine(kind string, base, min float64, period int) error {
	if err := checkBase(kind, base); err != nil {
		return err
	}
	if period < 1 {
		return fmt.Errorf("solvers: %s: Period %d is invalid: set it ≥ 1", kind, period)
	}
	if !finite(min) || min < 0 || min > base {
		return fmt.Errorf("solvers: %s: Min %v is invalid: set it in [0, Base=%v]", kind, min, base)
	}
	return nil
}
