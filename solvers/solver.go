package solvers

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Solver is a gorgonia.Solver whose learning rate can be read and changed
// between steps, which is what learning-rate schedules need. Gorgonia's
// built-in solvers fix their learning rate at construction, so they satisfy
// gorgonia.Solver but not Solver.
//
// SetLearnRate does not validate: an invalid rate (negative, NaN, ±Inf) makes
// the next Step return an error before anything is changed.
type Solver interface {
	gorgonia.Solver
	LearnRate() float64
	SetLearnRate(lr float64)
}

// MomentumSetter is implemented by solvers with a momentum-like coefficient:
// the momentum of sgd and rmsprop, and β1 of adam, adamw, radam, adabound and
// amsbound. One-cycle schedules cycle it (torch's OneCycleLR sets
// group['momentum'] or group['betas'][0] the same way). adagrad has none.
//
// SetMomentum does not validate; the next Step reports an invalid value.
type MomentumSetter interface {
	Momentum() float64
	SetMomentum(m float64)
}

// LRScaler is implemented by every solver of this package: a parameter
// whose scale is s is updated exactly as if the learning rate were s·lr
// wherever the solver uses the learning rate (including decoupled weight
// decay and AdaBound's bounds). Parameters without a scale use 1. This is the
// basis of discriminative fine-tuning: lower layers get smaller scales.
//
// Scales are keyed by the parameter tensor itself, the same identity the
// solver state uses, so they survive rebuilding graphs when layers are frozen
// or unfrozen.
type LRScaler interface {
	SetLRScale(param *tensor.Dense, scale float64) error
	LRScale(param *tensor.Dense) float64
}

// Checkpointer is implemented by every solver of this package: its state
// (per-parameter step counts and moment buffers, plus the hyperparameters
// that schedules change) can be exported keyed by parameter name and loaded
// into a fresh solver, so a resumed run continues bit for bit.
type Checkpointer interface {
	State(nameOf func(param *tensor.Dense) (string, bool)) (State, error)
	LoadState(st State, byName func(name string) (*tensor.Dense, bool)) error
	Forget(param *tensor.Dense)
}

// Compile-time checks that every solver provides the whole interface set.
var (
	_ Solver = (*SGD)(nil)
	_ Solver = (*Adagrad)(nil)
	_ Solver = (*RMSProp)(nil)
	_ Solver = (*Adam)(nil)
	_ Solver = (*AdamW)(nil)
	_ Solver = (*RAdam)(nil)
	_ Solver = (*AdaBound)(nil)

	_ LRScaler = (*SGD)(nil)
	_ LRScaler = (*Adagrad)(nil)
	_ LRScaler = (*RMSProp)(nil)
	_ LRScaler = (*Adam)(nil)
	_ LRScaler = (*AdamW)(nil)
	_ LRScaler = (*RAdam)(nil)
	_ LRScaler = (*AdaBound)(nil)

	_ Checkpointer = (*SGD)(nil)
	_ Checkpointer = (*Adagrad)(nil)
	_ Checkpointer = (*RMSProp)(nil)
	_ Checkpointer = (*Adam)(nil)
	_ Checkpointer = (*AdamW)(nil)
	_ Checkpointer = (*RAdam)(nil)
	_ Checkpointer = (*AdaBound)(nil)

	_ MomentumSetter = (*SGD)(nil)
	_ MomentumSetter = (*RMSProp)(nil)
	_ MomentumSetter = (*Adam)(nil)
	_ MomentumSetter = (*AdamW)(nil)
	_ MomentumSetter = (*RAdam)(nil)
	_ MomentumSetter = (*AdaBound)(nil)
)
