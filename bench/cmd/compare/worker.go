package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/imagefolder"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/transfer"
	"github.com/tanren-ml/tanren/zoo"
)

// workerFlag, as the first argument, makes the binary a worker: it runs one
// tanren workload in this process and prints one JSON line (a measurement).
const workerFlag = "-worker"

// measurement is what one worker process (Go or Python) prints.
type measurement struct {
	// Value is images/s for a throughput workload, seconds for the
	// fine-tune.
	Value float64 `json:"value"`
	// MaxRSSKB is the process's peak resident set size (VmHWM), in KiB.
	MaxRSSKB int64 `json:"max_rss_kb"`
}

// workerArgs are the parameters of one workload, shared by the Go worker
// flags and the Python script's (same names).
type workerArgs struct {
	Workload string
	Batch    int
	Size     int
	Warmup   int
	MinSteps int
	Seconds  float64
	Dir      string
	Classes  int
	Epochs   int
}

// flags renders a as command-line flags understood by both the Go worker
// and bench/torch_compare.py.
func (a workerArgs) flags() []string {
	f := []string{
		"--workload", a.Workload,
		"--batch", strconv.Itoa(a.Batch),
		"--size", strconv.Itoa(a.Size),
		"--warmup", strconv.Itoa(a.Warmup),
		"--min-steps", strconv.Itoa(a.MinSteps),
		"--seconds", strconv.FormatFloat(a.Seconds, 'g', -1, 64),
		"--classes", strconv.Itoa(a.Classes),
		"--epochs", strconv.Itoa(a.Epochs),
	}
	if a.Dir != "" {
		f = append(f, "--dir", a.Dir)
	}
	return f
}

// workerMain runs one workload from its flags (args without the leading
// workerFlag) and writes the measurement to out as JSON.
func workerMain(args []string, out io.Writer) error {
	graph.UseFastBLAS()
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var a workerArgs
	fs.StringVar(&a.Workload, "workload", "", "lenet5, resnet18, infer or finetune")
	fs.IntVar(&a.Batch, "batch", 16, "batch size")
	fs.IntVar(&a.Size, "size", 112, "image height and width (ResNet-18)")
	fs.IntVar(&a.Warmup, "warmup", 1, "untimed steps first")
	fs.IntVar(&a.MinSteps, "min-steps", 3, "at least this many timed steps")
	fs.Float64Var(&a.Seconds, "seconds", 3, "and at least this many seconds of timed steps")
	fs.StringVar(&a.Dir, "dir", "", "image folder (finetune)")
	fs.IntVar(&a.Classes, "classes", 10, "classes of the folder (finetune)")
	fs.IntVar(&a.Epochs, "epochs", 5, "epochs (finetune)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the workload to this file (for pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return fmt.Errorf("worker: -cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("worker: -cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var (
		v   float64
		err error
	)
	switch a.Workload {
	case "lenet5":
		v, err = trainThroughput("lenet5", tensor.Shape{a.Batch, 1, 28, 28}, 10, a)
	case "resnet18":
		v, err = trainThroughput("resnet18", tensor.Shape{a.Batch, 3, a.Size, a.Size}, 1000, a)
	case "infer":
		v, err = inferThroughput(a)
	case "finetune":
		v, err = finetune(a)
	default:
		return fmt.Errorf("worker: unknown workload %q: want lenet5, resnet18, infer or finetune", a.Workload)
	}
	if err != nil {
		return fmt.Errorf("worker %s: %w", a.Workload, err)
	}
	rss, err := maxRSSKB()
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(measurement{Value: v, MaxRSSKB: rss})
}

// timedSteps runs warmup untimed steps, then at least minSteps and at least
// seconds of timed ones, and returns images/s of the timed steps; the same
// rule as timed_steps in bench/torch_compare.py.
func timedSteps(step func() error, batch int, a workerArgs) (float64, error) {
	for i := 0; i < a.Warmup; i++ {
		if err := step(); err != nil {
			return 0, err
		}
	}
	n, start := 0, time.Now()
	for n < a.MinSteps || time.Since(start).Seconds() < a.Seconds {
		if err := step(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n*batch) / time.Since(start).Seconds(), nil
}

// randomBatch returns seeded uniform images of shape and one-hot targets.
func randomBatch(shape tensor.Shape, classes int) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float32, shape.TotalSize())
	for i := range xs {
		xs[i] = rng.Float32()
	}
	ys := make([]float32, shape[0]*classes)
	for i := 0; i < shape[0]; i++ {
		ys[i*classes+rng.IntN(classes)] = 1
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(shape[0], classes), tensor.WithBacking(ys))
}

