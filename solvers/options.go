package solvers

import (
	"fmt"
	"math"
)

// Option configures a solver built by New. An option given explicitly is used
// as given; an option not given takes torch.optim's default for the solver
// (listed on New). For options whose zero value would be meaningless (learn
// rate, eps, alpha, final LR, gamma) 0 also means "the default"; for those
// where zero is meaningful (momentum, betas, weight decay, clip norm) an
// explicit 0 is honoured. An option that does not apply to the named solver
// makes New fail: options are never silently ignored.
type Option func(*config)

// optID names one option, for applicability checks and error messages.
type optID int

const (
	optLearnRate optID = iota
	optMomentum
	optNesterov
	optBetas
	optEps
	optAlpha
	optWeightDecay
	optDecoupledWeightDecay
	optDegenerateToSGD
	optFinalLR
	optGamma
	optAMSGrad
	optClipNorm
	numOpts
)

var optNames = [numOpts]string{
	optLearnRate:            "WithLearnRate",
	optMomentum:             "WithMomentum",
	optNesterov:             "WithNesterov",
	optBetas:                "WithBetas",
	optEps:                  "WithEps",
	optAlpha:                "WithAlpha",
	optWeightDecay:          "WithWeightDecay",
	optDecoupledWeightDecay: "WithDecoupledWeightDecay",
	optDegenerateToSGD:      "WithDegenerateToSGD",
	optFinalLR:              "WithFinalLR",
	optGamma:                "WithGamma",
	optAMSGrad:              "WithAMSGrad",
	optClipNorm:             "WithClipNorm",
}

func (o optID) String() string { return optNames[o] }

// config collects the options given to New. Fields hold the raw values;
// given records which options were passed so that defaults can be filled in
// per solver and inapplicable options reported.
type config struct {
	lr, momentum, beta1, beta2, eps, alpha, wd, finalLR, gamma, clipNorm float64

	nesterov, decoupled, degenerate, amsgrad bool

	given [numOpts]bool
	order []optID // options in the order given, for deterministic errors
	err   error   // first invalid option value
}

func (c *config) mark(id optID) {
	if !c.given[id] {
		c.order = append(c.order, id)
	}
	c.given[id] = true
}

func (c *config) fail(id optID, format string, args ...interface{}) {
	if c.err == nil {
		c.err = fmt.Errorf("solvers: %v: "+format, append([]interface{}{id}, args...))
	}
}

// or returns v if the option was given with a non-zero value, else def.
func (c *config) or(id optID, v, def float64) float64 {
	if c.given[id] && v != 0 {
		return v
	}
	return def
}

