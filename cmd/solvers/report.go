package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
	"github.com/tanren-ml/tanren/train/plot"
)

// printTables writes the results of each question as a Markdown table.
func printTables(w io.Writer, results []result, o options, sets datasets) {
	var batchQ, solverQ []result
	for _, r := range results {
		if r.batchQ {
			batchQ = append(batchQ, r)
		}
		if r.solverQ {
			solverQ = append(solverQ, r)
		}
	}
	n := sets.train.Len()
	finder := func(r result) string {
		if r.sweep == nil {
			return "—"
		}
		return fmt.Sprintf("%.2g / %.2g", r.sweep.Valley.LR, r.sweep.Steepest.LR)
	}
	if len(batchQ) > 0 {
		fmt.Fprintf(w, "Batch size, plain SGD, equal budget of %d examples seen (%d epochs):\n\n", o.epochs*n, o.epochs)
		fmt.Fprintf(w, "| run | batch | lr | LR finder: valley / steepest | steps | train loss after the steps | test loss | test accuracy | wall time | CPU time | CPU per step |\n")
		fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range batchQ {
			label := r.label
			if r.batch == miniBatch {
				label = fmt.Sprintf("mini-batch (%d)", miniBatch)
			}
			fmt.Fprintf(w, "| %s | %d | %g | %s | %d | %.4f | %.4f | %.2f%% | %.1f s | %.1f s | %s |\n", label, r.batchSize, r.lr, finder(r), r.steps,
				r.trainLoss, r.testLoss, 100*r.testAcc, r.seconds, r.cpuSeconds, perStep(r.cpuSeconds, r.steps))
		}
		fmt.Fprintln(w)
	}
	if len(solverQ) > 0 {
		fmt.Fprintf(w, "Solvers, batch %d, equal budget of %d steps each (%d epochs):\n\n", miniBatch, o.epochs*n/miniBatch, o.epochs)
		fmt.Fprintf(w, "| solver | lr | LR finder: valley / steepest | steps | train loss after the steps | test loss | test accuracy | wall time | CPU time |\n")
		fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range solverQ {
			fmt.Fprintf(w, "| %s | %g | %s | %d | %.4f | %.4f | %.2f%% | %.1f s | %.1f s |\n", r.label, r.lr, finder(r), r.steps,
				r.trainLoss, r.testLoss, 100*r.testAcc, r.seconds, r.cpuSeconds)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Train loss: mean cross-entropy over all %d training images after the last step (evaluation mode). "+
		"Times: the training steps alone, without the learning-rate finder, the loss-curve probes (%d training images, %d times per epoch) "+
		"and the final evaluations; CPU time counts all threads.\n", n, sets.probe.Len(), o.probesPerEpoch)
}

func perStep(seconds float64, steps int) string {
	if steps == 0 {
		return "—"
	}
	ms := 1000 * seconds / float64(steps)
	if ms >= 1000 {
		return fmt.Sprintf("%.2f s", ms/1000)
	}
	return fmt.Sprintf("%.1f ms", ms)
}

// plotCurves draws the probe loss of the batch-size runs against examples
// seen and against the CPU time of their training steps, and of the solver
// runs against steps, side by side.
func plotCurves(path string, results []result, n int) error {
	const ylabel = "loss on the probe images"
	byExamples := plot.Chart{Title: "Batch size (plain SGD): per example", XLabel: "examples seen", YLabel: ylabel}
	byCPU := plot.Chart{Title: "Batch size (plain SGD): per CPU second", XLabel: "CPU time of the training steps (s)", YLabel: ylabel}
	bySteps := plot.Chart{Title: fmt.Sprintf("Solvers (batch %d)", miniBatch), XLabel: "steps", YLabel: ylabel}
	for _, r := range results {
		var xe, xc, xs, y []float64
		for _, p := range r.curve {
			xe = append(xe, float64(p.examples))
			xc = append(xc, p.cpu)
			xs = append(xs, float64(p.steps))
			y = append(y, p.loss)
		}
		if r.batchQ {
			name := fmt.Sprintf("batch %d", r.batchSize)
			if r.batchSize == n {
				name = fmt.Sprintf("full batch (%d)", n)
			}
			byExamples.Series = append(byExamples.Series, plot.Series{Name: name, X: xe, Y: y})
			byCPU.Series = append(byCPU.Series, plot.Series{Name: name, X: xc, Y: y})
		}
		if r.solverQ {
			bySteps.Series = append(bySteps.Series, plot.Series{Name: r.label, X: xs, Y: y})
		}
	}
	var charts []plot.Chart
	for _, c := range []plot.Chart{byExamples, byCPU, bySteps} {
		if len(c.Series) > 0 {
			charts = append(charts, c)
		}
	}
	return plot.Lines(path, charts...)
}

// plotFinder draws the learning-rate finder's curves: SGD and its momentum
// variants in one chart, the adaptive solvers in another, against log10 of
// the learning rate. Each curve is cut before the first point where the
// smoothed loss exceeds 1.2× its first value (the diverging tail, which
// would squash every curve's descent into a flat line). It reports whether
// there was anything to draw.
func plotFinder(path string, results []result) (bool, error) {
	const xlabel, ylabel = "log10(learning rate)", "smoothed training loss"
	sgdLike := plot.Chart{Title: "LR finder: SGD, momentum, Nesterov", XLabel: xlabel, YLabel: ylabel}
	adaptive := plot.Chart{Title: "LR finder: adaptive solvers", XLabel: xlabel, YLabel: ylabel}
	for _, r := range results {
		if r.sweep == nil || len(r.sweep.LRs) == 0 {
			continue
		}
		limit := divergenceCut * r.sweep.Losses[0]
		var x, y []float64
		for i, lr := range r.sweep.LRs {
			if r.sweep.Losses[i] > limit {
				break
			}
			x = append(x, math.Log10(lr))
			y = append(y, r.sweep.Losses[i])
		}
		s := plot.Series{Name: fmt.Sprintf("%s, batch %d", r.solver, r.batchSize), X: x, Y: y}
		switch r.solver {
		case "sgd", "momentum", "nesterov":
			sgdLike.Series = append(sgdLike.Series, s)
		default:
			adaptive.Series = append(adaptive.Series, s)
		}
	}
	var charts []plot.Chart
	for _, c := range []plot.Chart{sgdLike, adaptive} {
		if len(c.Series) > 0 {
			charts = append(charts, c)
		}
	}
	if len(charts) == 0 {
		return false, nil
	}
	return true, plot.Lines(path, charts...)
}

// divergenceCut is where plotFinder cuts a curve, relative to its start.
const divergenceCut = 1.2

// cpuModel is the first "model name" of /proc/cpuinfo (what lscpu shows).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func numCPU() int { return runtime.NumCPU() }

// blasName says which BLAS package graph installed in Gorgonia (it reads
// the same environment variable when it is imported).
func blasName() string {
	if os.Getenv(cli.BLASEnv) == "gonum" {
		return "gonum's BLAS (" + cli.BLASEnv + "=gonum)"
	}
	return "tanren's fastblas"
}

// loadAvg is the 1-, 5- and 15-minute load averages of /proc/loadavg.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}