// trainThroughput times training steps (forward, backward, Adam update) of
// the zoo model name on a random batch of shape.
func trainThroughput(name string, shape tensor.Shape, classes int, a workerArgs) (float64, error) {
	m, err := zoo.New(name, zoo.WithClasses(classes), zoo.WithSeed(1))
	if err != nil {
		return 0, err
	}
	p, err := graph.Compile(m.Store, m.Layer, graph.Spec{Mode: graph.Train, Input: shape, Loss: layers.CrossEntropy(0)})
	if err != nil {
		return 0, err
	}
	defer p.Close()
	s, err := solvers.New("adam")
	if err != nil {
		return 0, err
	}
	x, y := randomBatch(shape, classes)
	return timedSteps(func() error { _, err := p.Step(s, x, y); return err }, shape[0], a)
}

// inferThroughput times evaluation-mode forward passes of ResNet-18.
func inferThroughput(a workerArgs) (float64, error) {
	m, err := zoo.New("resnet18", zoo.WithSeed(1))
	if err != nil {
		return 0, err
	}
	shape := tensor.Shape{a.Batch, 3, a.Size, a.Size}
	p, err := graph.Compile(m.Store, m.Layer, graph.Spec{Mode: graph.Eval, Input: shape})
	if err != nil {
		return 0, err
	}
	defer p.Close()
	x, _ := randomBatch(shape, 1)
	return timedSteps(func() error { _, err := p.Forward(x); return err }, a.Batch, a)
}

// imageNetNorm is torchvision's ImageNet normalization, applied on both
// sides of the fine-tune.
var imageNetNorm = data.Normalize{Mean: []float32{0.485, 0.456, 0.406}, Std: []float32{0.229, 0.224, 0.225}}

// finetune trains a new head on a frozen ResNet-18 over the image folder
// a.Dir with frozen-feature caching, and returns the wall seconds of opening
// the folder and training (model construction excluded, as in Python).
func finetune(a workerArgs) (float64, error) {
	m, err := zoo.New("resnet18", zoo.WithClasses(a.Classes), zoo.WithSeed(1))
	if err != nil {
		return 0, err
	}
	if err := transfer.FreezeBody(m, transfer.Options{}); err != nil {
		return 0, err
	}
	s, err := solvers.New("adam")
	if err != nil {
		return 0, err
	}
	start := time.Now()
	folder, err := imagefolder.Open(a.Dir, imagefolder.Options{Strict: true})
	if err != nil {
		return 0, err
	}
	if n := folder.Len(); n == 0 {
		return 0, fmt.Errorf("image folder %s has no images", a.Dir)
	}
	l := &data.Loader{Dataset: folder, BatchSize: a.Batch, Shuffle: true, Seed: 1, Transform: imageNetNorm}
	tr := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: s, Epochs: a.Epochs, Seed: 1, Quiet: true}
	h, err := transfer.FitCached(context.Background(), tr, m, l, nil)
	if err != nil {
		return 0, err
	}
	if len(h.Epochs) != a.Epochs {
		return 0, fmt.Errorf("fine-tune ran %d epochs, want %d (%s)", len(h.Epochs), a.Epochs, h.Stopped)
	}
	return time.Since(start).Seconds(), nil
}

// maxRSSKB reads the peak resident set size of this process (VmHWM) from
// /proc/self/status, in KiB.
func maxRSSKB() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak memory needs Linux's /proc/self/status: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscan(rest, &kb); err != nil {
				return 0, fmt.Errorf("parsing VmHWM line %q: %w", sc.Text(), err)
			}
			return kb, nil
		}
	}
	return 0, errors.New("no VmHWM line in /proc/self/status")
}
