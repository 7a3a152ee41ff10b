// Command train trains a zoo architecture from scratch on MNIST and saves
// its weights as .safetensors (PyTorch state_dict names).
//
//	go run ./cmd/train -model lenet5 -epochs 1
//
// It prints one line per epoch (a progress bar on a terminal), the final
// test accuracy, and where the weights went. Ctrl-C stops after the current
// step and writes a checkpoint; -resume continues from it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

type options struct {
	model, solver, dataDir, out, digits string
	epochs, batch, workers              int
	lr                                  float64
	seed                                uint64
	resume                              bool
}

func main() {
	var o options
	flag.StringVar(&o.model, "model", "lenet5", "architecture: "+strings.Join(zoo.Names(), ", "))
	flag.IntVar(&o.epochs, "epochs", 1, "number of epochs")
	flag.IntVar(&o.batch, "batch", 64, "mini-batch size")
	flag.StringVar(&o.solver, "solver", "adam", "solver name (see package solvers)")
	flag.Float64Var(&o.lr, "lr", 1e-3, "learning rate")
	flag.Uint64Var(&o.seed, "seed", 2, "seed of initialization, shuffling and dropout (see docs/mnist.md for how results vary with it)")
	flag.StringVar(&o.dataDir, "data", "", "folder with the MNIST IDX files (default: the GoMNIST module's data folder)")
	flag.StringVar(&o.digits, "digits", "", "train on these digits only, e.g. 0-4 or 1,3,5 (default all ten)")
	flag.IntVar(&o.workers, "workers", 0, "data loader workers (default: number of CPUs)")
	flag.StringVar(&o.out, "out", "", "weights file to write (default MODEL-mnist.safetensors)")
	flag.BoolVar(&o.resume, "resume", false, "continue from the checkpoint OUT.ckpt left by an interrupted run")
	flag.Parse()
	cli.Run("train", func(ctx context.Context) error { return run(ctx, o) })
}

func run(ctx context.Context, o options) error {
	if o.out == "" {
		o.out = o.model + "-mnist.safetensors"
	}
	trainSet, testSet, err := cli.LoadMNIST(o.dataDir)
	if err != nil {
		return err
	}
	digits, err := parseDigits(o.digits)
	if err != nil {
		return err
	}
	var trainDS, testDS data.Dataset = trainSet, testSet
	if digits != nil {
		if trainDS, err = data.FilterClasses(trainSet, digits, true); err != nil {
			return err
		}
		if testDS, err = data.FilterClasses(testSet, digits, true); err != nil {
			return err
		}
	}
	classes := 10
	if digits != nil {
		classes = len(digits)
	}
	m, err := zoo.New(o.model, zoo.WithClasses(classes), zoo.WithSeed(o.seed))
	if err != nil {
		return err
	}
	solver, err := solvers.New(o.solver, solvers.WithLearnRate(o.lr))
	if err != nil {
		return err
	}
	norm := data.MNISTNormalize()
	trainLoader := &data.Loader{Dataset: trainDS, BatchSize: o.batch, Shuffle: true, Seed: int64(o.seed), Workers: o.workers, Transform: norm}
	testLoader := &data.Loader{Dataset: testDS, BatchSize: 1000, Workers: o.workers, Transform: norm}
	t := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Epochs: o.epochs, Seed: o.seed, Checkpoint: o.out + ".ckpt"}
	if o.resume {
		found, err := t.Resume()
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("-resume: no checkpoint %s", t.Checkpoint)
		}
		fmt.Fprintf(os.Stderr, "resuming from %s at epoch %d\n", t.Checkpoint, t.Epoch())
	}
	total, _ := m.Store.NumParams()
	fmt.Printf("training %s (%d parameters) on %d MNIST images, testing on %d; %s lr %g, batch %d, seed %d\n",
		o.model, total, trainDS.Len(), testDS.Len(), o.solver, o.lr, o.batch, o.seed)
	start := time.Now()
	if _, err := t.Fit(ctx, trainLoader, testLoader); err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted; checkpoint in %s, continue with -resume: %w", t.Checkpoint, err)
		}
		return err
	}
	test, err := t.Evaluate(ctx, testLoader)
	if err != nil {
		return err
	}
	meta := map[string]string{"arch": o.model, "classes": strconv.Itoa(classes), "test_accuracy": fmt.Sprintf("%.4f", test.Accuracy),
		"recipe": fmt.Sprintf("go run ./cmd/train -model %s -epochs %d -batch %d -solver %s -lr %g -seed %d -digits %q", o.model, o.epochs, o.batch, o.solver, o.lr, o.seed, o.digits)}
	if err := m.Store.Save(o.out, meta); err != nil {
		return err
	}
	os.Remove(t.Checkpoint) // the run finished: its weights are in o.out
	fmt.Printf("test accuracy %.2f%% (loss %.4f) after %d epoch(s) in %s\nweights: %s\n",
		100*test.Accuracy, test.Loss, o.epochs, time.Since(start).Round(time.Second), o.out)
	return nil
}

// parseDigits reads "0-4" or "1,3,5" into sorted digits; "" means all.
func parseDigits(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b > 9 || a > b {
			return nil, fmt.Errorf("-digits %q: want digits 0-9 as a range (0-4) or a list (1,3,5)", s)
		}
		for d := a; d <= b; d++ {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
