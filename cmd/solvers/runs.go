package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

const (
	evalBatch    = 500
	miniBatch    = 64
	gorgoniaAdam = "gorgonia-adam" // Gorgonia's built-in G.NewAdamSolver
)

// spec is one run of the experiment.
type spec struct {
	// name selects the run with -only and -lr.
	name string
	// label names it in tables and legends.
	label string
	// solver is a solvers.New name, or gorgoniaAdam.
	solver string
	// batch is the batch size; 0 means the whole training subset.
	batch int
	lr    float64
	// batchQ and solverQ say which question the run answers: the
	// batch-size comparison, the solver comparison, or both (mini-batch
	// SGD is in both).
	batchQ, solverQ bool
}

// runs are the runs of the experiment with their learning rates: the usual
// starting points for LeNet-sized CNNs, each solver's own (the command
// also runs the learning-rate finder and prints its suggestions beside
// them, as a check):
//
//   - plain SGD 0.1 for mini-batches and the full batch, the same effective
//     step as momentum below; 0.01 for batch 1, whose one-example gradients
//     are far noisier (online SGD takes smaller steps);
//   - momentum and Nesterov 0.01 with β = 0.9: effective step lr/(1−β) = 0.1;
//   - adagrad 0.01 (torch's default);
//   - rmsprop 1e-3 (Keras's default, a tenth of torch's);
//   - adam, adamw (decoupled decay 0.01), radam and Gorgonia's Adam: 1e-3,
//     the default of Kingma & Ba and of torch;
//   - adabound and amsbound: the authors' defaults, lr 1e-3 moving towards
//     SGD's final_lr 0.1.
var runs = []spec{
	{name: "full-batch", label: "batch GD (full batch)", solver: "sgd", batch: 0, lr: 0.1, batchQ: true},
	{name: "batch-1", label: "stochastic (batch 1)", solver: "sgd", batch: 1, lr: 0.01, batchQ: true},
	{name: "sgd", label: "sgd", solver: "sgd", batch: miniBatch, lr: 0.1, batchQ: true, solverQ: true},
	{name: "momentum", label: "momentum 0.9", solver: "momentum", batch: miniBatch, lr: 0.01, solverQ: true},
	{name: "nesterov", label: "nesterov 0.9", solver: "nesterov", batch: miniBatch, lr: 0.01, solverQ: true},
	{name: "adagrad", label: "adagrad", solver: "adagrad", batch: miniBatch, lr: 0.01, solverQ: true},
	{name: "rmsprop", label: "rmsprop", solver: "rmsprop", batch: miniBatch, lr: 1e-3, solverQ: true},
	{name: "adam", label: "adam", solver: "adam", batch: miniBatch, lr: 1e-3, solverQ: true},
	{name: "adamw", label: "adamw", solver: "adamw", batch: miniBatch, lr: 1e-3, solverQ: true},
	{name: "radam", label: "radam", solver: "radam", batch: miniBatch, lr: 1e-3, solverQ: true},
	{name: "adabound", label: "adabound", solver: "adabound", batch: miniBatch, lr: 1e-3, solverQ: true},
	{name: "amsbound", label: "amsbound", solver: "amsbound", batch: miniBatch, lr: 1e-3, solverQ: true},
	{name: gorgoniaAdam, label: "Gorgonia's Adam", solver: gorgoniaAdam, batch: miniBatch, lr: 1e-3, solverQ: true},
}

func runNames() []string {
	names := make([]string, len(runs))
	for i, r := range runs {
		names[i] = r.name
	}
	return names
}

