package solvers

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// float is the element type of parameters: every update rule is written once
// for both.
type float interface{ float32 | float64 }

// updater is what a solver adds to core: its update rule and the state it
// needs. core does everything that is the same for all solvers (validation,
// identity-keyed state, LR scales, clipping, zeroing gradients, checkpoints).
type updater interface {
	// slots names the buffers update needs now, in the order it reads them
	// from param.bufs (torch's state names: "exp_avg", "momentum_buffer", …).
	slots() []string
	// allSlots names every buffer the solver may ever hold.
	allSlots() []string
	// check validates hyperparameters that setters may have changed.
	check() error
	// update applies one step to p.w using p.g and p.bufs.
	update(p *param)
	// hyper returns the hyperparameters schedules change, for checkpoints.
	hyper() map[string]float64
	// setHyper restores what hyper returned.
	setHyper(h map[string]float64) error
}

// core holds what every solver of this package shares. State and LR scales
// are keyed by the parameter tensor (its *tensor.Dense pointer), never by the
// position in the []ValueGrad, so freezing, unfreezing and reordering
// parameters between steps keeps each parameter's moments with it.
type core struct {
	kind     string // registry name of the solver family, e.g. "adam"
	lr       float64
	clipNorm float64
	scales   map[*tensor.Dense]float64
	states   map[*tensor.Dense]*paramState
	u        updater // the solver embedding this core
}

func newCore(kind string, lr, clipNorm float64, u updater) core {
	return core{
		kind:     kind,
		lr:       lr,
		clipNorm: clipNorm,
		scales:   make(map[*tensor.Dense]float64),
		states:   make(map[*tensor.Dense]*paramState),
		u:        u,
	}
}

// paramState is one parameter's solver state.
type paramState struct {
	step int                      // updates applied to this parameter
	buf  map[string]*tensor.Dense // moment buffers by torch state name
}

// param is one validated parameter of a Step.
type param struct {
	name string
	w, g *tensor.Dense
	bufs []*tensor.Dense // buffers in updater.slots() order
	lr   float64         // learning rate times the parameter's LR scale
	step int             // this parameter's step count, including this step
}

// LearnRate returns the current (base) learning rate.
func (c *core) LearnRate() float64 { return c.lr }

// SetLearnRate sets the base learning rate used from the next Step on.
func (c *core) SetLearnRate(lr float64) { c.lr = lr }

// Step updates every parameter of model in place and zeroes its gradient.
// It validates all parameters (types, dtypes float32/float64, shapes,
// duplicates, finite gradients) and the hyperparameters before changing
// anything, so an error leaves weights, gradients and state untouched.
func (c *core) Step(model []gorgonia.ValueGrad) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("solvers: %s: step failed unexpectedly: %v", c.kind, r)
		}
	}()
	if !finite(c.lr) || c.lr < 0 {
		return fmt.Errorf("solvers: %s: learning rate %v is invalid: SetLearnRate needs a finite value ≥ 0", c.kind, c.lr)
	}
	if err := c.u.check(); err != nil {
		return err
	}
	ps, err := gather(model)
	if err != nil {
		return fmt.Errorf("solvers: %s: %w", c.kind, err)
	}
	if c.clipNorm > 0 {
		clipParams(ps, c.clipNorm)
	}
	slots := c.u.slots()
	for _, p := range ps {
		st := c.states[p.w]
		if st == nil {
			st = &paramState{buf: make(map[string]*tensor.Dense)}
			c.states[p.w] = st
		}
		st.step++
		p.step = st.step
		p.bufs = make([]*tensor.Dense, len(slots))
		for i, s := range slots {
			if st.buf[s] == nil {
				st.buf[s] = tensor.New(tensor.Of(p.w.Dtype()), tensor.WithShape(p.w.Shape().Clone()...))
			}
			p.bufs[i] = st.buf[s]
		}
		p.lr = c.lr * c.scale(p.w)
		c.u.update(p)
		p.g.Zero()
	}
	return nil
}

// gather validates model and returns its parameters.
func gather(model []gorgonia.ValueGrad) ([]*param, error) {
	ps := make([]*param, 0, len(model))
	seen := make(map[*tensor.Dense]string, len(model))
	for i, vg := range model {
		if vg == nil {
			return nil, fmt.Errorf("parameter %d is nil", i)
		}
		name := fmt.Sprintf("parameter %d", i)
		if n, ok := vg.(gorgonia.Namer); ok {
			name = fmt.Sprintf("parameter %d (%s)", i, n.Name())
		}
		w, ok := vg.Value().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%s: value is %T, not a *tensor.Dense: bind a tensor to the node with gorgonia.WithValue", name, vg.Value())
		}
		gv, err := vg.Grad()
		if err != nil {
			return nil, fmt.Errorf("%s has no gradient: pass it to gorgonia.Grad and run the machine before Step: %w", name, err)
		}
		g, ok := gv.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%s: gradient is %T, not a *tensor.Dense", name, gv)
		}
		if err := checkDense(name, "weights", w); err != nil {
			return nil, err
		}
		if err := checkDense(name, "gradient", g); err != nil {
			return nil, err
		}
		if g.Dtype() != w.Dtype() || !g.Shape().Eq(w.Shape()) {
			return nil, fmt.Errorf("%s: gradient %v %v does not match weights %v %v", name, g.Dtype(), g.Shape(), w.Dtype(), w.Shape())
		}
		if prev, dup := seen[w]; dup {
			return nil, fmt.Errorf("%s: same weight tensor as %s: pass each parameter once per Step", name, prev)
		}
		seen[w] = name
		if i, v := firstNonFinite(g); i >= 0 {
			return nil, fmt.Errorf("%s %v: gradient element %d is %v: not stepping (check the loss, inputs and learning rate)", name, w.Shape(), i, v)
		}
		ps = append(ps, &param{name: name, w: w, g: g})
	}
	return ps, nil
}
