package train

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
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
		return c, errors.Errorf("find lr: StartLR %g and EndLR %g must be finite, > 0 and StartLR < EndLR", c.StartLR, c.EndLR)
	case c.NumIter < minNumIter:
		return c, errors.Errorf("find lr: NumIter %d is too small: give at least %d steps (0 means %d)", c.NumIter, minNumIter, defaultNumIter)
	case !(c.Beta > 0 && c.Beta < 1):
		return c, errors.Errorf("find lr: Beta %g must be in (0, 1) (0 means %g)", c.Beta, float64(defaultBeta))
	case !(c.StopFactor > 1) || math.IsInf(c.StopFactor, 0):
		return c, errors.Errorf("find lr: StopFactor %g must be finite and > 1 (0 means %d)", c.StopFactor, defaultStopFactor)
	}
	return c, nil
}

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 0) && !math.IsNaN(x) }

// LRSweep is the result of FindLR: the learning rate and the loss of every
// step, why the sweep ended, and the suggested learning rates.
type LRSweep struct {
	// LRs holds the learning rate of each step.
	LRs []float64
	// Losses holds the smoothed loss after each step: the debiased moving
	// average of RawLosses. This is the curve fastai plots.
	Losses []float64
	// RawLosses holds the training loss of each step's batch (penalties
	// included), computed before that step's update.
	RawLosses []float64
	// Stopped says why the sweep ended before NumIter steps ("" when it
	// ran them all).
	Stopped string
	// Steepest is where the smoothed loss falls fastest per unit of
	// log(lr) (fastai's steep).
	Steepest LRSuggestion
	// Valley is fastai's valley suggestion (its default): a point inside
	// the longest descending stretch of the curve.
	Valley LRSuggestion
}

// LRSuggestion is one suggested learning rate and the curve point it
// comes from.
type LRSuggestion struct {
	// LR is the suggested learning rate.
	LR float64
	// Loss is the smoothed loss at that point.
	Loss float64
	// Index is the step of the point in LRSweep.LRs.
	Index int
}

func (s LRSuggestion) String() string {
	return fmt.Sprintf("%.3g (step %d, smoothed loss %.4g)", s.LR, s.Index, s.Loss)
}

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
		return nil, errors.Wrap(err, "find lr")
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
			err = errors.Errorf("find lr: unexpected panic: %v", r)
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
				err = errors.Wrap(rerr, "find lr: restoring the weights")
			}
		}
		if restoreSolver != nil {
			if rerr := restoreSolver(); rerr != nil && err == nil {
				err = errors.Wrap(rerr, "find lr: restoring the solver's state")
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
			return nil, nil, errors.Wrap(err, "find lr: NewSolver")
		}
		if s == nil {
			return nil, nil, errors.New("find lr: NewSolver returned a nil solver")
		}
		return s, nil, nil
	}
	s, ok := t.Solver.(solvers.Solver)
	if !ok {
		return nil, nil, errors.Errorf("find lr: solver %T cannot change its learning rate (Gorgonia's built-ins fix it at construction): use a solver from solvers.New, or set FindLRConfig.NewSolver", t.Solver)
	}
	cp, ok := t.Solver.(solvers.Checkpointer)
	if !ok {
		return nil, nil, errors.Errorf("find lr: solver %T cannot export its state, so the sweep could not restore it: set FindLRConfig.NewSolver to sweep with a fresh solver", t.Solver)
	}
	saved, err := cp.State(t.Store.NameOf)
	if err != nil {
		return nil, nil, errors.Wrap(err, "find lr: saving the solver's state")
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

// findLRSalt separates the dropout masks of the sweep from those of Fit.
const findLRSalt = 0x4c52_4649_4e44 // "LRFIND"

// sweep runs the steps of FindLR and records them in out. compiled is
// called in every step once its program exists, before it runs.
func (t *Trainer) sweep(ctx context.Context, solver solvers.Solver, trainSet *data.Loader, cfg FindLRConfig, out *LRSweep, compiled func()) error {
	ratio := cfg.EndLR / cfg.StartLR
	var avg, best float64
	best = math.Inf(1)
	step := 0
	for epoch := 1; step < cfg.NumIter; epoch++ {
		it, err := trainSet.Epoch(ctx, epoch)
		if err != nil {
			return errors.Wrap(err, "find lr")
		}
		batches := 0
		for step < cfg.NumIter {
			if ctx.Err() != nil {
				it.Close()
				return errors.Wrapf(ctx.Err(), "find lr: interrupted at step %d", step)
			}
			batch, err := it.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				it.Close()
				return errors.Wrapf(err, "find lr: epoch %d of the loader", epoch)
			}
			batches++
			lr := cfg.StartLR * math.Pow(ratio, float64(step)/float64(cfg.NumIter))
			solver.SetLearnRate(lr)
			why, stepErr := t.sweepStep(solver, batch, step, compiled, func(raw float64) (bool, string) {
				avg = cfg.Beta*avg + (1-cfg.Beta)*raw
				smooth := avg / (1 - math.Pow(cfg.Beta, float64(step+1)))
				out.LRs = append(out.LRs, lr)
				out.RawLosses = append(out.RawLosses, raw)
				out.Losses = append(out.Losses, smooth)
				switch {
				case math.IsNaN(raw) || math.IsInf(raw, 0):
					return true, fmt.Sprintf("the loss is not finite (%v) at lr %.3g, step %d", raw, lr, step)
				case math.IsNaN(smooth):
					return true, fmt.Sprintf("the smoothed loss is NaN at lr %.3g, step %d", lr, step)
				}
				best = math.Min(best, smooth)
				if !cfg.NoStop && smooth > cfg.StopFactor*best {
					return true, fmt.Sprintf("diverged: smoothed loss %.4g > %g × best %.4g at lr %.3g, step %d", smooth, cfg.StopFactor, best, lr, step)
				}
				return false, ""
			})
			if stepErr != nil {
				it.Close()
				return errors.Wrapf(stepErr, "find lr: step %d (lr %.3g)", step, lr)
			}
			step++
			if why != "" {
				out.Stopped = why
				it.Close()
				return nil
			}
		}
		it.Close()
		if batches == 0 {
			return errors.Errorf("find lr: the loader gave no batches in epoch %d: its dataset is empty (or DropLast drops its only, partial batch)", epoch)
		}
	}
	return nil
}

