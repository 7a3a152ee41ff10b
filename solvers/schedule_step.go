package solvers

import (
	"fmt"
	"math"
)

// Constant keeps the learning rate at Base.
type Constant struct {
	Base float64
}

// LR returns Base.
func (c Constant) LR(int) float64 { return c.Base }

// Validate checks that Base is finite and > 0.
func (c Constant) Validate() error { return checkBase("Constant", c.Base) }

// StepDecay multiplies the learning rate by Gamma every StepSize steps
// (torch.optim.lr_scheduler.StepLR): lr(t) = Base·Gamma^⌊t/StepSize⌋.
type StepDecay struct {
	Base     float64
	StepSize int     // steps between decays, ≥ 1 (torch has no default)
	Gamma    float64 // decay factor; 0 means torch's default 0.1
}

// LR returns the learning rate for step t (NaN if StepSize < 1).
func (s StepDecay) LR(t int) float64 {
	if s.StepSize < 1 {
		return math.NaN()
	}
	return s.Base * math.Pow(or(s.Gamma, 0.1), float64(t/s.StepSize))
}

// Validate checks the configuration.
func (s StepDecay) Validate() error {
	if err := checkBase("StepDecay", s.Base); err != nil {
		return err
	}
	if s.StepSize < 1 {
		return fmt.Errorf("solvers: StepDecay: StepSize %d is invalid: set it ≥ 1", s.StepSize)
	}
	return checkFactor("StepDecay", "Gamma", s.Gamma)
}

// Exponential multiplies the learning rate by Gamma every step
// (torch.optim.lr_scheduler.ExponentialLR): lr(t) = Base·Gammaᵗ.
type Exponential struct {
	Base  float64
	Gamma float64 // per-step factor in (0, 1]; torch has no default, so 0 is an error
}

// LR returns the learning rate for step t.
func (e Exponential) LR(t int) float64 { return e.Base * math.Pow(e.Gamma, float64(t)) }

// Validate checks the configuration.
func (e Exponential) Validate() error {
	if err := checkBase("Exponential", e.Base); err != nil {
		return err
	}
	if !(e.Gamma > 0 && e.Gamma <= 1) {
		return fmt.Errorf("solvers: Exponential: Gamma %v is invalid: set it in (0, 1]", e.Gamma)
	}
	return nil
}

// or returns v, or def when v is 0 (an unset field).
func or(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// checkFactor checks a decay factor that defaults when 0: it must be in (0, 1].
func checkFactor(kind, field string, v float64) error {
	if v != 0 && !(v > 0 && v <= 1) {
		return fmt.Errorf("solvers: %s: %s %v is invalid: set it in (0, 1] (0 means the default)", kind, field, v)
	}
	return nil
}
