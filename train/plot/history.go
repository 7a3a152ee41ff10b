package plot

import (
	"math"

	"github.com/tanren-ml/tanren/train"
)

// History draws loss and accuracy per epoch, training and validation,
// into a PNG file. When the losses span more than a factor of 10 (a first
// epoch's validation loss far above the rest, say) the loss axis is
// logarithmic, so one outlier does not flatten every other point; its
// title then says "(log scale)".
func History(path, title string, h *train.History) error {
	var ep, loss, acc, vloss, vacc []float64
	for _, e := range h.Epochs {
		ep = append(ep, float64(e.Epoch))
		loss = append(loss, e.Train.Loss)
		acc = append(acc, e.Train.Accuracy)
		if e.Val != nil {
			vloss = append(vloss, e.Val.Loss)
			vacc = append(vacc, e.Val.Accuracy)
		}
	}
	lossChart := Chart{Title: title + ": loss", XLabel: "epoch", YLabel: "loss", Series: []Series{{Name: "train", X: ep, Y: loss}}}
	accChart := Chart{Title: title + ": accuracy", LegendBottom: true, XLabel: "epoch", YLabel: "accuracy", Series: []Series{{Name: "train", X: ep, Y: acc}}}
	if len(vloss) == len(ep) && len(ep) > 0 {
		lossChart.Series = append(lossChart.Series, Series{Name: "validation", X: ep, Y: vloss})
		accChart.Series = append(accChart.Series, Series{Name: "validation", X: ep, Y: vacc})
	}
	if spansDecade(loss, vloss) {
		lossChart.LogY = true
		lossChart.Title += " (log scale)"
	}
	return Lines(path, lossChart, accChart)
}

// spansDecade reports whether the positive finite values span more than a
// factor of 10.
func spansDecade(series ...[]float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, s := range series {
		for _, v := range s {
			if v > 0 && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return hi > 10*lo
}
