package solvers

import (
	"fmt"
	"sort"
	"strings"
)

// entry describes one registered name: the options it accepts and how to
// build the solver once the options are known to apply.
type entry struct {
	allowed []optID
	build   func(c *config) (Solver, error)
}

// common options accepted by every solver.
var common = []optID{optLearnRate, optWeightDecay, optClipNorm}

func opts(ids ...optID) []optID { return append(append([]optID(nil), common...), ids...) }

var registry = map[string]entry{
	"sgd":      {opts(optMomentum, optNesterov), func(c *config) (Solver, error) { return newSGD(c, 0, false) }},
	"momentum": {opts(optMomentum, optNesterov), func(c *config) (Solver, error) { return newSGD(c, 0.9, false) }},
	"nesterov": {opts(optMomentum), func(c *config) (Solver, error) { return newSGD(c, 0.9, true) }},
	"adagrad":  {opts(optEps), func(c *config) (Solver, error) { return newAdagrad(c) }},
	"rmsprop":  {opts(optEps, optAlpha, optMomentum), func(c *config) (Solver, error) { return newRMSProp(c) }},
	"adam":     {opts(optBetas, optEps, optAMSGrad), func(c *config) (Solver, error) { return newAdam(c) }},
	"adamw":    {opts(optBetas, optEps, optAMSGrad), func(c *config) (Solver, error) { return newAdamW(c) }},
	"radam": {opts(optBetas, optEps, optDecoupledWeightDecay, optDegenerateToSGD),
		func(c *config) (Solver, error) { return newRAdam(c) }},
	"adabound": {opts(optBetas, optEps, optFinalLR, optGamma, optAMSGrad),
		func(c *config) (Solver, error) { return newAdaBound(c, false) }},
	"amsbound": {opts(optBetas, optEps, optFinalLR, optGamma),
		func(c *config) (Solver, error) { return newAdaBound(c, true) }},
}

// Names returns the names New accepts, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the solver called name with the given options. Names and
// defaults (torch.optim's, except where torch has none):
//
//	sgd       lr 0.01 (torch requires one), momentum 0, nesterov false, weight decay 0
//	momentum  sgd with momentum 0.9 (Gorgonia's NewMomentum default)
//	nesterov  sgd with momentum 0.9 and Nesterov momentum
//	adagrad   lr 0.01, eps 1e-10, weight decay 0 (accumulator starts at 0)
//	rmsprop   lr 0.01, alpha 0.99, eps 1e-8 (added after the square root), momentum 0, weight decay 0
//	adam      lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (L2), amsgrad false
//	adamw     lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 (decoupled), amsgrad false
//	radam     lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, degenerate to SGD true, decoupled false
//	adabound  lr 1e-3, betas (0.9, 0.999), eps 1e-8, final lr 0.1, gamma 1e-3, weight decay 0 (L2)
//	amsbound  adabound with the AMSGrad maximum
//
// Gradient clipping (WithClipNorm) is off unless given. Names are matched
// case-insensitively. An unknown name, an option that does not apply to the
// name (including one the name already implies, such as WithNesterov for
// "nesterov") or an invalid option value is an error.
func New(name string, options ...Option) (Solver, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	e, ok := registry[key]
	if !ok {
		return nil, fmt.Errorf("solvers: unknown solver %q: valid names are %s", name, strings.Join(Names(), ", "))
	}
	c := &config{degenerate: true}
	for i, o := range options {
		if o == nil {
			return nil, fmt.Errorf("solvers: option %d for solver %q is nil", i, key)
		}
		o(c)
	}
	if c.err != nil {
		return nil, fmt.Errorf("solvers: building %q: %w", key, c.err)
	}
	for _, id := range c.order {
		if !contains(e.allowed, id) {
			return nil, fmt.Errorf("solvers: option %v does not apply to solver %q (it accepts %s)", id, key, joinOpts(e.allowed))
		}
	}
	return e.build(c)
}

func contains(ids []optID, id optID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func joinOpts(ids []optID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}
