package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
)

// Callback is any value implementing one or more of the hook interfaces
// (FitBeginner, EpochBeginner, StepBeginner, StepEnder, EpochEnder,
// FitEnder).
type Callback any

// Trainer fits a model. Set the exported fields, then call Fit; the zero
// values of the optional fields are the documented defaults.
type Trainer struct {
	// Model and Store are the model and its weights (required).
	Model graph.Layer
	Store *graph.Store
	// Solver updates the weights: any gorgonia.Solver, Gorgonia's built-ins
	// included (required).
	Solver G.Solver
	// Schedule, if set, sets the solver's learning rate (and momentum, for
	// one-cycle) before every step; the solver must be one of package
	// solvers'.
	Schedule solvers.Schedule
	// Loss defaults to cross-entropy on integer labels.
	Loss graph.LossFunc
	// Penalties (L1, L2, ...) are added to the training loss.
	Penalties []graph.Penalty
	// Epochs defaults to 1.
	Epochs int
	// Seed seeds the dropout masks of every step.
	Seed uint64
	// Callbacks are called in order at each hook they implement.
	Callbacks []Callback
	// Out receives progress; nil means os.Stderr. On a terminal it shows a
	// progress bar per epoch; otherwise one line per epoch.
	Out io.Writer
	// Quiet turns progress output off.
	Quiet bool
	// Checkpoint, if set, is a file path (".safetensors") written atomically
	// at the end of every epoch and when Fit is interrupted; see Resume.
	Checkpoint string
	// CheckpointEvery also writes the checkpoint every that many steps
	// within an epoch (0: only at epoch ends and on interruption), so a
	// killed process loses at most that many steps.
	CheckpointEvery int

	programs map[progKey]*graph.Program
	pos      position
	history  History
}

type progKey struct {
	mode  graph.Mode
	batch int
}

// position is where a run stands, saved in checkpoints.
type position struct {
	// Epoch is the 1-based epoch in progress (or next to run).
	Epoch int `json:"epoch"`
	// Batch is the number of batches of Epoch already trained.
	Batch int `json:"batch"`
	// Step is the global step (batches trained in all epochs).
	Step int `json:"step"`
	// Running sums of the epoch in progress.
	LossSum float64 `json:"loss_sum"`
	Correct int     `json:"correct"`
	Seen    int     `json:"seen"`
	Seconds float64 `json:"seconds"`
}

// Step returns the global step: the number of batches trained so far.
func (t *Trainer) Step() int { return t.pos.Step }

// Epoch returns the 1-based epoch in progress.
func (t *Trainer) Epoch() int { return t.pos.Epoch }

// History returns the epochs recorded so far.
func (t *Trainer) History() *History { return &t.history }

// Invalidate drops the compiled programs. Call it after freezing or
// unfreezing parameters so the next step differentiates the new set.
func (t *Trainer) Invalidate() {
	for _, p := range t.programs {
		p.Close()
	}
	t.programs = nil
}

// checkModel checks what evaluation needs.
func (t *Trainer) checkModel() error {
	switch {
	case t.Model == nil:
		return errors.New("trainer: Model is nil")
	case t.Store == nil:
		return errors.New("trainer: Store is nil")
	}
	return nil
}

// check checks what training needs.
func (t *Trainer) check() error {
	if err := t.checkModel(); err != nil {
		return err
	}
	switch {
	case t.Solver == nil:
		return errors.New("trainer: Solver is nil (use solvers.New or a gorgonia solver)")
	case t.Epochs < 0:
		return fmt.Errorf("trainer: Epochs = %d", t.Epochs)
	}
	for i, c := range t.Callbacks {
		if !isHook(c) {
			return fmt.Errorf("trainer: Callbacks[%d] (%T) implements no hook (OnEpochEnd, OnStepBegin, ...): pass a pointer if its methods have pointer receivers", i, c)
		}
	}
	return nil
}

func isHook(c Callback) bool {
	switch c.(type) {
	case FitBeginner, EpochBeginner, StepBeginner, StepEnder, EpochEnder, FitEnder:
		return true
	}
	return false
}

func (t *Trainer) epochs() int { return max(t.Epochs, 1) }

