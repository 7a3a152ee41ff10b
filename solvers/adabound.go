package solvers

import (
	"fmt"
	"math"
)

// AdaBound is AdaBound, or AMSBound with the AMSGrad maximum, as in the
// authors' reference code (github.com/Luolc/AdaBound, not the paper's
// Algorithm 2); at step t of a parameter:
//
//	g ← g + wd·p                                   (L2 weight decay)
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²     (plain EMAs)
//	v̂ ← max(v̂, v)                                  (AMSBound; then used for v)
//	d = √v + eps
//	step = lr·√(1−β2ᵗ)/(1−β1ᵗ)
//	final = final_lr·lr/base_lr
//	lower = final·(1 − 1/(γt+1)),  upper = final·(1 + 1/(γt))
//	p ← p − clamp(step/d, lower, upper)·m          (the raw m, not m̂)
//
// base_lr is the learning rate at construction, so schedules that change lr
// scale the bounds too. Build it with New("adabound") or New("amsbound").
type AdaBound struct {
	core
	beta1, beta2, eps, wd, finalLR, gamma, baseLR float64
	amsbound                                      bool
}

func newAdaBound(c *config, amsbound bool) (*AdaBound, error) {
	s := &AdaBound{beta1: 0.9, beta2: 0.999, eps: c.or(optEps, c.eps, 1e-8), wd: c.wd,
		finalLR: c.or(optFinalLR, c.finalLR, 0.1), gamma: c.or(optGamma, c.gamma, 1e-3),
		amsbound: amsbound || c.amsgrad}
	if c.given[optBetas] {
		s.beta1, s.beta2 = c.beta1, c.beta2
	}
	s.baseLR = c.or(optLearnRate, c.lr, 1e-3)
	s.core = newCore("adabound", s.baseLR, c.clipNorm, s)
	return s, nil
}

// Momentum returns β1.
func (s *AdaBound) Momentum() float64 { return s.beta1 }

// SetMomentum sets β1 from the next Step on (one-cycle schedules cycle it).
func (s *AdaBound) SetMomentum(b1 float64) { s.beta1 = b1 }

// BaseLR returns the learning rate the bounds are relative to (the learning
// rate at construction).
func (s *AdaBound) BaseLR() float64 { return s.baseLR }

func (s *AdaBound) slots() []string {
	if s.amsbound {
		return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

func (s *AdaBound) allSlots() []string { return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"} }

func (s *AdaBound) check() error { return checkBeta1("adabound", s.beta1) }

func (s *AdaBound) hyper() map[string]float64 {
	return map[string]float64{"beta1": s.beta1, "base_lr": s.baseLR}
}

func (s *AdaBound) setHyper(h map[string]float64) error {
	b1, err := hyperValue("adabound", h, "beta1")
	if err != nil {
		return err
	}
	if err := checkBeta1("adabound", b1); err != nil {
		return err
	}
	base, err := hyperValue("adabound", h, "base_lr")
	if err != nil {
		return err
	}
	if base <= 0 {
		return fmt.Errorf("hyperparameter base_lr of the adabound state is %v, want > 0", base)
	}
	s.beta1, s.baseLR = b1, base
	return nil
}

func (s *AdaBound) update(p *param) {
	t := float64(p.step)
	bc1 := 1 - math.Pow(s.beta1, t)
	bc2 := 1 - math.Pow(s.beta2, t)
	final := s.finalLR * p.lr / s.baseLR
	h := adaBoundHyper{
		beta1: s.beta1, beta2: s.beta2, eps: s.eps, wd: s.wd,
		stepSize: p.lr * math.Sqrt(bc2) / bc1,
		lower:    final * (1 - 1/(s.gamma*t+1)),
		upper:    final * (1 + 1/(s.gamma*t)),
		amsbound: s.amsbound,
	}
	dispatch(p, adaBoundRule[float64](h), adaBoundRule[float32](h))
}

type adaBoundHyper struct {
	beta1, beta2, eps, wd  float64
	stepSize, lower, upper float64
	amsbound               bool
}

func adaBoundRule[T float](h adaBoundHyper) func(view[T]) {
	b1, omb1, b2, omb2 := T(h.beta1), T(1-h.beta1), T(h.beta2), T(1-h.beta2)
	eps, wd, stepSize, lower, upper := T(h.eps), T(h.wd), T(h.stepSize), T(h.lower), T(h.upper)
	return func(v view[T]) {
		m, s := v.buf[0], v.buf[1]
		for i, g := range v.g {
			if wd != 0 {
				g += wd * v.w[i]
			}
			m[i] = b1*m[i] + omb1*g
			s[i] = b2*s[i] + omb2*g*g
			den := s[i]
			if h.amsbound {
				mx := v.buf[2]
				if den > mx[i] {
					mx[i] = den
				}
				den = mx[i]
			}
			// clamp as torch's clamp_(lower, upper): max then min.
			r := stepSize / (sqrt(den) + eps)
			if r < lower {
				r = lower
			}
			if r > upper {
				r = upper
			}
			v.w[i] -= r * m[i]
		}
	}
}
