package main

import (
	"github.com/tanren-ml/tanren/train/plot"
)

// plotCurves draws accuracy and loss per epoch, training and validation,
// of the baseline and the combined run (of every run given when those two
// are not among them), side by side, into a PNG.
func plotCurves(path string, results []result) error {
	var shown []result
	for _, r := range results {
		if r.name == "baseline" || r.name == "combined" {
			shown = append(shown, r)
		}
	}
	if len(shown) == 0 {
		shown = results
	}
	acc := plot.Chart{Title: "accuracy", XLabel: "epoch", YLabel: "accuracy", LegendBottom: true}
	loss := plot.Chart{Title: "loss", XLabel: "epoch", YLabel: "cross-entropy"}
	for _, r := range shown {
		var ep, tAcc, vAcc, tLoss, vLoss []float64
		for _, e := range r.history.Epochs {
			if e.Val == nil {
				continue
			}
			ep = append(ep, float64(e.Epoch))
			tAcc, vAcc = append(tAcc, e.Train.Accuracy), append(vAcc, e.Val.Accuracy)
			tLoss, vLoss = append(tLoss, e.Train.Loss), append(vLoss, e.Val.Loss)
		}
		acc.Series = append(acc.Series, plot.Series{Name: r.name + " train", X: ep, Y: tAcc}, plot.Series{Name: r.name + " validation", X: ep, Y: vAcc})
		loss.Series = append(loss.Series, plot.Series{Name: r.name + " train", X: ep, Y: tLoss}, plot.Series{Name: r.name + " validation", X: ep, Y: vLoss})
	}
	return plot.Lines(path, acc, loss)
}
