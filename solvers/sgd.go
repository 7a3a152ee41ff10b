package solvers

import (
	"errors"
	"fmt"
)

// SGD is stochastic gradient descent with torch.optim.SGD semantics
// (dampening 0): with L2 weight decay wd, momentum μ and learning rate lr,
//
//	g ← g + wd·p
//	b ← μ·b + g            (b starts as g; only when μ ≠ 0)
//	p ← p − lr·(g + μ·b)   with Nesterov momentum
//	p ← p − lr·b           otherwise (p − lr·g when μ = 0)
//
// Unlike Gorgonia's Momentum it keeps torch's buffer (so changing lr between
// steps scales the whole next step) and decays the weights, not the velocity.
// Build it with New("sgd"), New("momentum") or New("nesterov").
type SGD struct {
	core
	momentum, wd float64
	nesterov     bool
}

func newSGD(c *config, defMomentum float64, nesterov bool) (*SGD, error) {
	s := &SGD{
		momentum: c.orExplicit(optMomentum, c.momentum, defMomentum),
		wd:       c.wd,
		nesterov: nesterov || c.nesterov,
	}
	s.core = newCore("sgd", c.or(optLearnRate, c.lr, 0.01), c.clipNorm, s)
	if s.nesterov && s.momentum <= 0 {
		return nil, errors.New("solvers: sgd: Nesterov momentum needs a momentum > 0 (WithMomentum)")
	}
	return s, nil
}

// Momentum returns the momentum coefficient μ.
func (s *SGD) Momentum() float64 { return s.momentum }

// SetMomentum sets μ from the next Step on; a buffer is started if μ was 0.
func (s *SGD) SetMomentum(m float64) { s.momentum = m }

func (s *SGD) slots() []string {
	if s.momentum != 0 {
		return []string{"momentum_buffer"}
	}
	return nil
}

func (s *SGD) allSlots() []string { return []string{"momentum_buffer"} }

func (s *SGD) check() error {
	if !finite(s.momentum) || s.momentum < 0 {
		return fmt.Errorf("solvers: sgd: momentum %v is invalid: give a finite value ≥ 0", s.momentum)
	}
	return nil
}

func (s *SGD) hyper() map[string]float64 { return map[string]float64{"momentum": s.momentum} }

func (s *SGD) setHyper(h map[string]float64) error {
	m, err := hyperValue("sgd", h, "momentum")
	if err != nil {
		return err
	}
	s.momentum = m
	return nil
}

func (s *SGD) update(p *param) {
	h := sgdHyper{lr: p.lr, wd: s.wd, momentum: s.momentum, nesterov: s.nesterov}
	dispatch(p, sgdRule[float64](h), sgdRule[float32](h))
}

type sgdHyper struct {
	lr, wd, momentum float64
	nesterov         bool
}

func sgdRule[T float](h sgdHyper) func(view[T]) {
	lr, wd, mu := T(h.lr), T(h.wd), T(h.momentum)
	return func(v view[T]) {
		for i, g := range v.g {
			if wd != 0 {
				g += wd * v.w[i]
			}
			if mu != 0 {
				b := v.buf[0]
				// A zero buffer makes μ·b + g = g exactly: torch's "buf = clone(g)".
				b[i] = mu*b[i] + g
				if h.nesterov {
					g += mu * b[i]
				} else {
					g = b[i]
				}
			}
			v.w[i] -= lr * g
		}
	}
}
