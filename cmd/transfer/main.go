// Command transfer reruns the classic Keras transfer-learning experiment
// with tanren: LeNet-5 pretrained on MNIST digits 0–4 is fine-tuned on
// digits 5–9 with its convolutions frozen and a new 5-class head, and
// compared with the same network trained from scratch, on all 5–9
// training images and on the first 100 of each digit. Test accuracy is on
// every 5–9 test image.
//
//	go run ./cmd/transfer -save /tmp/lenet5-0to4.safetensors
//	/usr/bin/python3 cmd/transfer/transfer_torch.py --weights /tmp/lenet5-0to4.safetensors
//
// The first command pretrains LeNet-5 on the 0–4 training images (Adam,
// -pretrain-epochs) and saves the weights, which the PyTorch script, the
// same recipe in PyTorch, fine-tunes from; -weights starts from such a
// file instead of pretraining (for example one written by
// go run ./cmd/train -model lenet5 -digits 0-4).
//
// It prints a Markdown table: for each subset and method, the test
// accuracy, the training wall time (feature caching included) and the mean
// time per epoch. "transfer (cached)" trains the layers above the frozen
// convolutions on features computed once (transfer.FitCached); "transfer"
// runs every epoch through the whole network, as PyTorch does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
)

type options struct {
	dataDir, weights, save, only string
	epochs, batch, perClass      int
	pretrainEpochs               int
	workers                      int
	lr                           float64
	seed                         uint64
}

func main() {
	var o options
	flag.StringVar(&o.dataDir, "data", "", "folder with the MNIST IDX files (default: the GoMNIST module's data folder)")
	flag.StringVar(&o.weights, "weights", "", "LeNet-5 weights pretrained on digits 0–4 (.safetensors); default: pretrain them here")
	flag.StringVar(&o.save, "save", "", "where to save the weights pretrained here (for the PyTorch script)")
	flag.IntVar(&o.pretrainEpochs, "pretrain-epochs", 3, "epochs of pretraining on digits 0–4")
	flag.StringVar(&o.only, "only", "", "comma-separated methods to run (default all: "+strings.Join(methodNames(), ",")+")")
	flag.IntVar(&o.epochs, "epochs", 5, "epochs per run")
	flag.IntVar(&o.batch, "batch", 64, "mini-batch size")
	flag.IntVar(&o.perClass, "per-class", 100, "images per digit of the small subset (the first ones of each digit)")
	flag.IntVar(&o.workers, "workers", 0, "data loader workers (default: number of CPUs)")
	flag.Float64Var(&o.lr, "lr", 1e-3, "Adam learning rate")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the new head, the scratch model's initialization and the shuffling")
	flag.Parse()
	cli.Run("transfer", func(ctx context.Context) error { return run(ctx, o) })
}

func run(ctx context.Context, o options) error {
	if o.epochs < 1 || o.batch < 1 || o.perClass < 1 || o.pretrainEpochs < 1 || !(o.lr > 0) {
		return errors.New("need -epochs ≥ 1, -batch ≥ 1, -per-class ≥ 1, -pretrain-epochs ≥ 1 and -lr > 0")
	}
	if o.weights != "" && o.save != "" {
		return errors.New("-weights and -save: -save is for weights pretrained here")
	}
	methods, err := selectMethods(o.only)
	if err != nil {
		return err
	}
	sets, err := loadData(o.dataDir, o.perClass)
	if err != nil {
		return err
	}
	if o.weights == "" {
		if o.weights, err = pretrain(ctx, sets, o); err != nil {
			return fmt.Errorf("pretraining on digits 0–4: %w", err)
		}
	}
	fmt.Fprintf(os.Stderr, "LeNet-5 from %s; digits 5–9: %d training images (%d in the small subset), %d test; Adam lr %g, batch %d, %d epochs, seed %d\n",
		o.weights, sets.all.Len(), sets.small.Len(), sets.test.Len(), o.lr, o.batch, o.epochs, o.seed)
	var results []result
	for _, sub := range []struct {
		name string
		set  subset
	}{{"all", sets.all}, {fmt.Sprintf("%d per digit", o.perClass), sets.small}} {
		for _, m := range methods {
			res, err := m.do(ctx, sub.set, sets.test, o)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", sub.name, m.name, err)
			}
			res.subset = sub.name
			fmt.Fprintln(os.Stderr, res.line())
			results = append(results, res)
		}
	}
	fmt.Print(table(results))
	return nil
}