func (t *Trainer) loss() graph.LossFunc {
	if t.Loss != nil {
		return t.Loss
	}
	return layers.CrossEntropy(0)
}

func (t *Trainer) out() io.Writer {
	if t.Quiet {
		return io.Discard
	}
	if t.Out != nil {
		return t.Out
	}
	return os.Stderr
}

// program returns the cached program for a mode and batch shape.
func (t *Trainer) program(mode graph.Mode, x *tensor.Dense) (*graph.Program, error) {
	key := progKey{mode, x.Shape()[0]}
	if p, ok := t.programs[key]; ok && p.InputShape().Eq(x.Shape()) {
		return p, nil
	}
	spec := graph.Spec{Mode: mode, Input: x.Shape().Clone(), Loss: t.loss()}
	if mode == graph.Train {
		spec.Penalties = t.Penalties
	}
	p, err := graph.Compile(t.Store, t.Model, spec)
	if err != nil {
		return nil, err
	}
	if t.programs == nil {
		t.programs = map[progKey]*graph.Program{}
	}
	t.programs[key] = p
	return p, nil
}

// Fit trains for the configured epochs (continuing from a Resume'd
// position) and returns the history. Cancelling ctx stops after the current
// step; the checkpoint, if configured, is written and ctx's error returned
// with the history so far.
func (t *Trainer) Fit(ctx context.Context, trainSet, valSet *data.Loader) (*History, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if trainSet == nil {
		return nil, errors.New("fit: no training data")
	}
	if t.pos.Epoch == 0 {
		t.pos = position{Epoch: 1}
	}
	if err := t.applyLRScales(); err != nil {
		return nil, err
	}
	if err := each(t.Callbacks, func(c FitBeginner) error { return c.OnFitBegin(t) }); err != nil {
		return nil, err
	}
	for ; t.pos.Epoch <= t.epochs(); t.pos.Epoch++ {
		stop, err := t.runEpoch(ctx, trainSet, valSet)
		if err != nil {
			return &t.history, err
		}
		if stop {
			break
		}
	}
	if err := each(t.Callbacks, func(c FitEnder) error { return c.OnFitEnd(t, &t.history) }); err != nil {
		return &t.history, err
	}
	return &t.history, nil
}

// runEpoch trains one epoch from the current position, validates, records
// and checkpoints it.
func (t *Trainer) runEpoch(ctx context.Context, trainSet, valSet *data.Loader) (stop bool, err error) {
	epoch := t.pos.Epoch
	if t.pos.Batch == 0 {
		if err := each(t.Callbacks, func(c EpochBeginner) error { return c.OnEpochBegin(t, epoch) }); err != nil {
			return false, err
		}
	}
	start := time.Now()
	it, err := trainSet.Epoch(ctx, epoch)
	if err != nil {
		return false, fmt.Errorf("epoch %d: %w", epoch, err)
	}
	defer it.Close()
	bar := newProgress(t.out(), epoch, t.epochs(), trainSet.NumBatches(), t.pos.Batch)
	for b := 0; ; b++ {
		if ctx.Err() != nil {
			return false, t.interrupted(ctx, start)
		}
		batch, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return false, t.interrupted(ctx, start)
			}
			return false, fmt.Errorf("epoch %d, batch %d: %w", epoch, b+1, err)
		}
		if b < t.pos.Batch { // resuming: these batches were trained before
			continue
		}
		if err := t.trainStep(batch); err != nil {
			return false, fmt.Errorf("epoch %d, batch %d: %w", epoch, b+1, err)
		}
		bar.update(t.pos.Batch, batch.Len(), t.pos.LossSum/float64(max(t.pos.Seen, 1)))
		if t.Checkpoint != "" && t.CheckpointEvery > 0 && t.pos.Step%t.CheckpointEvery == 0 {
			pos := t.pos
			pos.Seconds += time.Since(start).Seconds()
			if err := t.saveCheckpoint(pos); err != nil {
				return false, err
			}
		}
	}
	bar.finish()
	rec := Epoch{Epoch: epoch, LR: t.learnRate(),
		Train: Metrics{Loss: t.pos.LossSum / float64(max(t.pos.Seen, 1)), Accuracy: float64(t.pos.Correct) / float64(max(t.pos.Seen, 1)), N: t.pos.Seen}}
	if valSet != nil {
		m, err := t.Evaluate(ctx, valSet)
		if err != nil {
			if ctx.Err() != nil {
				return false, t.interrupted(ctx, start)
			}
			return false, fmt.Errorf("epoch %d: validation: %w", epoch, err)
		}
		rec.Val = &m
	}
	rec.Seconds = t.pos.Seconds + time.Since(start).Seconds()
	t.history.Epochs = append(t.history.Epochs, rec)
	bar.line(rec.String())
	t.pos = position{Epoch: epoch, Step: t.pos.Step} // epoch done; Fit advances Epoch
	for _, c := range t.Callbacks {
		if e, ok := c.(EpochEnder); ok {
			s, err := e.OnEpochEnd(t, &t.history)
			if err != nil {
				return false, err
			}
			stop = stop || s
		}
	}
	if t.Checkpoint != "" {
		next := t.pos
		next.Epoch++
		if err := t.saveCheckpoint(next); err != nil {
			return false, err
		}
	}
	return stop, nil
}