// sweepStep runs one batch forward and backward, hands the loss to record
// (which says whether the sweep must stop, and why), and, unless it stops,
// applies the solver. It returns the reason to stop ("" to go on).
func (t *Trainer) sweepStep(solver solvers.Solver, batch *data.Batch, step int, compiled func(), record func(raw float64) (stop bool, why string)) (string, error) {
	p, err := t.program(graph.Train, batch.X)
	if err != nil {
		return "", err
	}
	compiled()
	learn := p.Learnables()
	if len(learn) == 0 {
		return "", errors.New("every parameter is frozen: there is nothing to sweep")
	}
	target, err := targets(batch, p.OutputShape())
	if err != nil {
		return "", err
	}
	p.Reseed(mix(t.Seed^findLRSalt, uint64(step)))
	res, err := p.Run(batch.X, target)
	if err != nil {
		return "", err
	}
	if stop, why := record(res.Loss); stop {
		zeroGrads(learn)
		return why, nil
	}
	if name, ok := nonFiniteGrad(learn); !ok {
		zeroGrads(learn)
		return fmt.Sprintf("the gradient of %s is not finite at lr %.3g, step %d", name, solver.LearnRate(), step), nil
	}
	if err := stepSolver(solver, learn); err != nil {
		return "", err
	}
	if name, ok := nonFiniteValue(learn); !ok {
		return fmt.Sprintf("the weights of %s are no longer finite after the step at lr %.3g, step %d", name, solver.LearnRate(), step), nil
	}
	return "", nil
}

// stepSolver applies the solver, turning a panic into an error.
func stepSolver(s G.Solver, learn []G.ValueGrad) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Errorf("solver %T panicked: %v", s, r)
		}
	}()
	return errors.Wrapf(s.Step(learn), "solver %T", s)
}

// nodeName names a learnable for messages.
func nodeName(vg G.ValueGrad) string {
	if n, ok := vg.(G.Namer); ok {
		return n.Name()
	}
	return "a parameter"
}

// nonFiniteGrad returns the name of the first parameter whose gradient has
// a NaN or ±Inf, and false; or "", true if all are finite.
func nonFiniteGrad(learn []G.ValueGrad) (string, bool) {
	for _, vg := range learn {
		g, err := vg.Grad()
		if err != nil {
			continue // the solver reports a missing gradient
		}
		if d, ok := g.(*tensor.Dense); ok && !allFinite(d) {
			return nodeName(vg), false
		}
	}
	return "", true
}

// nonFiniteValue is nonFiniteGrad for the weights themselves.
func nonFiniteValue(learn []G.ValueGrad) (string, bool) {
	for _, vg := range learn {
		if d, ok := vg.Value().(*tensor.Dense); ok && !allFinite(d) {
			return nodeName(vg), false
		}
	}
	return "", true
}

