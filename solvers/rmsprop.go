package solvers

import "fmt"

// RMSProp has torch.optim.RMSprop semantics (not centered):
//
//	g ← g + wd·p
//	a ← α·a + (1−α)·g²
//	d ← √a + eps                  (eps after the square root)
//	b ← μ·b + g/d,  p ← p − lr·b  with momentum μ > 0
//	p ← p − lr·g/d                otherwise
//
// Defaults are torch's (lr 0.01, α 0.99), not Gorgonia's NewRMSPropSolver
// (lr 0.001, α 0.999, eps inside the square root).
// Build it with New("rmsprop").
type RMSProp struct {
	core
	alpha, eps, wd, momentum float64
}

func newRMSProp(c *config) (*RMSProp, error) {
	s := &RMSProp{
		alpha:    c.or(optAlpha, c.alpha, 0.99),
		eps:      c.or(optEps, c.eps, 1e-8),
		wd:       c.wd,
		momentum: c.momentum,
	}
	s.core = newCore("rmsprop", c.or(optLearnRate, c.lr, 0.01), c.clipNorm, s)
	return s, nil
}

// Momentum returns the momentum coefficient μ (0 by default).
func (s *RMSProp) Momentum() float64 { return s.momentum }

// SetMomentum sets μ from the next Step on; a buffer is started if μ was 0.
func (s *RMSProp) SetMomentum(m float64) { s.momentum = m }

func (s *RMSProp) slots() []string {
	if s.momentum > 0 {
		return []string{"square_avg", "momentum_buffer"}
	}
	return []string{"square_avg"}
}

func (s *RMSProp) allSlots() []string { return []string{"square_avg", "momentum_buffer"} }

func (s *RMSProp) check() error {
	if !finite(s.momentum) || s.momentum < 0 {
		return fmt.Errorf("solvers: rmsprop: momentum %v is invalid: give a finite value ≥ 0", s.momentum)
	}
	return nil
}

func (s *RMSProp) hyper() map[string]float64 { return map[string]float64{"momentum": s.momentum} }

func (s *RMSProp) setHyper(h map[string]float64) error {
	m, err := hyperValue("rmsprop", h, "momentum")
	if err != nil {
		return err
	}
	s.momentum = m
	return nil
}

func (s *RMSProp) update(p *param) {
	h := rmsHyper{lr: p.lr, alpha: s.alpha, eps: s.eps, wd: s.wd, momentum: s.momentum}
	dispatch(p, rmsRule[float64](h), rmsRule[float32](h))
}

type rmsHyper struct{ lr, alpha, eps, wd, momentum float64 }

func rmsRule[T float](h rmsHyper) func(view[T]) {
	lr, alpha, oma, eps, wd, mu := T(h.lr), T(h.alpha), T(1-h.alpha), T(h.eps), T(h.wd), T(h.momentum)
	return func(v view[T]) {
		sq := v.buf[0]
		for i, g := range v.g {
			if wd != 0 {
				g += wd * v.w[i]
			}
			sq[i] = alpha*sq[i] + oma*g*g
			d := sqrt(sq[i]) + eps
			if mu > 0 {
				b := v.buf[1]
				b[i] = mu*b[i] + g/d
				v.w[i] -= lr * b[i]
			} else {
				v.w[i] -= lr * (g / d)
			}
		}
	}
}
