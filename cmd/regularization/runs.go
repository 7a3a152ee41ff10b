package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/augment"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/regularize"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

const (
	evalBatch   = 100
	numClasses  = 10
	initialSeed = 7 // weight initialization, the same for every run
)

// augmentation is the per-sample pipeline on [0, 1] digits: small
// rotations, shifts and zooms, with black (0) filled in.
func augmentation() data.Transform {
	return augment.RandomAffine{
		Degrees:   [2]float64{-10, 10},
		Translate: [2]float64{0.1, 0.1},
		Scale:     [2]float64{0.9, 1.1},
	}
}

// spec is one run of the experiment.
type spec struct {
	name                     string
	l2, dropout, aug, stopES bool
}

var runs = []spec{
	{name: "baseline"},
	{name: "L2", l2: true},
	{name: "dropout", dropout: true},
	{name: "augmentation", aug: true},
	{name: "early stopping", stopES: true},
	{name: "combined", l2: true, dropout: true, aug: true, stopES: true},
}

func runNames() []string {
	var names []string
	for _, r := range runs {
		names = append(names, strings.ReplaceAll(r.name, " ", "-"))
	}
	return names
}

func selectRuns(only string) ([]spec, error) {
	if only == "" {
		return runs, nil
	}
	var out []spec
	for _, name := range strings.Split(only, ",") {
		found := false
		for _, r := range runs {
			if strings.EqualFold(strings.ReplaceAll(r.name, " ", "-"), strings.TrimSpace(name)) {
				out, found = append(out, r), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-only: unknown run %q (runs: %s)", name, strings.Join(runNames(), ", "))
		}
	}
	return out, nil
}

// result is what a run measured.
type result struct {
	name              string
	trainAcc, testAcc float64
	valAcc            float64 // of the weights the run ends with
	epochs, best      int
	stopped           string
	history           train.History
	seconds           float64
}

// model is LeNet-5, with dropout before fc2 and fc3 when asked. The
// parameter names are zoo.LeNet5's either way.
func (r spec) model(p float64) graph.Layer {
	if !r.dropout {
		return zoo.LeNet5(numClasses)
	}
	base := zoo.LeNet5(numClasses).(layers.Sequential)
	var m layers.Sequential
	for _, l := range base {
		if n, ok := l.(layers.Named); ok && (n.Name == "fc2" || n.Name == "fc3") {
			m = append(m, layers.Named{Name: "drop_" + n.Name, Layer: layers.Dropout{P: p}})
		}
		m = append(m, l)
	}
	return m
}

func (r spec) do(ctx context.Context, sets datasets, o options) (result, error) {
	start := time.Now()
	store, err := graph.NewStore(tensor.Float32, initialSeed)
	if err != nil {
		return result{}, err
	}
	solver, err := solvers.New("adam", solvers.WithLearnRate(o.lr))
	if err != nil {
		return result{}, err
	}
	t := &train.Trainer{Model: r.model(o.dropout), Store: store, Solver: solver, Epochs: o.epochs, Seed: o.seed, Quiet: true}
	defer t.Invalidate() // closes the compiled programs
	if r.l2 {
		t.Penalties = append(t.Penalties, regularize.L2(o.l2, regularize.Selector{}))
	}
	if r.stopES {
		t.Callbacks = append(t.Callbacks, &regularize.EarlyStopping{Monitor: "val_loss", Patience: o.patience, RestoreBest: true})
	}
	normalize := data.MNISTNormalize()
	var tf data.Transform = normalize
	if r.aug {
		tf = data.Compose(augmentation(), normalize)
	}
	loader := func(ds data.Dataset, batch int, shuffle bool, tf data.Transform) *data.Loader {
		return &data.Loader{Dataset: ds, BatchSize: batch, Shuffle: shuffle, Seed: int64(o.seed), Workers: o.workers, Transform: tf}
	}
	trainSet := loader(sets.train, o.batch, true, tf)
	valSet := loader(sets.val, evalBatch, false, normalize)
	h, err := t.Fit(ctx, trainSet, valSet)
	if err != nil {
		return result{}, err
	}
	// Final accuracies of the weights the run ends with (the restored best
	// ones with early stopping), in evaluation mode, without augmentation.
	trainM, err := t.Evaluate(ctx, loader(sets.train, evalBatch, false, normalize))
	if err != nil {
		return result{}, fmt.Errorf("evaluating on the training set: %w", err)
	}
	testM, err := t.Evaluate(ctx, loader(sets.test, evalBatch, false, normalize))
	if err != nil {
		return result{}, fmt.Errorf("evaluating on the test set: %w", err)
	}
	valM, err := t.Evaluate(ctx, valSet)
	if err != nil {
		return result{}, fmt.Errorf("evaluating on the validation set: %w", err)
	}
	return result{name: r.name, trainAcc: trainM.Accuracy, valAcc: valM.Accuracy, testAcc: testM.Accuracy, epochs: len(h.Epochs), best: h.Best,
		stopped: h.Stopped, history: *h, seconds: time.Since(start).Seconds()}, nil
}
