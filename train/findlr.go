package train

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
)

// FindLRConfig configures FindLR. The zero value is fastai's lr_find:
// 100 steps from 1e-7 to 10, loss smoothed with β = 0.98, stopping when the
// smoothed loss exceeds 4× the best seen.
type FindLRConfig struct {
	// StartLR is the learning rate of the first step; 0 means 1e-7.
	StartLR float64
	// EndLR is the rate the sweep heads for; 0 means 10. Step i (0-based)
	// uses StartLR·(EndLR/StartLR)^(i/NumIter), as fastai's SchedExp does,
	// so the last step's rate is just below EndLR.
	EndLR float64
	// NumIter is the number of steps (batches); 0 means 100, at least 6.
	// The loader is cycled through as many epochs as needed.
	NumIter int
	// Beta is the smoothing factor of the loss (fastai's AvgSmoothLoss: an
	// exponential moving average, debiased by 1−β^n); 0 means 0.98. It must
	// be in (0, 1).
	Beta float64
	// StopFactor stops the sweep when the smoothed loss exceeds
	// StopFactor × the best smoothed loss so far; 0 means 4. It must be > 1.
	StopFactor float64
	// NoStop runs all NumIter steps even when the loss diverges (fastai's
	// stop_div=False). A loss, gradient or weight that is no longer finite
	// stops the sweep regardless: no step can be taken from it.
	NoStop bool
	// NewSolver, if set, builds the solver the sweep runs with, and the
	// Trainer's solver is not used at all. Without it the sweep runs the
	// Trainer's solver, which must then change its learning rate and
	// export its state (every solver of package solvers does; Gorgonia's
	// built-ins do neither, so they need NewSolver).
	NewSolver func() (solvers.Solver, error)
}

// Defaults of FindLRConfig (fastai's lr_find).
const (
	defaultStartLR    = 1e-7
	defaultEndLR      = 10
	defaultNumIter    = 100
	defaultBeta       = 0.98
	defaultStopFactor = 4
	minNumIter        = 6 // fastai raises smaller values to 6
	skipEnd           = 5 // fastai drops the last 5 points before suggesting and plotting
)

// withDefaults fills in the zero fields and validates the rest.
func (c FindLRConfig) withDefaults() (FindLRConfig, error) {
	if c.StartLR == 0 {
		c.StartLR = defaultStartLR
	}
	if c.EndLR == 0 {
		c.EndLR = defaultEndLR
	}
	if c.NumIter == 0 {
		c.NumIter = defaultNumIter
	}
	if c.Beta == 0 {
		c.Beta = defaultBeta
	}
	if c.StopFactor == 0 {
		c.StopFactor = defaultStopFactor
	}
	switch {
	case !finitePositive(c.StartLR) || !finitePositive(c.EndLR) || c.EndLR <= c.StartLR:
		return c, fmt.Errorf("find lr: StartLR %g and EndLR %g must be finite, > 0 and StartLR < EndLR", c.StartLR, c.EndLR)
	case c.NumIter < minNumIter:
		return c, fmt.Errorf("find lr: NumIter %d is too small: give at least %d steps (0 means %d)", c.NumIter, minNumIter, defaultNumIter)
	case !(c.Beta > 0 && c.Beta < 1):
		return c, fmt.Errorf("find lr: Beta %g must be in (0, 1) (0 means %g)", c.Beta, float64(defaultBeta))
	case !(c.StopFactor > 1) || math.IsInf(c.StopFactor, 0):
		return c, fmt.Errorf("find lr: StopFactor %g must be finite and > 1 (0 means %d)", c.StopFactor, defaultStopFactor)
	}
	return c, nil
}

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) }