// trainStep runs one batch through the training program and the solver.
func (t *Trainer) trainStep(batch *data.Batch) error {
	step := t.pos.Step
	if err := each(t.Callbacks, func(c StepBeginner) error { return c.OnStepBegin(t, step) }); err != nil {
		return err
	}
	if t.Schedule != nil {
		if err := solvers.Apply(t.Solver, t.Schedule, step); err != nil {
			return err
		}
	}
	p, err := t.program(graph.Train, batch.X)
	if err != nil {
		return err
	}
	target, err := targets(batch, p.OutputShape())
	if err != nil {
		return err
	}
	p.Reseed(mix(t.Seed, uint64(step)))
	res, err := p.Step(t.Solver, batch.X, target)
	if err != nil {
		return err
	}
	n := batch.Len()
	t.pos.LossSum += res.Loss * float64(n)
	t.pos.Correct += correct(res.Output, batch.Labels)
	t.pos.Seen += n
	t.pos.Batch++
	t.pos.Step++
	return each(t.Callbacks, func(c StepEnder) error { return c.OnStepEnd(t, step, res.Loss) })
}

// interrupted saves the position reached and returns the context's error.
func (t *Trainer) interrupted(ctx context.Context, start time.Time) error {
	t.pos.Seconds += time.Since(start).Seconds()
	t.history.Stopped = "interrupted"
	if t.Checkpoint != "" {
		if err := t.saveCheckpoint(t.pos); err != nil {
			return fmt.Errorf("interrupted, and the checkpoint failed: %w", err)
		}
	}
	return ctx.Err()
}

// learnRate reports the solver's current learning rate when it tells one.
func (t *Trainer) learnRate() float64 {
	if s, ok := t.Solver.(interface{ LearnRate() float64 }); ok {
		return s.LearnRate()
	}
	return 0
}

// each calls fn for every callback implementing hook H.
func each[H any](cbs []Callback, fn func(H) error) error {
	for _, c := range cbs {
		if h, ok := c.(H); ok {
			if err := fn(h); err != nil {
				return err
			}
		}
	}
	return nil
}

// mix derives the noise seed of a step from the run's seed (splitmix64).
func mix(seed, step uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15*(step+1)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// applyLRScales hands the Store's per-parameter learning-rate multipliers
// (graph.Var.LRScale) to the solver.
func (t *Trainer) applyLRScales() error {
	scaler, ok := t.Solver.(solvers.LRScaler)
	for _, v := range t.Store.Params() {
		if v.LRScale == 0 {
			continue
		}
		if !ok {
			if v.LRScale != 1 {
				return fmt.Errorf("trainer: %q has learning-rate scale %v, but solver %T has no per-parameter rates: build it with solvers.New", v.Name, v.LRScale, t.Solver)
			}
			continue
		}
		if err := scaler.SetLRScale(v.Value, v.LRScale); err != nil {
			return fmt.Errorf("trainer: learning-rate scale of %q: %w", v.Name, err)
		}
	}
	return nil
}
