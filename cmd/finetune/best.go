package main

import (
	"path/filepath"
	"strconv"

	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// keeper writes last.safetensors after every epoch and best.safetensors
// whenever validation accuracy improves (ties broken by lower validation
// loss). Its memory of the best epoch comes from the History, so a resumed
// run continues it.
type keeper struct {
	dir   string
	model *zoo.Model
}

var _ train.EpochEnder = keeper{}

func (k keeper) OnEpochEnd(t *train.Trainer, h *train.History) (bool, error) {
	last, _ := h.Last()
	meta := map[string]string{"arch": k.model.Info.Name, "epoch": strconv.Itoa(last.Epoch)}
	if err := k.model.Store.Save(filepath.Join(k.dir, lastWeights), meta); err != nil {
		return false, err
	}
	if bestEpoch(h) == last.Epoch {
		return false, k.model.Store.Save(filepath.Join(k.dir, bestWeights), meta)
	}
	return false, nil
}

// bestEpoch is the 1-based epoch with the best validation accuracy (lower
// loss on ties); the last epoch when there is no validation.
func bestEpoch(h *train.History) int {
	best := 0
	for i, e := range h.Epochs {
		if e.Val == nil {
			return len(h.Epochs)
		}
		if best == 0 {
			best = i + 1
			continue
		}
		b := h.Epochs[best-1].Val
		if e.Val.Accuracy > b.Accuracy || (e.Val.Accuracy == b.Accuracy && e.Val.Loss < b.Loss) {
			best = i + 1
		}
	}
	return best
}
