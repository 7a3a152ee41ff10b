package plot

import "github.com/tanren-ml/tanren/train"

// History draws loss and accuracy per epoch, training and validation,
// into a PNG file.
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
	return Lines(path, lossChart, accChart)
}