// selectRuns returns the runs named in only (all when empty) with the
// learning rates of lrs ("name=value,...") applied.
func selectRuns(only, lrs string) ([]spec, error) {
	all := append([]spec(nil), runs...)
	if lrs != "" {
		for _, kv := range strings.Split(lrs, ",") {
			name, value, ok := strings.Cut(strings.TrimSpace(kv), "=")
			lr, err := strconv.ParseFloat(value, 64)
			if !ok || err != nil || !(lr > 0) {
				return nil, fmt.Errorf("-lr %q: want name=rate with a rate > 0, e.g. sgd=0.05", kv)
			}
			i := indexOf(all, name)
			if i < 0 {
				return nil, fmt.Errorf("-lr: unknown run %q (runs: %s)", name, strings.Join(runNames(), ", "))
			}
			all[i].lr = lr
		}
	}
	if only == "" {
		return all, nil
	}
	var out []spec
	for _, name := range strings.Split(only, ",") {
		i := indexOf(all, strings.TrimSpace(name))
		if i < 0 {
			return nil, fmt.Errorf("-only: unknown run %q (runs: %s)", name, strings.Join(runNames(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func indexOf(specs []spec, name string) int {
	for i, r := range specs {
		if strings.EqualFold(r.name, name) {
			return i
		}
	}
	return -1
}

// newSolver builds the run's solver.
func (r spec) newSolver() (G.Solver, error) {
	if r.solver == gorgoniaAdam {
		// Gorgonia's defaults are torch's: β (0.9, 0.999), eps 1e-8.
		return G.NewAdamSolver(G.WithLearnRate(r.lr)), nil
	}
	return solvers.New(r.solver, solvers.WithLearnRate(r.lr))
}

// result is what a run measured.
type result struct {
	spec
	batchSize, steps, examples int
	// trainLoss is the loss on the whole training subset after the last
	// step (evaluation mode); test* on the 10,000 test images.
	trainLoss, testLoss, testAcc float64
	// seconds and cpuSeconds are the wall time and the CPU time (all
	// threads) of the training steps alone, without the probes of the loss
	// curve and the final evaluations. On a shared machine the wall time
	// depends on the other jobs; the CPU time much less.
	seconds, cpuSeconds float64
	curve               []point
	// sweep is the learning-rate finder's result (nil when not run).
	sweep *train.LRSweep
}

func (r result) line() string {
	s := fmt.Sprintf("%-22s %-13s lr %-6g batch %4d: %5d steps, train loss %.4f, test loss %.4f, test acc %.2f%%, %.1f s (CPU %.1f s)",
		r.label, r.solver, r.lr, r.batchSize, r.steps, r.trainLoss, r.testLoss, 100*r.testAcc, r.seconds, r.cpuSeconds)
	if r.sweep != nil {
		s += fmt.Sprintf(" (lr finder: valley %.2g, steepest %.2g)", r.sweep.Valley.LR, r.sweep.Steepest.LR)
	}
	return s
}

func (r spec) do(ctx context.Context, sets datasets, o options) (result, error) {
	res := result{spec: r}
	m, err := zoo.New("lenet5", zoo.WithSeed(o.seed))
	if err != nil {
		return res, err
	}
	solver, err := r.newSolver()
	if err != nil {
		return res, err
	}
	res.batchSize = r.batch
	if res.batchSize == 0 {
		res.batchSize = sets.train.Len()
	}
	norm := data.MNISTNormalize()
	loader := func(ds data.Dataset, batch int, shuffle bool) *data.Loader {
		return &data.Loader{Dataset: ds, BatchSize: batch, Shuffle: shuffle, Seed: int64(o.seed), Workers: o.workers, Transform: norm}
	}
	trainL := loader(sets.train, res.batchSize, true)
	t := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Epochs: o.epochs, Seed: o.seed, Quiet: true}
	if o.findLR && r.batch != 0 && r.solver != gorgoniaAdam {
		// The finder restores the weights and the solver's state, so the
		// run below starts exactly as it would without it. It is not run
		// for the full batch (100 full-batch steps would cost more than
		// the run) nor for Gorgonia's Adam (its rate cannot change).
		if res.sweep, err = train.FindLR(ctx, t, trainL, train.FindLRConfig{}); err != nil {
			return res, fmt.Errorf("learning-rate finder: %w", err)
		}
	}
	p := &probe{ctx: ctx, loader: loader(sets.probe, evalBatch, false), batch: res.batchSize,
		every: max(sets.train.Len()/o.probesPerEpoch, 1)}
	t.Callbacks = []train.Callback{p}
	start, cpuStart := time.Now(), cpuTime()
	if _, err := t.Fit(ctx, trainL, nil); err != nil {
		return res, err
	}
	res.seconds = time.Since(start).Seconds() - p.seconds
	res.cpuSeconds = cpuTime() - cpuStart - p.cpuSeconds
	res.steps = t.Step()
	res.examples = res.steps * res.batchSize
	res.curve = p.points
	trainM, err := t.Evaluate(ctx, loader(sets.train, evalBatch, false))
	if err != nil {
		return res, fmt.Errorf("evaluating on the training subset: %w", err)
	}
	testM, err := t.Evaluate(ctx, loader(sets.test, evalBatch, false))
	if err != nil {
		return res, fmt.Errorf("evaluating on the test set: %w", err)
	}
	res.trainLoss, res.testLoss, res.testAcc = trainM.Loss, testM.Loss, testM.Accuracy
	return res, nil
}