// orExplicit returns v if the option was given (even as 0), else def.
func (c *config) orExplicit(id optID, v, def float64) float64 {
	if c.given[id] {
		return v
	}
	return def
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// nonNegative records an error unless x is finite and ≥ 0.
func (c *config) nonNegative(id optID, x float64) {
	if !finite(x) || x < 0 {
		c.fail(id, "value %v is invalid: give a finite value ≥ 0", x)
	}
}

// WithLearnRate sets the (base) learning rate. 0 means the solver's default.
func WithLearnRate(lr float64) Option {
	return func(c *config) { c.mark(optLearnRate); c.nonNegative(optLearnRate, lr); c.lr = lr }
}

// WithMomentum sets the momentum of sgd (default 0, or 0.9 for the names
// "momentum" and "nesterov") and rmsprop (default 0). dampening is always 0.
func WithMomentum(m float64) Option {
	return func(c *config) { c.mark(optMomentum); c.nonNegative(optMomentum, m); c.momentum = m }
}

// WithNesterov switches sgd to Nesterov momentum (torch.optim.SGD nesterov=True);
// it needs a momentum > 0.
func WithNesterov(on bool) Option {
	return func(c *config) { c.mark(optNesterov); c.nesterov = on }
}

// WithBetas sets the moment decay rates β1, β2 of the Adam family
// (default 0.9, 0.999). Each must be in [0, 1).
func WithBetas(beta1, beta2 float64) Option {
	return func(c *config) {
		c.mark(optBetas)
		for _, b := range []float64{beta1, beta2} {
			if !(b >= 0 && b < 1) {
				c.fail(optBetas, "beta %v is invalid: each beta must be in [0, 1)", b)
			}
		}
		c.beta1, c.beta2 = beta1, beta2
	}
}

// WithEps sets the term added to the denominator for numerical stability
// (default 1e-10 for adagrad, 1e-8 otherwise). 0 means the default.
func WithEps(eps float64) Option {
	return func(c *config) { c.mark(optEps); c.nonNegative(optEps, eps); c.eps = eps }
}

// WithAlpha sets rmsprop's smoothing constant (torch's alpha, default 0.99;
// Gorgonia's NewRMSPropSolver calls it rho and defaults to 0.999). It must be
// in [0, 1); 0 means the default.
func WithAlpha(alpha float64) Option {
	return func(c *config) {
		c.mark(optAlpha)
		if !(alpha >= 0 && alpha < 1) {
			c.fail(optAlpha, "value %v is invalid: alpha must be in [0, 1)", alpha)
		}
		c.alpha = alpha
	}
}

// WithWeightDecay sets the weight decay: L2 (wd·p added to the gradient) for
// every solver except adamw, whose decay is decoupled, and radam with
// WithDecoupledWeightDecay(true). Default 0, except adamw 0.01; an explicit 0
// is honoured.
func WithWeightDecay(wd float64) Option {
	return func(c *config) { c.mark(optWeightDecay); c.nonNegative(optWeightDecay, wd); c.wd = wd }
}

// WithDecoupledWeightDecay makes radam decay weights as its authors' code
// does, p ← p − wd·lr·p on steps that update, instead of torch's L2 term in
// the gradient. Default false.
func WithDecoupledWeightDecay(on bool) Option {
	return func(c *config) { c.mark(optDecoupledWeightDecay); c.decoupled = on }
}

// WithDegenerateToSGD chooses what radam does while the variance is not yet
// tractable (ρt ≤ 5): true (default, torch.optim.RAdam) takes an SGD-with-
// momentum step lr·m̂; false (the authors' current default) does not update
// at all, not even weight decay.
func WithDegenerateToSGD(on bool) Option {
	return func(c *config) { c.mark(optDegenerateToSGD); c.degenerate = on }
}

// WithFinalLR sets the learning rate AdaBound/AMSBound converge to (default
// 0.1). 0 means the default.
func WithFinalLR(lr float64) Option {
	return func(c *config) { c.mark(optFinalLR); c.nonNegative(optFinalLR, lr); c.finalLR = lr }
}

// WithGamma sets the convergence speed of AdaBound's bounds (default 1e-3),
// in [0, 1); 0 means the default.
func WithGamma(gamma float64) Option {
	return func(c *config) {
		c.mark(optGamma)
		if !(gamma >= 0 && gamma < 1) {
			c.fail(optGamma, "value %v is invalid: gamma must be in [0, 1)", gamma)
		}
		c.gamma = gamma
	}
}

// WithAMSGrad makes adam, adamw and adabound keep the running maximum of the
// second moment and divide by it (torch's amsgrad=True; adabound becomes
// AMSBound). Default false.
func WithAMSGrad(on bool) Option {
	return func(c *config) { c.mark(optAMSGrad); c.amsgrad = on }
}

// WithClipNorm rescales the gradients of each Step so that their global L2
// norm (over all parameters of the Step) is at most maxNorm, before weight
// decay and the update, as torch.nn.utils.clip_grad_norm_ does (eps 1e-6).
// 0, the default, disables clipping. It applies to every solver.
func WithClipNorm(maxNorm float64) Option {
	return func(c *config) { c.mark(optClipNorm); c.nonNegative(optClipNorm, maxNorm); c.clipNorm = maxNorm }
}
