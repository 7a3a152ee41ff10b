// Command solvers answers the classic questions of training on MNIST with
// LeNet-5 and one seed:
//
//   - batch gradient descent (the whole training subset as one batch) vs
//     stochastic gradient descent (batch 1) vs mini-batch (64), all plain
//     SGD, at an equal budget of examples seen;
//   - each solver (sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw,
//     radam, adabound, amsbound, and Gorgonia's built-in Adam) at batch 64
//     and an equal number of steps, each with its own learning rate.
//
// Run it from the repository root:
//
//	go run ./cmd/solvers
//
// It prints Markdown tables (steps, training loss after them, test loss and
// accuracy on the 10,000 test images, training wall time) and writes PNGs of
// the loss curves and of the learning-rate finder's curves (docs/solvers.png,
// docs/solvers-lrfind.png). Every run starts from the same initial weights
// and, for a given batch size, sees the same examples in the same order.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
)

type options struct {
	dataDir, png, lrPNG, only, lrs string
	perClass, probe, epochs        int
	probesPerEpoch, workers        int
	findLR                         bool
	seed                           uint64
}

func main() {
	var o options
	flag.StringVar(&o.dataDir, "data", "", "folder with the MNIST IDX files (default: the GoMNIST module's data folder)")
	flag.IntVar(&o.perClass, "per-class", 512, "training images per digit (512 gives 5,120, a multiple of 64)")
	flag.IntVar(&o.epochs, "epochs", 3, "budget in passes over the training subset (examples seen = epochs × subset size)")
	flag.IntVar(&o.probe, "probe", 50, "training images per digit on which the loss curves are measured")
	flag.IntVar(&o.probesPerEpoch, "probes", 8, "points per epoch on the loss curves")
	flag.StringVar(&o.only, "only", "", "comma-separated runs to do (default all: "+strings.Join(runNames(), ",")+")")
	flag.StringVar(&o.lrs, "lr", "", "override learning rates, e.g. sgd=0.05,adam=3e-3 (names as in -only)")
	flag.BoolVar(&o.findLR, "findlr", true, "run the learning-rate finder before each run (not for the full batch and Gorgonia's Adam) and show its suggestions")
	flag.StringVar(&o.png, "png", "docs/solvers.png", "where to write the loss curves (empty: no plot)")
	flag.StringVar(&o.lrPNG, "lrpng", "docs/solvers-lrfind.png", "where to write the learning-rate finder's curves (empty: no plot)")
	flag.IntVar(&o.workers, "workers", 0, "data loader workers (default: number of CPUs)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the subsets, initialization and shuffling")
	flag.Parse()
	cli.Run("solvers", func(ctx context.Context) error { return run(ctx, o) })
}

func run(ctx context.Context, o options) error {
	if o.perClass < 1 || o.epochs < 1 || o.probe < 1 || o.probesPerEpoch < 1 {
		return fmt.Errorf("need -per-class, -epochs, -probe and -probes ≥ 1 (got %d, %d, %d, %d)", o.perClass, o.epochs, o.probe, o.probesPerEpoch)
	}
	selected, err := selectRuns(o.only, o.lrs)
	if err != nil {
		return err
	}
	sets, err := loadData(o.dataDir, o.perClass, o.probe, o.seed)
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Printf("LeNet-5 on %d MNIST training images (%d per digit), tested on %d; seed %d; budget %d epochs = %d examples seen per run.\n",
		sets.train.Len(), o.perClass, sets.test.Len(), o.seed, o.epochs, o.epochs*sets.train.Len())
	fmt.Printf("Command: %s\n", commandLine())
	fmt.Printf("Machine: %s, %d CPUs; matrix products: %s; load average at start %s.\n\n", cpuModel(), numCPU(), blasName(), loadAvg())
	var results []result
	for _, r := range selected {
		res, err := r.do(ctx, sets, o)
		if err != nil {
			return fmt.Errorf("run %q: %w", r.name, err)
		}
		fmt.Fprintln(os.Stderr, res.line())
		results = append(results, res)
	}
	printTables(os.Stdout, results, o, sets)
	fmt.Printf("\nTotal wall time %s; load average at the end %s.\n", time.Since(start).Round(time.Second), loadAvg())
	if o.png != "" {
		if err := plotCurves(o.png, results, sets.train.Len()); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "wrote", o.png)
	}
	if o.lrPNG != "" && o.findLR {
		written, err := plotFinder(o.lrPNG, results)
		if err != nil {
			return err
		}
		if written {
			fmt.Fprintln(os.Stderr, "wrote", o.lrPNG)
		}
	}
	return nil
}

// commandLine is how this run was started, with arguments quoted where the
// shell needs it, and TANREN_BLAS when it is set.
func commandLine() string {
	parts := []string{"go run ./cmd/solvers"}
	if v, ok := os.LookupEnv(cli.BLASEnv); ok {
		parts = append([]string{cli.BLASEnv + "=" + shellQuote(v)}, parts...)
	}
	for _, a := range os.Args[1:] {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
