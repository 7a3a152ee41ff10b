package train

import (
	"fmt"
	"math"
	"time"
)

// Metrics summarizes a model on a dataset (or an epoch of training).
type Metrics struct {
	// Loss is the mean loss per sample. For training it includes the
	// penalties (L1, L2) as the optimizer sees them, as Keras reports it;
	// evaluation has no penalties.
	Loss float64 `json:"loss"`
	// Accuracy is the fraction of samples whose arg-max output is the label.
	Accuracy float64 `json:"accuracy"`
	// N is the number of samples.
	N int `json:"n"`
}

// Epoch is one row of a History.
type Epoch struct {
	// Epoch counts from 1.
	Epoch int     `json:"epoch"`
	Train Metrics `json:"train"`
	// Val is the validation metrics; nil when no validation set was given.
	Val *Metrics `json:"val,omitempty"`
	// LR is the learning rate at the end of the epoch.
	LR float64 `json:"lr"`
	// Seconds is the epoch's wall time, validation included.
	Seconds float64 `json:"seconds"`
}

// History is the record of a Fit.
type History struct {
	Epochs []Epoch `json:"epochs"`
	// Best is the 1-based epoch a callback (early stopping) judged best; 0
	// when none did.
	Best int `json:"best,omitempty"`
	// Stopped says why training ended before the last epoch ("" when it
	// ran them all), e.g. "early stopping: val_loss did not improve by
	// more than 0 for 3 epochs" or "interrupted".
	Stopped string `json:"stopped,omitempty"`
}

// Metric returns a named value of an epoch record: "loss", "accuracy",
// "val_loss", "val_accuracy" or "lr".
func (e Epoch) Metric(name string) (float64, bool) {
	switch name {
	case "loss":
		return e.Train.Loss, true
	case "accuracy":
		return e.Train.Accuracy, true
	case "lr":
		return e.LR, true
	case "val_loss":
		if e.Val != nil {
			return e.Val.Loss, true
		}
	case "val_accuracy":
		if e.Val != nil {
			return e.Val.Accuracy, true
		}
	}
	return math.NaN(), false
}

// Last returns the last epoch recorded.
func (h *History) Last() (Epoch, bool) {
	if len(h.Epochs) == 0 {
		return Epoch{}, false
	}
	return h.Epochs[len(h.Epochs)-1], true
}

// String formats one epoch as the line the Trainer prints.
func (e Epoch) String() string {
	s := fmt.Sprintf("epoch %d: loss %.4f acc %.2f%%", e.Epoch, e.Train.Loss, 100*e.Train.Accuracy)
	if e.Val != nil {
		s += fmt.Sprintf(" | val loss %.4f acc %.2f%%", e.Val.Loss, 100*e.Val.Accuracy)
	}
	return s + fmt.Sprintf(" | lr %.3g | %s", e.LR, time.Duration(e.Seconds*float64(time.Second)).Round(10*time.Millisecond))
}
