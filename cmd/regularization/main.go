// Command regularization measures whether regularization improves
// generalization when data is scarce: LeNet-5 trained on 1,000 MNIST
// training images (100 per class) and evaluated on the 10,000 test images,
// as a baseline and with L2, dropout, data augmentation, early stopping,
// and all of them combined.
//
//	go run ./cmd/regularization
//
// It prints a Markdown table (train accuracy, test accuracy, their gap,
// epochs run) and writes a PNG of the training and validation curves of
// the baseline and the combined run. Early stopping and the curves use a
// separate validation set of 1,000 other training images (100 per class),
// never the test set. Every run starts from the same initial weights and
// sees the same batches (same seeds).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
)

type options struct {
	dataDir, png, only string
	epochs, batch      int
	workers, patience  int
	lr, l2, dropout    float64
	seed               uint64
}

func main() {
	var o options
	flag.StringVar(&o.dataDir, "data", "", "folder with the MNIST IDX files (default: the GoMNIST module's data folder)")
	flag.StringVar(&o.png, "png", "docs/regularization.png", "where to write the curves (empty: no plot)")
	flag.StringVar(&o.only, "only", "", "comma-separated runs to do (default all: "+strings.Join(runNames(), ",")+")")
	flag.IntVar(&o.epochs, "epochs", 50, "maximum number of epochs per run")
	flag.IntVar(&o.batch, "batch", 32, "mini-batch size")
	flag.IntVar(&o.workers, "workers", 0, "data loader workers (default: number of CPUs)")
	flag.Float64Var(&o.lr, "lr", 1e-3, "Adam learning rate")
	flag.Float64Var(&o.l2, "l2", 1e-4, "λ of the L2 penalty (λ/2)·Σw² on conv and linear weights")
	flag.Float64Var(&o.dropout, "dropout", 0.5, "dropout probability before fc2 and fc3")
	flag.IntVar(&o.patience, "patience", 10, "early stopping: epochs without a lower validation loss")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the subsets, initialization, shuffling, augmentation and dropout")
	flag.Parse()
	cli.Run("regularization", func(ctx context.Context) error { return run(ctx, o) })
}

func run(ctx context.Context, o options) error {
	if o.epochs < 1 || o.batch < 1 || o.lr <= 0 || o.l2 < 0 || o.dropout < 0 || o.dropout >= 1 || o.patience < 0 {
		return fmt.Errorf("need -epochs ≥ 1, -batch ≥ 1, -lr > 0, -l2 ≥ 0, -dropout in [0, 1) and -patience ≥ 0")
	}
	sets, err := loadData(o.dataDir, o.seed)
	if err != nil {
		return err
	}
	selected, err := selectRuns(o.only)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "LeNet-5, %d training images, %d validation, %d test; Adam lr %g, batch %d, up to %d epochs, seed %d\n",
		sets.train.Len(), sets.val.Len(), sets.test.Len(), o.lr, o.batch, o.epochs, o.seed)
	var results []result
	for _, r := range selected {
		res, err := r.do(ctx, sets, o)
		if err != nil {
			return fmt.Errorf("run %q: %w", r.name, err)
		}
		fmt.Fprintf(os.Stderr, "%-15s train %.2f%%  val %.2f%%  test %.2f%%  epochs %d  (%.0f s)\n",
			r.name, 100*res.trainAcc, 100*res.valAcc, 100*res.testAcc, res.epochs, res.seconds)
		if res.stopped != "" {
			fmt.Fprintf(os.Stderr, "%-15s %s\n", "", res.stopped)
		}
		results = append(results, res)
	}
	printTable(os.Stdout, results, o)
	if o.png != "" {
		if err := plotCurves(o.png, results); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "wrote", o.png)
	}
	return nil
}
