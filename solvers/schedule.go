package solvers

import (
	"errors"
	"fmt"

	"gorgonia.org/gorgonia"
)

// Schedule gives the learning rate of each optimizer step as a pure function
// of the step index: LR(t) is the rate for the (t+1)-th step, t = 0, 1, 2, …
// This is torch.optim.lr_scheduler's get_last_lr() after t calls of
// scheduler.step(). A Trainer applies it before every Step with Apply.
type Schedule interface {
	LR(step int) float64
}

// MomentumSchedule is a Schedule that also drives the solver's momentum
// (β1 for the Adam family), as one-cycle does. ok is false when it does not
// cycle momentum.
type MomentumSchedule interface {
	Schedule
	Momentum(step int) (m float64, ok bool)
}

// validator is implemented by schedules whose configuration can be wrong.
type validator interface {
	Validate() error
}

// ScheduleFunc adapts a function to a Schedule.
type ScheduleFunc func(step int) float64

// LR returns f(step).
func (f ScheduleFunc) LR(step int) float64 { return f(step) }

// Apply sets the learning rate of s for step (0-based) from sch, and its
// momentum or β1 when sch cycles momentum. It validates sch and the values it
// produces, and fails for solvers whose learning rate cannot change
// (Gorgonia's built-ins) or, when momentum is cycled, that have no momentum
// (adagrad; give OneCycle NoMomentumCycle: true).
func Apply(s gorgonia.Solver, sch Schedule, step int) error {
	if sch == nil {
		return errors.New("solvers: Apply: schedule is nil")
	}
	if step < 0 {
		return fmt.Errorf("solvers: Apply: step %d is negative", step)
	}
	if v, ok := sch.(validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("solvers: Apply: %w", err)
		}
	}
	ls, ok := s.(Solver)
	if !ok {
		return fmt.Errorf("solvers: Apply: solver %T cannot change its learning rate (Gorgonia's built-ins fix it at construction): build one with solvers.New", s)
	}
	lr := sch.LR(step)
	if !finite(lr) || lr < 0 {
		return fmt.Errorf("solvers: Apply: schedule %T gives learning rate %v at step %d", sch, lr, step)
	}
	if ms, ok := sch.(MomentumSchedule); ok {
		if m, cycles := ms.Momentum(step); cycles {
			setter, ok := s.(MomentumSetter)
			if !ok {
				return fmt.Errorf("solvers: Apply: schedule %T cycles momentum but solver %T has none: turn momentum cycling off", sch, s)
			}
			if !finite(m) || m < 0 || m >= 1 {
				return fmt.Errorf("solvers: Apply: schedule %T gives momentum %v at step %d, want [0, 1)", sch, m, step)
			}
			setter.SetMomentum(m)
		}
	}
	ls.SetLearnRate(lr)
	return nil
}

func checkBase(kind string, base float64) error {
	if !finite(base) || base <= 0 {
		return fmt.Errorf("solvers: %s: base learning rate %v is invalid: set Base to a finite value > 0", kind, base)
	}
	return nil
}
