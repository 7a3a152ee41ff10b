package solvers

import (
	"fmt"
	"sort"

	"gorgonia.org/tensor"
)

// State is a solver's checkpointable state, keyed by parameter name so that
// it can be saved beside the model's weights and loaded into a fresh solver
// whose parameters are new tensors. Buffers are deep copies.
type State struct {
	// Solver is the solver family: "sgd" (also for the names "momentum" and
	// "nesterov"), "adagrad", "rmsprop", "adam", "adamw", "radam" or
	// "adabound" (also for "amsbound"). LoadState refuses another family.
	Solver string
	// LearnRate is the base learning rate at the time of the export.
	LearnRate float64
	// Hyper holds the hyperparameters that change during training:
	// "momentum" (sgd, rmsprop), "beta1" (adam, adamw, radam, adabound) and
	// "base_lr" (adabound, the learning rate its bounds are relative to).
	Hyper map[string]float64
	// Params maps each parameter name to its state.
	Params map[string]ParamState
}

// ParamState is one parameter's state: how many updates it has received and
// its buffers under torch.optim's state names ("momentum_buffer", "sum",
// "square_avg", "exp_avg", "exp_avg_sq", "max_exp_avg_sq").
type ParamState struct {
	Step    int
	Buffers map[string]*tensor.Dense
}

// State exports the solver's state. nameOf names each parameter tensor the
// solver holds state for; a parameter it cannot name is an error (call
// Forget for parameters that have left the model, e.g. a replaced head).
func (c *core) State(nameOf func(param *tensor.Dense) (string, bool)) (State, error) {
	if nameOf == nil {
		return State{}, fmt.Errorf("solvers: %s: State: nameOf is nil", c.kind)
	}
	st := State{Solver: c.kind, LearnRate: c.lr, Hyper: c.u.hyper(), Params: make(map[string]ParamState, len(c.states))}
	for p, ps := range c.states {
		name, ok := nameOf(p)
		if !ok {
			return State{}, fmt.Errorf("solvers: %s: State: nameOf does not know a parameter %v %v the solver holds state for: Forget it if it left the model", c.kind, p.Dtype(), p.Shape())
		}
		if _, dup := st.Params[name]; dup {
			return State{}, fmt.Errorf("solvers: %s: State: nameOf gives the name %q to two parameters", c.kind, name)
		}
		bufs := make(map[string]*tensor.Dense, len(ps.buf))
		for k, b := range ps.buf {
			bufs[k] = clone(b)
		}
		st.Params[name] = ParamState{Step: ps.step, Buffers: bufs}
	}
	return st, nil
}

// LoadState replaces the solver's state (learning rate, hyperparameters and
// every parameter's step count and buffers) with st, finding each parameter
// by name with byName. It checks everything first (solver family, known
// names, buffer names, dtypes and shapes against the parameters) and changes
// nothing on error. LR scales are not part of the state: set them again.
func (c *core) LoadState(st State, byName func(name string) (*tensor.Dense, bool)) error {
	if byName == nil {
		return fmt.Errorf("solvers: %s: LoadState: byName is nil", c.kind)
	}
	if st.Solver != c.kind {
		return fmt.Errorf("solvers: %s: LoadState: state is from solver %q", c.kind, st.Solver)
	}
	if !finite(st.LearnRate) || st.LearnRate < 0 {
		return fmt.Errorf("solvers: %s: LoadState: learning rate %v is invalid", c.kind, st.LearnRate)
	}
	allowed := c.u.allSlots()
	states := make(map[*tensor.Dense]*paramState, len(st.Params))
	names := make([]string, 0, len(st.Params))
	for n := range st.Params {
		names = append(names, n)
	}
	sort.Strings(names) // deterministic error messages
	for _, name := range names {
		ps := st.Params[name]
		p, ok := byName(name)
		if !ok || p == nil {
			return fmt.Errorf("solvers: %s: LoadState: state has parameter %q that byName does not find", c.kind, name)
		}
		if err := checkDense(name, "weights", p); err != nil {
			return fmt.Errorf("solvers: %s: LoadState: %w", c.kind, err)
		}
		if _, dup := states[p]; dup {
			return fmt.Errorf("solvers: %s: LoadState: byName gives parameter %q the tensor of another name", c.kind, name)
		}
		if ps.Step < 0 {
			return fmt.Errorf("solvers: %s: LoadState: parameter %q has step %d", c.kind, name, ps.Step)
		}
		bufs := make(map[string]*tensor.Dense, len(ps.Buffers))
		for k, b := range ps.Buffers {
			if !containsString(allowed, k) {
				return fmt.Errorf("solvers: %s: LoadState: parameter %q has buffer %q; %s uses %v", c.kind, name, k, c.kind, allowed)
			}
			what := "buffer " + k
			if err := checkDense(name, what, b); err != nil {
				return fmt.Errorf("solvers: %s: LoadState: %w", c.kind, err)
			}
			if b.Dtype() != p.Dtype() || !b.Shape().Eq(p.Shape()) {
				return fmt.Errorf("solvers: %s: LoadState: parameter %q: buffer %q is %v %v, parameter is %v %v", c.kind, name, k, b.Dtype(), b.Shape(), p.Dtype(), p.Shape())
			}
			bufs[k] = clone(b)
		}
		states[p] = &paramState{step: ps.Step, buf: bufs}
	}
	if err := c.u.setHyper(st.Hyper); err != nil {
		return fmt.Errorf("solvers: %s: LoadState: %w", c.kind, err)
	}
	c.lr = st.LearnRate
	c.states = states
	return nil
}

// Forget drops the state and LR scale of param, for a parameter that has
// left the model (a replaced head): its next Step starts it afresh.
func (c *core) Forget(param *tensor.Dense) {
	delete(c.states, param)
	delete(c.scales, param)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// hyperValue reads key from h for setHyper, checking it is present and finite.
func hyperValue(kind string, h map[string]float64, key string) (float64, error) {
	v, ok := h[key]
	if !ok {
		return 0, fmt.Errorf("hyperparameter %q missing from the %s state", key, kind)
	}
	if !finite(v) {
		return 0, fmt.Errorf("hyperparameter %q of the %s state is %v", key, kind, v)
	}
	return v, nil
}
