package solvers

import "fmt"

// Adagrad has torch.optim.Adagrad semantics (lr_decay 0, accumulator starting
// at 0; Gorgonia's NewAdaGradSolver ignores its learning rate):
//
//	g ← g + wd·p
//	s ← s + g²
//	p ← p − lr·g/(√s + eps)
//
// Build it with New("adagrad").
type Adagrad struct {
	core
	eps, wd float64
}

func newAdagrad(c *config) (*Adagrad, error) {
	s := &Adagrad{eps: c.or(optEps, c.eps, 1e-10), wd: c.wd}
	s.core = newCore("adagrad", c.or(optLearnRate, c.lr, 0.01), c.clipNorm, s)
	return s, nil
}

func (s *Adagrad) slots() []string    { return []string{"sum"} }
func (s *Adagrad) allSlots() []string { return s.slots() }
func (s *Adagrad) check() error       { return nil }

func (s *Adagrad) hyper() map[string]float64 { return map[string]float64{} }

func (s *Adagrad) setHyper(h map[string]float64) error {
	if len(h) != 0 {
		return fmt.Errorf("adagrad has no schedulable hyperparameters, the state has %v", h)
	}
	return nil
}

func (s *Adagrad) update(p *param) {
	dispatch(p, adagradRule[float64](p.lr, s.eps, s.wd), adagradRule[float32](p.lr, s.eps, s.wd))
}

func adagradRule[T float](lr64, eps64, wd64 float64) func(view[T]) {
	lr, eps, wd := T(lr64), T(eps64), T(wd64)
	return func(v view[T]) {
		sum := v.buf[0]
		for i, g := range v.g {
			if wd != 0 {
				g += wd * v.w[i]
			}
			sum[i] += g * g
			v.w[i] -= lr * (g / (sqrt(sum[i]) + eps))
		}
	}
}