// zeroGrads clears the gradients of a step that is not taken, as a solver
// step would have, so they cannot leak into the next run.
func zeroGrads(learn []G.ValueGrad) {
	for _, vg := range learn {
		g, err := vg.Grad()
		if err != nil {
			continue
		}
		if d, ok := g.(*tensor.Dense); ok {
			d.Zero()
		}
	}
}

func allFinite(d *tensor.Dense) bool {
	switch v := d.Data().(type) {
	case []float32:
		return finiteSlice(v)
	case []float64:
		return finiteSlice(v)
	}
	return true
}

func finiteSlice[T float32 | float64](v []T) bool {
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// suggest computes the suggestions from the curve, as fastai's lr_find
// does: on the points [numIter/10, len−5), cut before the first non-finite
// loss.
func (s *LRSweep) suggest(numIter int) error {
	finite := len(s.Losses)
	for i, l := range s.Losses {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			finite = i
			break
		}
	}
	lo, hi := numIter/10, min(len(s.Losses)-skipEnd, finite)
	if hi-lo < 2 {
		lo, hi = 0, finite
	}
	if hi-lo < 2 {
		return errors.Errorf("find lr: no suggestion: the loss was finite for only %d step(s) (%s); lower StartLR", finite, s.Stopped)
	}
	lrs, losses := s.LRs[lo:hi], s.Losses[lo:hi]
	k := steepest(lrs, losses)
	s.Steepest = LRSuggestion{LR: lrs[k], Loss: losses[k], Index: lo + k}
	k = valley(losses)
	s.Valley = LRSuggestion{LR: lrs[k], Loss: losses[k], Index: lo + k}
	return nil
}

// steepest returns the index k where (loss[k+1]−loss[k]) / (log lr[k+1] −
// log lr[k]) is smallest (fastai's steep; the first on ties).
func steepest(lrs, losses []float64) int {
	best, k := math.Inf(1), 0
	for i := 0; i+1 < len(losses); i++ {
		g := (losses[i+1] - losses[i]) / (math.Log(lrs[i+1]) - math.Log(lrs[i]))
		if g < best {
			best, k = g, i
		}
	}
	return k
}

// valley is fastai's valley suggestion: lds[i] is the length of the
// longest strictly decreasing subsequence of losses ending at i; the
// valley ends where lds is largest (first on ties) and starts lds points
// before it; the suggestion is ⌊L/3⌋ + ⌊L/6⌋ points after the start, for L
// the valley's length, i.e. about halfway down the valley's steps. fastai
// can compute −1 for a valley that starts at the first point (Python then
// takes the last point); here the index is clamped to the curve.
func valley(losses []float64) int {
	n := len(losses)
	lds := make([]int, n)
	for i := range lds {
		lds[i] = 1
	}
	maxStart, maxEnd := 0, 0
	for i := 1; i < n; i++ {
		for j := 0; j < i; j++ {
			if losses[i] < losses[j] && lds[i] < lds[j]+1 {
				lds[i] = lds[j] + 1
			}
			if lds[maxEnd] < lds[i] {
				maxEnd = i
				maxStart = maxEnd - lds[maxEnd]
			}
		}
	}
	sections := float64(maxEnd-maxStart) / 3
	idx := maxStart + int(sections) + int(sections/2)
	return min(max(idx, 0), n-1)
}

// PlotLR draws the smoothed loss against the learning rate on a log scale
// into a PNG at path (written atomically), without the last 5 points as
// fastai plots it (unless the curve is that short), with a vertical line at
// each suggestion.
func (s *LRSweep) PlotLR(path string) error {
	if s == nil || len(s.LRs) == 0 {
		return errors.New("plot lr: the sweep has no points")
	}
	n := len(s.LRs)
	if n > 2*skipEnd {
		n -= skipEnd
	}
	lrs, losses := s.LRs[:n], s.Losses[:n]
	series := []Series{{Name: "smoothed loss", X: lrs, Y: losses}}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range losses {
		if !math.IsNaN(l) && !math.IsInf(l, 0) {
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
	}
	if lo <= hi {
		for _, sg := range []struct {
			name string
			s    LRSuggestion
		}{{"valley", s.Valley}, {"steepest", s.Steepest}} {
			if sg.s.LR > 0 {
				series = append(series, Series{Name: fmt.Sprintf("%s %.2g", sg.name, sg.s.LR),
					X: []float64{sg.s.LR, sg.s.LR}, Y: []float64{lo, hi}})
			}
		}
	}
	return PlotLines(path, Chart{Title: "learning-rate finder", XLabel: "learning rate", YLabel: "smoothed loss", LogX: true, Series: series})
}
