package main

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/tanren-ml/tanren/internal/atomicfile"
	"github.com/tanren-ml/tanren/train"
)

// writeHistory writes history.csv: one row per epoch.
func writeHistory(path string, h *train.History) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write([]string{"epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"})
		f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
		for _, e := range h.Epochs {
			row := []string{strconv.Itoa(e.Epoch), f(e.Train.Loss), f(e.Train.Accuracy), "", "", f(e.LR), f(e.Seconds)}
			if e.Val != nil {
				row[3], row[4] = f(e.Val.Loss), f(e.Val.Accuracy)
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	})
}
