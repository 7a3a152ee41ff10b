package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/transfer"
	"github.com/tanren-ml/tanren/zoo"
)

// method is one way of learning digits 5–9.
type method struct {
	name string
	// pretrained starts from the 0–4 weights with a new head and frozen
	// convolutions; otherwise from a fresh initialization.
	pretrained bool
	cached     bool
}

var methods = []method{
	{name: "transfer (cached)", pretrained: true, cached: true},
	{name: "transfer", pretrained: true},
	{name: "scratch"},
}

func methodNames() []string {
	var out []string
	for _, m := range methods {
		out = append(out, key(m.name))
	}
	return out
}

func key(name string) string {
	return strings.NewReplacer(" (", "-", ")", "").Replace(name)
}

func selectMethods(only string) ([]method, error) {
	if only == "" {
		return methods, nil
	}
	var out []method
	for _, k := range strings.Split(only, ",") {
		found := false
		for _, m := range methods {
			if key(m.name) == strings.TrimSpace(k) {
				out, found = append(out, m), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-only: unknown method %q (methods: %s)", k, strings.Join(methodNames(), ","))
		}
	}
	return out, nil
}

// result is one row of the table.
type result struct {
	subset, method string
	images, epochs int
	accuracy       float64
	wall           time.Duration
	perEpoch       time.Duration
	extract        time.Duration // cached runs: computing the features
}

func (r result) line() string {
	return fmt.Sprintf("%s, %s: test accuracy %.2f%%, %s (%s per epoch)", r.subset, r.method, 100*r.accuracy,
		r.wall.Round(time.Millisecond), r.perEpoch.Round(time.Millisecond))
}

func (m method) do(ctx context.Context, trainSet, testSet data.Dataset, o options) (result, error) {
	res := result{method: m.name, images: trainSet.Len(), epochs: o.epochs}
	classes := len(fineDigits)
	var opts []zoo.Option
	if m.pretrained {
		// The pretrained head may have another class count: load the
		// rest, then replace it.
		opts = append(opts, zoo.WithWeights(o.weights), zoo.WithLoadOptions(graph.LoadOptions{SkipMismatched: true}))
	} else {
		opts = append(opts, zoo.WithSeed(o.seed))
	}
	model, err := zoo.New("lenet5", append(opts, zoo.WithClasses(classes))...)
	if err != nil {
		return res, err
	}
	if m.pretrained {
		if err := transfer.ReplaceHead(model, classes, o.seed); err != nil {
			return res, err
		}
		if _, err := transfer.Freeze(model.Store, transfer.Options{}, "conv1.*", "conv2.*"); err != nil {
			return res, err
		}
	}
	solver, err := solvers.New("adam", solvers.WithLearnRate(o.lr))
	if err != nil {
		return res, err
	}
	norm := data.MNISTNormalize()
	tl := &data.Loader{Dataset: trainSet, BatchSize: o.batch, Shuffle: true, Seed: int64(o.seed), Workers: o.workers, Transform: norm}
	t := &train.Trainer{Model: model.Layer, Store: model.Store, Solver: solver, Epochs: o.epochs, Seed: o.seed, Quiet: true}
	start := time.Now()
	var h *train.History
	if m.cached {
		h, err = transfer.FitCached(ctx, t, model, tl, nil)
	} else {
		h, err = t.Fit(ctx, tl, nil)
	}
	if err != nil {
		return res, err
	}
	res.wall = time.Since(start)
	var epochs float64
	for _, e := range h.Epochs {
		epochs += e.Seconds
	}
	res.perEpoch = time.Duration(epochs / float64(len(h.Epochs)) * float64(time.Second))
	if m.cached {
		res.extract = res.wall - time.Duration(epochs*float64(time.Second))
	}
	test, err := t.Evaluate(ctx, &data.Loader{Dataset: testSet, BatchSize: 1000, Workers: o.workers, Transform: norm})
	if err != nil {
		return res, err
	}
	res.accuracy = test.Accuracy
	return res, nil
}

// table renders the results as Markdown.
func table(rs []result) string {
	var b strings.Builder
	b.WriteString("| training set | method | images | epochs | test accuracy | wall time | per epoch |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		wall := fmt.Sprintf("%.2f s", r.wall.Seconds())
		if r.extract > 0 {
			wall += fmt.Sprintf(" (features %.2f s)", r.extract.Seconds())
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.2f%% | %s | %.3f s |\n",
			r.subset, r.method, r.images, r.epochs, 100*r.accuracy, wall, r.perEpoch.Seconds())
	}
	return b.String()
}

// pretrain trains LeNet-5 on digits 0–4 and saves it; it returns the
// weights file.
func pretrain(ctx context.Context, sets datasets, o options) (string, error) {
	path := o.save
	if path == "" {
		f, err := os.CreateTemp("", "lenet5-0to4-*.safetensors")
		if err != nil {
			return "", err
		}
		path = f.Name()
		f.Close()
	}
	model, err := zoo.New("lenet5", zoo.WithClasses(len(baseDigits)), zoo.WithSeed(o.seed))
	if err != nil {
		return "", err
	}
	solver, err := solvers.New("adam", solvers.WithLearnRate(o.lr))
	if err != nil {
		return "", err
	}
	norm := data.MNISTNormalize()
	t := &train.Trainer{Model: model.Layer, Store: model.Store, Solver: solver, Epochs: o.pretrainEpochs, Seed: o.seed, Quiet: true}
	start := time.Now()
	if _, err := t.Fit(ctx, &data.Loader{Dataset: sets.pretrain, BatchSize: o.batch, Shuffle: true, Seed: int64(o.seed), Workers: o.workers, Transform: norm}, nil); err != nil {
		return "", err
	}
	wall := time.Since(start)
	test, err := t.Evaluate(ctx, &data.Loader{Dataset: sets.pretest, BatchSize: 1000, Workers: o.workers, Transform: norm})
	if err != nil {
		return "", err
	}
	meta := map[string]string{"arch": "lenet5", "classes": "5", "digits": "0-4", "test_accuracy": fmt.Sprintf("%.4f", test.Accuracy),
		"recipe": fmt.Sprintf("go run ./cmd/transfer -pretrain-epochs %d -batch %d -lr %g -seed %d", o.pretrainEpochs, o.batch, o.lr, o.seed)}
	if err := model.Store.Save(path, meta); err != nil {
		return "", err
	}
	fmt.Fprintf(os.Stderr, "pretrained on %d images of digits 0–4 in %s: test accuracy %.2f%% on %d; weights: %s\n",
		sets.pretrain.Len(), wall.Round(time.Millisecond), 100*test.Accuracy, sets.pretest.Len(), path)
	return path, nil
}
