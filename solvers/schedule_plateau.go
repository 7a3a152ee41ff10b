package solvers

import (
	"fmt"
	"math"
)

// ReduceOnPlateau cuts the learning rate when a metric stops improving, with
// torch.optim.lr_scheduler.ReduceLROnPlateau semantics. Unlike the other
// schedules it is stateful: feed it the metric (e.g. validation loss) once per
// epoch with Step and set the solver's learning rate to what it returns.
//
// After more than Patience epochs without improvement the rate is multiplied
// by Factor (not below MinLR; changes smaller than Eps are skipped) and the
// count restarts after Cooldown epochs. An improvement is a metric below
// best·(1−Threshold) (above best·(1+Threshold) when Maximize; best ± Threshold
// with AbsThreshold). Zero fields take torch's defaults.
type ReduceOnPlateau struct {
	Base         float64 // initial learning rate (required)
	Maximize     bool    // the metric should grow (torch mode "max"), e.g. accuracy
	Factor       float64 // cut factor in (0, 1); default 0.1
	Patience     int     // bad epochs tolerated; 0 means torch's 10, negative means none (cut on the first bad epoch)
	Threshold    float64 // improvement threshold; 0 means torch's 1e-4, negative means exactly 0
	AbsThreshold bool    // threshold is absolute (torch threshold_mode "abs") instead of relative
	Cooldown     int     // epochs to wait after a cut before counting again, default 0
	MinLR        float64 // lower bound of the learning rate, default 0
	Eps          float64 // smallest change applied; default 1e-8

	st PlateauState
}

// PlateauState is ReduceOnPlateau's state, for checkpoints.
type PlateauState struct {
	Started      bool    // Step has been called
	LR           float64 // current learning rate
	Best         float64 // best metric so far
	BadEpochs    int     // epochs since the last improvement
	CooldownLeft int     // epochs of cooldown left
	Epoch        int     // Step calls so far
}

func (r *ReduceOnPlateau) patience() int {
	switch {
	case r.Patience == 0:
		return 10
	case r.Patience < 0:
		return 0
	}
	return r.Patience
}

func (r *ReduceOnPlateau) threshold() float64 {
	switch {
	case r.Threshold == 0:
		return 1e-4
	case r.Threshold < 0:
		return 0
	}
	return r.Threshold
}

// Validate checks the configuration.
func (r *ReduceOnPlateau) Validate() error {
	if err := checkBase("ReduceOnPlateau", r.Base); err != nil {
		return err
	}
	if f := r.Factor; f != 0 && !(f > 0 && f < 1) {
		return fmt.Errorf("solvers: ReduceOnPlateau: Factor %v is invalid: set it in (0, 1)", f)
	}
	if r.Cooldown < 0 {
		return fmt.Errorf("solvers: ReduceOnPlateau: Cooldown %d is negative", r.Cooldown)
	}
	if !finite(r.MinLR) || r.MinLR < 0 || !finite(r.Eps) || r.Eps < 0 || !finite(r.Threshold) {
		return fmt.Errorf("solvers: ReduceOnPlateau: MinLR %v, Eps %v and Threshold %v must be finite, MinLR and Eps ≥ 0", r.MinLR, r.Eps, r.Threshold)
	}
	return nil
}

// LR returns the current learning rate (Base before the first Step).
func (r *ReduceOnPlateau) LR() float64 {
	if !r.st.Started {
		return r.Base
	}
	return r.st.LR
}

// Step records the metric of one epoch and returns the learning rate for
// the next. A NaN metric counts as no improvement, as in torch.
func (r *ReduceOnPlateau) Step(metric float64) (float64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if !r.st.Started {
		r.st = PlateauState{Started: true, LR: r.Base, Best: math.Inf(1)}
		if r.Maximize {
			r.st.Best = math.Inf(-1)
		}
	}
	st := &r.st
	st.Epoch++
	if r.better(metric, st.Best) {
		st.Best = metric
		st.BadEpochs = 0
	} else {
		st.BadEpochs++
	}
	if st.CooldownLeft > 0 {
		st.CooldownLeft--
		st.BadEpochs = 0
	}
	if st.BadEpochs > r.patience() {
		next := math.Max(st.LR*or(r.Factor, 0.1), r.MinLR)
		if st.LR-next > or(r.Eps, 1e-8) {
			st.LR = next
		}
		st.CooldownLeft = r.Cooldown
		st.BadEpochs = 0
	}
	return st.LR, nil
}

// better is torch's is_better.
func (r *ReduceOnPlateau) better(a, best float64) bool {
	th := r.threshold()
	switch {
	case !r.Maximize && !r.AbsThreshold:
		return a < best*(1-th)
	case !r.Maximize:
		return a < best-th
	case !r.AbsThreshold:
		return a > best*(th+1)
	default:
		return a > best+th
	}
}

// State returns the state for a checkpoint.
func (r *ReduceOnPlateau) State() PlateauState { return r.st }

// SetState restores a state returned by State.
func (r *ReduceOnPlateau) SetState(st PlateauState) error {
	if st.Started && (!finite(st.LR) || st.LR < 0 || st.BadEpochs < 0 || st.CooldownLeft < 0 || st.Epoch < 0 || math.IsNaN(st.Best)) {
		return fmt.Errorf("solvers: ReduceOnPlateau: SetState: invalid state %+v", st)
	}
	r.st = st
	return nil
}
