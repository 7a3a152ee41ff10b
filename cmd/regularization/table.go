package main

import (
	"fmt"
	"io"
)

// printTable writes the results as a Markdown table.
func printTable(w io.Writer, results []result, o options) {
	fmt.Fprintf(w, "| run | train acc | test acc | gap | epochs run |\n|---|---:|---:|---:|---:|\n")
	for _, r := range results {
		epochs := fmt.Sprint(r.epochs)
		if r.best > 0 {
			epochs += fmt.Sprintf(" (best %d)", r.best)
		}
		fmt.Fprintf(w, "| %s | %.2f%% | %.2f%% | %.2f | %s |\n", r.name, 100*r.trainAcc, 100*r.testAcc, 100*(r.trainAcc-r.testAcc), epochs)
	}
	fmt.Fprintf(w, "\nLeNet-5, Adam lr %g, batch %d, at most %d epochs, seed %d; L2 λ %g, dropout p %g before fc2 and fc3,\n"+
		"augmentation ±10° rotation, ±10%% shift, 0.9–1.1 zoom; early stopping on validation loss, patience %d, best weights restored.\n",
		o.lr, o.batch, o.epochs, o.seed, o.l2, o.dropout, o.patience)
}
