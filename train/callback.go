package train

// A callback is any value implementing one or more of the hook interfaces
// below; the Trainer calls each hook a callback has, in the order of
// Trainer.Callbacks.

// FitBeginner is called once before the first epoch of Fit (and on resume).
type FitBeginner interface {
	OnFitBegin(t *Trainer) error
}

// EpochBeginner is called before each epoch (1-based). A callback that
// freezes or unfreezes parameters here must call t.Invalidate.
type EpochBeginner interface {
	OnEpochBegin(t *Trainer, epoch int) error
}

// StepBeginner is called before each training step with the global step
// (0-based, counting every batch of every epoch).
type StepBeginner interface {
	OnStepBegin(t *Trainer, step int) error
}

// StepEnder is called after each training step with its loss.
type StepEnder interface {
	OnStepEnd(t *Trainer, step int, loss float64) error
}

// EpochEnder is called after each epoch with its record, validation
// included. Returning stop = true ends Fit after this epoch; the callback
// should set h.Stopped to say why.
type EpochEnder interface {
	OnEpochEnd(t *Trainer, h *History) (stop bool, err error)
}

// FitEnder is called once when Fit ends normally (not on error or
// cancellation), e.g. to restore the best weights.
type FitEnder interface {
	OnFitEnd(t *Trainer, h *History) error
}
