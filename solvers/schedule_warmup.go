package solvers

import (
	"errors"
	"fmt"
	"math"
)

// Warmup puts a linear warmup of Steps steps in front of another schedule:
//
//	lr(t) = Then.LR(0)·(f + (1−f)·t/Steps)   for t < Steps
//	lr(t) = Then.LR(t − Steps)               afterwards
//
// with f = StartFactor. This is torch's SequentialLR of LinearLR(start_factor
// f, end_factor 1, total_iters Steps) and Then with milestone Steps.
// Momentum is Then's (at step 0 during the warmup) when Then cycles it.
type Warmup struct {
	Steps       int      // warmup length, ≥ 0
	StartFactor float64  // fraction of Then.LR(0) at step 0, in (0, 1]; 0 means torch's default 1/3
	Then        Schedule // the schedule that follows
}

func (w Warmup) start() float64 { return or(w.StartFactor, 1.0/3) }

// LR returns the learning rate for step t (NaN if Then is nil).
func (w Warmup) LR(t int) float64 {
	if w.Then == nil {
		return math.NaN()
	}
	if t >= w.Steps {
		return w.Then.LR(t - w.Steps)
	}
	f := w.start()
	return w.Then.LR(0) * (f + (1-f)*float64(t)/float64(w.Steps))
}

// Momentum returns Then's momentum, frozen at its step 0 during the warmup.
func (w Warmup) Momentum(t int) (float64, bool) {
	ms, ok := w.Then.(MomentumSchedule)
	if !ok || w.Then == nil {
		return 0, false
	}
	if t < w.Steps {
		return ms.Momentum(0)
	}
	return ms.Momentum(t - w.Steps)
}

// Validate checks the configuration and Then's.
func (w Warmup) Validate() error {
	if w.Then == nil {
		return errors.New("solvers: Warmup: Then is nil: give the schedule that follows the warmup")
	}
	if w.Steps < 0 {
		return fmt.Errorf("solvers: Warmup: Steps %d is negative", w.Steps)
	}
	if f := w.StartFactor; f != 0 && !(f > 0 && f <= 1) {
		return fmt.Errorf("solvers: Warmup: StartFactor %v is invalid: set it in (0, 1] (0 means 1/3)", f)
	}
	if v, ok := w.Then.(validator); ok {
		return v.Validate()
	}
	return nil
}
