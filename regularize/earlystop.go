package regularize

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/train"
)

// Mode says whether a monitored metric should go down or up.
type Mode uint8

const (
	// Auto (the zero value) is Max for metrics whose name contains "acc"
	// (accuracy, val_accuracy) and Min otherwise (losses), as in Keras.
	Auto Mode = iota
	// Min: lower is better.
	Min
	// Max: higher is better.
	Max
)

func (m Mode) String() string {
	switch m {
	case Min:
		return "min"
	case Max:
		return "max"
	}
	return "auto"
}

// EarlyStopping is a train.Trainer callback that ends training when a
// monitored metric has stopped improving, and can restore the weights of
// the best epoch. The zero value monitors "val_loss" and stops at the first
// epoch that does not improve on the best; set Patience to wait longer.
//
// An EarlyStopping keeps state across the epochs of one Fit: use one value
// per Trainer, by pointer.
type EarlyStopping struct {
	// Monitor is the metric watched after every epoch: any name that
	// train.Epoch.Metric knows ("val_loss" when empty, "val_accuracy",
	// "loss", "accuracy"). A validation metric needs a validation loader.
	Monitor string
	// Mode is Auto (from the name), Min or Max.
	Mode Mode
	// Patience is the number of consecutive epochs without improvement
	// after which training stops, as in Keras and PyTorch Lightning: with
	// the best at epoch b and no improvement after it, the last epoch run
	// is b + Patience. 0 behaves as 1 (stop at the first epoch that does
	// not improve).
	Patience int
	// MinDelta is the smallest change that counts as an improvement (≥ 0):
	// in Min mode a value improves when it is below best − MinDelta.
	MinDelta float64
	// RestoreBest copies the weights and buffers (batch-norm statistics)
	// of the best epoch back into the Store when Fit ends, from an
	// in-memory snapshot taken whenever the metric improves.
	RestoreBest bool

	best      float64
	bestEpoch int
	wait      int
	snap      *graph.Snapshot
	snapEpoch int
	restored  int
}

var (
	_ train.FitBeginner = (*EarlyStopping)(nil)
	_ train.EpochEnder  = (*EarlyStopping)(nil)
	_ train.FitEnder    = (*EarlyStopping)(nil)
)

func (e *EarlyStopping) monitor() string {
	if e.Monitor == "" {
		return "val_loss"
	}
	return e.Monitor
}

// mode resolves Auto.
func (e *EarlyStopping) mode() Mode {
	if e.Mode != Auto {
		return e.Mode
	}
	if strings.Contains(e.monitor(), "acc") {
		return Max
	}
	return Min
}

// BestEpoch returns the 1-based epoch with the best monitored value so far
// (0 before the first epoch) and that value.
func (e *EarlyStopping) BestEpoch() (epoch int, value float64) { return e.bestEpoch, e.best }

// Restored returns the epoch whose weights were restored at the end of the
// last Fit, or 0 if none were (RestoreBest off, the last epoch was the
// best, or the best epoch predates a resumed run and its weights were not
// in memory).
func (e *EarlyStopping) Restored() int { return e.restored }

// OnFitBegin checks the configuration and rebuilds the state from the
// trainer's history, so that a resumed run counts patience from where it
// stopped. The snapshot of the best weights lives in memory only: after a
// resume it exists again once the metric improves.
func (e *EarlyStopping) OnFitBegin(t *train.Trainer) error {
	if e.Patience < 0 {
		return fmt.Errorf("early stopping: Patience = %d must be ≥ 0", e.Patience)
	}
	if !(e.MinDelta >= 0) || math.IsInf(e.MinDelta, 0) {
		return fmt.Errorf("early stopping: MinDelta = %v must be finite and ≥ 0", e.MinDelta)
	}
	if e.Mode > Max {
		return fmt.Errorf("early stopping: unknown Mode %d (use Auto, Min or Max)", e.Mode)
	}
	if _, ok := (train.Epoch{Val: &train.Metrics{}}).Metric(e.monitor()); !ok {
		return fmt.Errorf("early stopping: unknown metric %q (use val_loss, val_accuracy, loss, accuracy or lr)", e.monitor())
	}
	e.best, e.bestEpoch, e.wait, e.snap, e.snapEpoch, e.restored = 0, 0, 0, nil, 0, 0
	for _, rec := range t.History().Epochs {
		if _, err := e.observe(rec); err != nil {
			return err
		}
	}
	return nil
}

// observe updates best and wait with an epoch's record and reports whether
// it improved.
func (e *EarlyStopping) observe(rec train.Epoch) (improved bool, err error) {
	v, ok := rec.Metric(e.monitor())
	if !ok {
		return false, fmt.Errorf("early stopping: epoch %d has no %q: validation metrics need a validation loader in Fit (or monitor \"loss\")", rec.Epoch, e.monitor())
	}
	if e.bestEpoch == 0 && !math.IsNaN(v) || e.better(v) {
		e.best, e.bestEpoch, e.wait = v, rec.Epoch, 0
		return true, nil
	}
	e.wait++
	return false, nil
}

// better reports whether v improves on the best by more than MinDelta. NaN
// never improves.
func (e *EarlyStopping) better(v float64) bool {
	if e.mode() == Max {
		return v > e.best+e.MinDelta
	}
	return v < e.best-e.MinDelta
}

// OnEpochEnd records the epoch, snapshots the weights when the metric
// improved (with RestoreBest), and stops after Patience epochs without
// improvement.
func (e *EarlyStopping) OnEpochEnd(t *train.Trainer, h *train.History) (bool, error) {
	rec, ok := h.Last()
	if !ok {
		return false, errors.New("early stopping: epoch ended with an empty history")
	}
	improved, err := e.observe(rec)
	if err != nil {
		return false, err
	}
	h.Best = e.bestEpoch
	if improved && e.RestoreBest {
		e.snap, e.snapEpoch = t.Store.Snapshot(), rec.Epoch
	}
	if e.wait < max(e.Patience, 1) {
		return false, nil
	}
	h.Stopped = fmt.Sprintf("early stopping: %s did not improve (%s, min delta %g) for %d epochs; best %.6g at epoch %d",
		e.monitor(), e.mode(), e.MinDelta, e.wait, e.best, e.bestEpoch)
	return true, nil
}

// OnFitEnd restores the best weights (with RestoreBest) and records the
// best epoch in the history.
func (e *EarlyStopping) OnFitEnd(t *train.Trainer, h *train.History) error {
	h.Best = e.bestEpoch
	last, ok := h.Last()
	if !e.RestoreBest || !ok || e.snap == nil || e.snapEpoch != e.bestEpoch || last.Epoch == e.bestEpoch {
		return nil
	}
	if err := t.Store.Restore(e.snap); err != nil {
		return fmt.Errorf("early stopping: restoring the weights of epoch %d: %w", e.bestEpoch, err)
	}
	e.restored = e.bestEpoch
	if h.Stopped != "" {
		h.Stopped += fmt.Sprintf("; restored the weights of epoch %d", e.bestEpoch)
	}
	return nil
}
