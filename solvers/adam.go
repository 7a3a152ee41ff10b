package solvers

import (
	"fmt"
	"math"
)

// Adam has torch.optim.Adam semantics; at step t of a parameter,
//
//	g ← g + wd·p                     (L2 weight decay)
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	v̂max ← max(v̂max, v)              (AMSGrad only; then used for v)
//	p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)
//
// Build it with New("adam").
type Adam struct{ adamBase }

// adamBase is what Adam and AdamW share; only the weight decay differs.
type adamBase struct {
	core
	beta1, beta2, eps, wd float64
	amsgrad               bool
}

func newAdam(c *config) (*Adam, error) {
	s := &Adam{adamBase: adamBaseFrom(c, 0)}
	s.core = newCore("adam", c.or(optLearnRate, c.lr, 1e-3), c.clipNorm, s)
	return s, nil
}

func adamBaseFrom(c *config, defWD float64) adamBase {
	b := adamBase{beta1: 0.9, beta2: 0.999, eps: c.or(optEps, c.eps, 1e-8),
		wd: c.orExplicit(optWeightDecay, c.wd, defWD), amsgrad: c.amsgrad}
	if c.given[optBetas] {
		b.beta1, b.beta2 = c.beta1, c.beta2
	}
	return b
}

// Momentum returns β1.
func (s *adamBase) Momentum() float64 { return s.beta1 }

// SetMomentum sets β1 from the next Step on (one-cycle schedules cycle it).
func (s *adamBase) SetMomentum(b1 float64) { s.beta1 = b1 }

// Betas returns β1 and β2.
func (s *adamBase) Betas() (beta1, beta2 float64) { return s.beta1, s.beta2 }

func (s *adamBase) slots() []string {
	if s.amsgrad {
		return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
	}
	return []string{"exp_avg", "exp_avg_sq"}
}

func (s *adamBase) allSlots() []string { return []string{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"} }

func (s *adamBase) check() error { return checkBeta1(s.kind, s.beta1) }

func checkBeta1(kind string, b1 float64) error {
	if !(b1 >= 0 && b1 < 1) {
		return fmt.Errorf("solvers: %s: beta1 %v is invalid: SetMomentum needs a value in [0, 1)", kind, b1)
	}
	return nil
}

func (s *adamBase) hyper() map[string]float64 { return map[string]float64{"beta1": s.beta1} }

func (s *adamBase) setHyper(h map[string]float64) error {
	b1, err := hyperValue(s.kind, h, "beta1")
	if err != nil {
		return err
	}
	if err := checkBeta1(s.kind, b1); err != nil {
		return err
	}
	s.beta1 = b1
	return nil
}

func (s *adamBase) hyperFor(p *param, decoupled bool) adamHyper {
	t := float64(p.step)
	bc1 := 1 - math.Pow(s.beta1, t)
	bc2 := 1 - math.Pow(s.beta2, t)
	return adamHyper{
		lr: p.lr, beta1: s.beta1, beta2: s.beta2, eps: s.eps, wd: s.wd,
		stepSize: p.lr / bc1, bc2sqrt: math.Sqrt(bc2),
		amsgrad: s.amsgrad, decoupled: decoupled,
	}
}

func (s *Adam) update(p *param) {
	h := s.hyperFor(p, false)
	dispatch(p, adamRule[float64](h), adamRule[float32](h))
}

type adamHyper struct {
	lr, beta1, beta2, eps, wd float64
	stepSize, bc2sqrt         float64
	amsgrad, decoupled        bool
}

// adamRule is the update of Adam (L2 decay) and AdamW (decoupled decay
// p ← p·(1 − lr·wd) before the moments), in torch's order of operations.
func adamRule[T float](h adamHyper) func(view[T]) {
	b1, omb1, b2, omb2 := T(h.beta1), T(1-h.beta1), T(h.beta2), T(1-h.beta2)
	eps, wd, stepSize, bc2sqrt := T(h.eps), T(h.wd), T(h.stepSize), T(h.bc2sqrt)
	decay := T(1 - h.lr*h.wd)
	return func(v view[T]) {
		m, s := v.buf[0], v.buf[1]
		for i, g := range v.g {
			w := v.w[i]
			if h.decoupled {
				w *= decay
			} else if wd != 0 {
				g += wd * w
			}
			m[i] = b1*m[i] + omb1*g
			s[i] = b2*s[i] + omb2*g*g
			den := s[i]
			if h.amsgrad {
				mx := v.buf[2]
				if den > mx[i] {
					mx[i] = den
				}
				den = mx[i]
			}
			v.w[i] = w - stepSize*(m[i]/(sqrt(den)/bc2sqrt+eps))
		}
	}
}
