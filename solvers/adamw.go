package solvers

// AdamW has torch.optim.AdamW semantics: Adam whose weight decay is
// decoupled from the gradient,
//
//	p ← p·(1 − lr·wd)
//
// before the moment update (eps added after bias correction), with default
// wd 0.01. Gorgonia's NewAdamW never changes the weights (it decays a copy
// and adds the step to another copy); this one updates them in place.
// Build it with New("adamw").
type AdamW struct{ adamBase }

func newAdamW(c *config) (*AdamW, error) {
	s := &AdamW{adamBase: adamBaseFrom(c, 0.01)}
	s.core = newCore("adamw", c.or(optLearnRate, c.lr, 1e-3), c.clipNorm, s)
	return s, nil
}

func (s *AdamW) update(p *param) {
	h := s.hyperFor(p, true)
	dispatch(p, adamRule[float64](h), adamRule[float32](h))
}
