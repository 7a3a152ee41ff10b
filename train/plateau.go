package train

import (
	"errors"
	"fmt"

	"github.com/tanren-ml/tanren/solvers"
)

// ReduceLROnPlateau is the Trainer callback that drives a
// solvers.ReduceOnPlateau schedule: after every epoch it feeds the
// monitored metric to the schedule and sets the solver's learning rate to
// the schedule's. It replays the History at the start of Fit, so a resumed
// run continues with the same learning rate and patience count. Do not
// combine it with Trainer.Schedule, which would overwrite the rate every
// step.
type ReduceLROnPlateau struct {
	Schedule *solvers.ReduceOnPlateau
	// Monitor is any name Epoch.Metric knows; "" means "val_loss".
	Monitor string
}

var (
	_ FitBeginner = ReduceLROnPlateau{}
	_ EpochEnder  = ReduceLROnPlateau{}
)

func (r ReduceLROnPlateau) monitor() string {
	if r.Monitor == "" {
		return "val_loss"
	}
	return r.Monitor
}

// OnFitBegin checks the configuration and replays the epochs already run.
func (r ReduceLROnPlateau) OnFitBegin(t *Trainer) error {
	if r.Schedule == nil {
		return errors.New("ReduceLROnPlateau: Schedule is nil")
	}
	if t.Schedule != nil {
		return errors.New("ReduceLROnPlateau: the Trainer also has a Schedule, which would overwrite the learning rate every step")
	}
	if err := r.Schedule.SetState(solvers.PlateauState{}); err != nil {
		return err
	}
	if err := r.Schedule.Validate(); err != nil {
		return fmt.Errorf("ReduceLROnPlateau: %w", err)
	}
	for _, e := range t.History().Epochs {
		if err := r.feed(e); err != nil {
			return err
		}
	}
	return r.apply(t)
}

// OnEpochEnd feeds the epoch's metric and sets the new learning rate.
func (r ReduceLROnPlateau) OnEpochEnd(t *Trainer, h *History) (bool, error) {
	last, _ := h.Last()
	if err := r.feed(last); err != nil {
		return false, err
	}
	return false, r.apply(t)
}

func (r ReduceLROnPlateau) feed(e Epoch) error {
	v, ok := e.Metric(r.monitor())
	if !ok {
		return fmt.Errorf("ReduceLROnPlateau: epoch %d has no %q (is there a validation set?)", e.Epoch, r.monitor())
	}
	_, err := r.Schedule.Step(v)
	if err != nil {
		return fmt.Errorf("ReduceLROnPlateau: %w", err)
	}
	return nil
}

func (r ReduceLROnPlateau) apply(t *Trainer) error {
	s, ok := t.Solver.(solvers.Solver)
	if !ok {
		return fmt.Errorf("ReduceLROnPlateau: solver %T cannot change its learning rate: build it with solvers.New", t.Solver)
	}
	s.SetLearnRate(r.Schedule.LR())
	return nil
}