// FindLR is fastai's learning-rate finder (lr_find): it trains t's model
// for NumIter steps on batches of trainSet while raising the learning rate
// exponentially from StartLR to EndLR, records the smoothed loss, stops
// early when it diverges, and suggests learning rates from the curve.
// Afterwards the model is exactly as before: the Store's parameters and
// buffers (batch-norm statistics) are restored from a snapshot, bit for
// bit, also when the sweep fails or ctx is cancelled.
//
// The solver: with cfg.NewSolver, the sweep runs a fresh solver from it and
// t.Solver is untouched. Otherwise it runs t.Solver, which must be a
// solvers.Solver and a solvers.Checkpointer: its state (learning rate,
// hyperparameters, per-parameter steps and moments) is exported before
// the sweep and loaded back afterwards, so a Fit after FindLR continues
// exactly as it would have without it. (A solver whose state cannot be
// saved cannot be restored, so it is refused rather than left changed.)
// Parameter-group LR scales apply to the swept rate as in training.
//
// The sweep is not training: it does not advance t's step, epoch or
// history, calls no callbacks, and ignores t.Schedule. It uses t's model,
// loss, penalties, dropout seed and compiled programs. trainSet's epochs 1,
// 2, … are used in turn, so the batches are those of the first epochs of
// a Fit. Use a Loader with DropLast, or a batch size that divides the
// dataset, to keep every step's batch the same size.
//
// Suggestions follow fastai: they use the curve without its first
// NumIter/10 and last 5 points, cut before the first non-finite loss
// (when that leaves fewer than 2 points, the whole finite curve is used).
// If no suggestion can be made (the loss was not finite within 2 steps),
// FindLR returns the curve so far together with an error; on any other
// error the returned sweep is nil or holds the curve so far.
func FindLR(ctx context.Context, t *Trainer, trainSet *data.Loader, cfg FindLRConfig) (sweep *LRSweep, err error) {
	if ctx == nil {
		return nil, errors.New("find lr: nil context; use context.Background()")
	}
	if t == nil {
		return nil, errors.New("find lr: nil Trainer")
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("find lr: %w", err)
	}
	if trainSet == nil {
		return nil, errors.New("find lr: no training data")
	}
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	// Registered first, so it runs after the restoring below: a panic
	// (from a user's NewSolver, loss or layer) still leaves the model as
	// it was and becomes an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("find lr: unexpected panic: %v", r)
		}
	}()
	solver, restoreSolver, err := sweepSolver(t, cfg)
	if err != nil {
		return nil, err
	}
	// The snapshot is taken once the first program is compiled: compiling
	// creates the parameters of a fresh Store, and a snapshot of an empty
	// Store would restore nothing.
	var snap *graph.Snapshot
	takeSnapshot := func() {
		if snap == nil {
			snap = t.Store.Snapshot()
		}
	}
	defer func() {
		if snap != nil {
			if rerr := t.Store.Restore(snap); rerr != nil && err == nil {
				err = fmt.Errorf("find lr: restoring the weights: %w", rerr)
			}
		}
		if restoreSolver != nil {
			if rerr := restoreSolver(); rerr != nil && err == nil {
				err = fmt.Errorf("find lr: restoring the solver's state: %w", rerr)
			}
		}
	}()
	sweep = &LRSweep{}
	if err := t.sweep(ctx, solver, trainSet, cfg, sweep, takeSnapshot); err != nil {
		return sweep, err
	}
	if err := sweep.suggest(cfg.NumIter); err != nil {
		return sweep, err
	}
	return sweep, nil
}

// sweepSolver returns the solver to sweep with and, when it is the
// Trainer's, a function that restores its state.
func sweepSolver(t *Trainer, cfg FindLRConfig) (solvers.Solver, func() error, error) {
	if cfg.NewSolver != nil {
		s, err := cfg.NewSolver()
		if err != nil {
			return nil, nil, fmt.Errorf("find lr: NewSolver: %w", err)
		}
		if s == nil {
			return nil, nil, errors.New("find lr: NewSolver returned a nil solver")
		}
		return s, nil, nil
	}
	s, ok := t.Solver.(solvers.Solver)
	if !ok {
		return nil, nil, fmt.Errorf("find lr: solver %T cannot change its learning rate (Gorgonia's built-ins fix it at construction): use a solver from solvers.New, or set FindLRConfig.NewSolver", t.Solver)
	}
	cp, ok := t.Solver.(solvers.Checkpointer)
	if !ok {
		return nil, nil, fmt.Errorf("find lr: solver %T cannot export its state, so the sweep could not restore it: set FindLRConfig.NewSolver to sweep with a fresh solver", t.Solver)
	}
	saved, err := cp.State(t.Store.NameOf)
	if err != nil {
		return nil, nil, fmt.Errorf("find lr: saving the solver's state: %w", err)
	}
	restore := func() error {
		return cp.LoadState(saved, func(name string) (*tensor.Dense, bool) {
			v, ok := t.Store.Lookup(name)
			if !ok {
				return nil, false
			}
			return v.Value, true
		})
	}
	return s, restore, nil
}
