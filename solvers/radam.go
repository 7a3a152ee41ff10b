package solvers

import "math"

// RAdam is rectified Adam. By default it has torch.optim.RAdam (1.13)
// semantics; at step t of a parameter, with ρ∞ = 2/(1−β2) − 1 and
// ρt = ρ∞ − 2t·β2ᵗ/(1−β2ᵗ):
//
//	g ← g + wd·p                              (L2 weight decay)
//	m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
//	m̂ = m/(1−β1ᵗ)
//	if ρt > 5:  rt = √((ρt−4)(ρt−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρt))
//	            p ← p − lr·rt·m̂·√(1−β2ᵗ)/(√v + eps)
//	else:       p ← p − lr·m̂                  (SGD with momentum)
//
// WithDegenerateToSGD(false) gives the authors' current default instead: no
// update at all (not even weight decay) until ρt ≥ 5. With
// WithDecoupledWeightDecay(true) the decay is the authors' p ← p − wd·lr·p,
// applied before the step and only on steps that update, and the gradient is
// left as it is. Build it with New("radam").
type RAdam struct {
	core
	beta1, beta2, eps, wd     float64
	degenerateToSGD, decouple bool
}

func newRAdam(c *config) (*RAdam, error) {
	s := &RAdam{beta1: 0.9, beta2: 0.999, eps: c.or(optEps, c.eps, 1e-8), wd: c.wd,
		degenerateToSGD: c.degenerate, decouple: c.decoupled}
	if c.given[optBetas] {
		s.beta1, s.beta2 = c.beta1, c.beta2
	}
	s.core = newCore("radam", c.or(optLearnRate, c.lr, 1e-3), c.clipNorm, s)
	return s, nil
}

// Momentum returns β1.
func (s *RAdam) Momentum() float64 { return s.beta1 }

// SetMomentum sets β1 from the next Step on (one-cycle schedules cycle it).
func (s *RAdam) SetMomentum(b1 float64) { s.beta1 = b1 }

func (s *RAdam) slots() []string    { return []string{"exp_avg", "exp_avg_sq"} }
func (s *RAdam) allSlots() []string { return s.slots() }
func (s *RAdam) check() error       { return checkBeta1("radam", s.beta1) }

func (s *RAdam) hyper() map[string]float64 { return map[string]float64{"beta1": s.beta1} }

func (s *RAdam) setHyper(h map[string]float64) error {
	b1, err := hyperValue("radam", h, "beta1")
	if err != nil {
		return err
	}
	if err := checkBeta1("radam", b1); err != nil {
		return err
	}
	s.beta1 = b1
	return nil
}

func (s *RAdam) update(p *param) {
	t := float64(p.step)
	b2t := math.Pow(s.beta2, t)
	bc1 := 1 - math.Pow(s.beta1, t)
	bc2 := 1 - b2t
	rhoInf := 2/(1-s.beta2) - 1
	rhoT := rhoInf - 2*t*b2t/bc2

	h := radamHyper{beta1: s.beta1, beta2: s.beta2, eps: s.eps}
	if !s.decouple {
		h.l2 = s.wd
	}
	rectified := rhoT > 5
	if !s.degenerateToSGD {
		rectified = rhoT >= 5
	}
	switch {
	case rectified:
		rect := math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
		h.mode = radamAdaptive
		h.coef = p.lr * rect * math.Sqrt(bc2) / bc1
	case s.degenerateToSGD:
		h.mode = radamSGD
		h.coef = p.lr / bc1
	default:
		h.mode = radamNone
	}
	if s.decouple && h.mode != radamNone {
		h.decay = s.wd * p.lr
	}
	dispatch(p, radamRule[float64](h), radamRule[float32](h))
}

type radamMode int

const (
	radamNone     radamMode = iota // moments only (authors' code before ρt ≥ 5)
	radamSGD                       // p ← p − coef·m
	radamAdaptive                  // p ← p − coef·m/(√v + eps)
)

type radamHyper struct {
	beta1, beta2, eps float64
	l2, decay, coef   float64 // L2 term, decoupled decay wd·lr, step coefficient
	mode              radamMode
}

func radamRule[T float](h radamHyper) func(view[T]) {
	b1, omb1, b2, omb2 := T(h.beta1), T(1-h.beta1), T(h.beta2), T(1-h.beta2)
	eps, l2, decay, coef := T(h.eps), T(h.l2), T(h.decay), T(h.coef)
	return func(v view[T]) {
		m, s := v.buf[0], v.buf[1]
		for i, g := range v.g {
			w := v.w[i]
			if l2 != 0 {
				g += l2 * w
			}
			m[i] = b1*m[i] + omb1*g
			s[i] = b2*s[i] + omb2*g*g
			if decay != 0 {
				w -= decay * w
			}
			switch h.mode {
			case radamAdaptive:
				w -= coef * (m[i] / (sqrt(s[i]) + eps))
			case radamSGD:
				w -= coef * m[i]
			}
			v.w[i] = w
		}
	}
}
