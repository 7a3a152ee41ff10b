package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/imagefolder"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/regularize"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/train/plot"
	"github.com/tanren-ml/tanren/transfer"
	"github.com/tanren-ml/tanren/zoo"
)

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseTrainFlags(args, stderr)
	if err != nil {
		return err
	}
	_, err = fineTune(ctx, o, stdout, stderr)
	return err
}

// job is a prepared run: everything is checked before the output folder is
// touched, so bad input leaves nothing behind.
type job struct {
	o            options
	model        *zoo.Model
	pre          preprocess
	classes      []string
	trainSet     data.Dataset
	valSet       data.Dataset
	trainL, valL *data.Loader
	augment      []string
	pretrained   bool
	skipped      int
}

// fineTune runs a whole training job and returns model.json's content.
func fineTune(ctx context.Context, o options, stdout, stderr io.Writer) (*modelFile, error) {
	j, err := prepare(ctx, o, stdout, stderr)
	if err != nil {
		return nil, err
	}
	if err := prepareOut(o, j.classes, true); err != nil {
		return nil, err
	}
	return j.run(ctx, stdout, stderr)
}

func prepare(ctx context.Context, o options, stdout, stderr io.Writer) (*job, error) {
	j := &job{o: o}
	arch, err := zoo.New(o.Model) // for the input channels; cheap
	if err != nil {
		return nil, err
	}
	j.pre = preprocessFor(arch.Info, o.Size)
	open := func(dir string, classes []string) (*imagefolder.Folder, error) {
		return imagefolder.OpenContext(ctx, dir, imagefolder.Options{Channels: j.pre.channels, Strict: o.Strict, Workers: o.Workers, Classes: classes})
	}
	trainFolder, err := open(o.Data, nil)
	if err != nil {
		return nil, err
	}
	j.classes = trainFolder.Classes()
	report(stdout, "data", o.Data, trainFolder)
	j.skipped = countSkipped(stderr, trainFolder)
	if o.Val != "" {
		valFolder, err := open(o.Val, j.classes)
		if err != nil {
			return nil, err
		}
		report(stdout, "val", o.Val, valFolder)
		j.skipped += countSkipped(stderr, valFolder)
		j.trainSet, j.valSet = trainFolder, valFolder
	} else {
		tr, val, err := data.RandomSplit(trainFolder, o.ValSplit, int64(o.Seed))
		if err != nil {
			return nil, fmt.Errorf("-val-split %v of %s: %w", o.ValSplit, o.Data, err)
		}
		if val.Len() == 0 || tr.Len() == 0 {
			return nil, fmt.Errorf("%s: %d images are too few to hold out %v for validation; add images or give -val", o.Data, trainFolder.Len(), o.ValSplit)
		}
		j.trainSet, j.valSet = tr, val
	}
	if err := prepareOut(o, j.classes, false); err != nil {
		return nil, err
	}
	if j.model, j.pretrained, err = buildModel(o, j.classes, stdout); err != nil {
		return nil, err
	}
	j.model.Info.ClassNames = j.classes
	j.augment = augmentations(o, j.pre)
	trainT, err := j.pre.train(j.augment)
	if err != nil {
		return nil, err
	}
	// A last training batch of one image is dropped: batch norm cannot
	// normalize a single value per channel (PyTorch fails there too).
	dropLast := j.trainSet.Len()%o.Batch == 1 && j.trainSet.Len() > 1
	j.trainL = &data.Loader{Dataset: j.trainSet, BatchSize: o.Batch, Shuffle: true, DropLast: dropLast, Seed: int64(o.Seed), Workers: o.Workers, Transform: trainT}
	j.valL = &data.Loader{Dataset: j.valSet, BatchSize: o.Batch, Workers: o.Workers, Transform: j.pre.eval()}
	return j, nil
}

func report(w io.Writer, what, dir string, f *imagefolder.Folder) {
	fmt.Fprintf(w, "%s %s: %s\n", what, dir, f.Summary())
}

func countSkipped(w io.Writer, f *imagefolder.Folder) int {
	n := 0
	for _, s := range f.Skipped() {
		if s.Reason.Warning() {
			fmt.Fprintf(w, "warning: skipped %s\n", s)
			n++
		}
	}
	return n
}

func (j *job) run(ctx context.Context, stdout, stderr io.Writer) (*modelFile, error) {
	o, m := j.o, j.model
	if err := writeJSON(filepath.Join(o.Out, runJSON), runFile{Settings: o, Classes: j.classes}); err != nil {
		return nil, err
	}
	if err := j.freeze(); err != nil {
		return nil, err
	}
	solver, err := solvers.New(o.Solver, solvers.WithLearnRate(o.LR))
	if err != nil {
		return nil, err
	}
	t := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Epochs: o.Epochs, Seed: o.Seed,
		Loss: layers.CrossEntropy(o.LabelSmoothing), Out: stderr, Quiet: o.Quiet,
		Checkpoint: filepath.Join(o.Out, checkpointFile), CheckpointEvery: max(1, j.trainL.NumBatches()/4)}
	if t.Schedule, err = schedule(o, j.trainL.NumBatches()); err != nil {
		return nil, err
	}
	if t.Schedule == nil && o.Schedule != "none" {
		fmt.Fprintf(stderr, "warning: %d training steps are too few for a %s schedule; training at a constant lr %g\n", o.Epochs*j.trainL.NumBatches(), o.Schedule, o.LR)
	}
	var early *regularize.EarlyStopping
	if o.EarlyStop > 0 {
		early = &regularize.EarlyStopping{Monitor: "val_loss", Patience: o.EarlyStop, RestoreBest: true}
		t.Callbacks = append(t.Callbacks, early)
	}
	if every := j.unfreezeEvery(); every > 0 {
		t.Callbacks = append(t.Callbacks, &transfer.GradualUnfreeze{Groups: m.Info.Groups, Every: every})
	}
	t.Callbacks = append(t.Callbacks, keeper{dir: o.Out, model: m})

	before := -1.0
	if o.Resume {
		found, err := t.Resume()
		if err != nil {
			return nil, err
		}
		if found {
			fmt.Fprintf(stdout, "resuming %s at epoch %d, step %d\n", o.Out, t.Epoch(), t.Step())
		}
	}
	if t.Step() == 0 {
		mt, err := t.Evaluate(ctx, j.valL)
		if err != nil {
			return nil, fmt.Errorf("evaluating before training: %w", err)
		}
		before = mt.Accuracy
		fmt.Fprintf(stdout, "before fine-tuning: validation accuracy %.2f%% (%d images)\n", 100*mt.Accuracy, mt.N)
	}
	total, trainable := m.Store.NumParams()
	fmt.Fprintf(stdout, "fine-tuning %s (%d of %d parameters trainable) on %d images, validating on %d: %d epochs, %s lr %g, %s schedule, batch %d\n",
		o.Model, trainable, total, j.trainSet.Len(), j.valSet.Len(), o.Epochs, o.Solver, o.LR, o.Schedule, o.Batch)
	start := time.Now()
	var h *train.History
	if j.canCache() {
		fmt.Fprintln(stdout, "backbone frozen and no augmentation: training the head on cached features")
		h, err = transfer.FitCached(ctx, t, m, j.trainL, j.valL)
	} else {
		h, err = t.Fit(ctx, j.trainL, j.valL)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, fmt.Errorf("checkpoint saved in %s; continue with the same flags and -resume: %w", o.Out, err)
		}
		return nil, err
	}
	return j.finish(ctx, t, h, before, time.Since(start), stdout)
}

// freeze applies -freeze: by default the body is frozen when the weights
// are pretrained (only the new head trains) and nothing otherwise.
func (j *job) freeze() error {
	n, _ := parseFreeze(j.o.Freeze)
	if j.o.Freeze == "" && !j.pretrained {
		n = 0
	}
	switch {
	case n < 0:
		return transfer.FreezeBody(j.model, transfer.Options{})
	case n > 0:
		return transfer.FreezeTo(j.model.Store, j.model.Info.Groups, n, transfer.Options{})
	}
	return transfer.UnfreezeAll(j.model.Store)
}

func (j *job) canCache() bool {
	return j.unfreezeEvery() == 0 && len(j.augment) == 0 && transfer.CanCache(j.model, j.trainL, j.valL) == nil
}

// unfreezeEvery resolves -unfreeze-after: by default a pretrained model
// trains its new head alone for an epoch and then unfreezes one more layer
// group every epoch (gradual unfreezing, as ULMFiT and fastai do), because
// features learnt on other data rarely fit new data without adapting; with
// an explicit -freeze, nothing is unfrozen unless asked.
func (j *job) unfreezeEvery() int {
	if j.o.UnfreezeAfter >= 0 {
		return j.o.UnfreezeAfter
	}
	if j.o.Freeze == "" && j.pretrained {
		return 1
	}
	return 0
}

// minScheduleSteps is the fewest steps a schedule is used for: one-cycle
// needs a few steps in each of its phases.
const minScheduleSteps = 10

func schedule(o options, batches int) (solvers.Schedule, error) {
	steps := o.Epochs * batches
	if steps < minScheduleSteps {
		return nil, nil
	}
	switch o.Schedule {
	case "onecycle":
		return solvers.OneCycle{MaxLR: o.LR, TotalSteps: steps}, nil
	case "cosine":
		return solvers.Cosine{Base: o.LR, Period: steps}, nil
	case "step":
		return solvers.StepDecay{Base: o.LR, StepSize: max(1, steps/3), Gamma: 0.1}, nil
	case "none":
		return nil, nil
	}
	return nil, fmt.Errorf("-schedule %q", o.Schedule)
}

// finish writes the results: best weights are reloaded and evaluated for
// the report, the confusion matrix and model.json.
func (j *job) finish(ctx context.Context, t *train.Trainer, h *train.History, before float64, took time.Duration, stdout io.Writer) (*modelFile, error) {
	o, m := j.o, j.model
	best := bestEpoch(h)
	if err := m.Store.Load(filepath.Join(o.Out, bestWeights), graph.LoadOptions{}); err != nil {
		return nil, err
	}
	t.Invalidate()
	conf, err := t.ConfusionOf(ctx, j.valL, j.classes, 5)
	if err != nil {
		return nil, err
	}
	valM, err := t.Evaluate(ctx, j.valL)
	if err != nil {
		return nil, err
	}
	if err := writeHistory(filepath.Join(o.Out, historyCSV), h); err != nil {
		return nil, err
	}
	if err := plot.History(filepath.Join(o.Out, curvesPNG), o.Model, h); err != nil {
		return nil, err
	}
	if err := plot.Confusion(filepath.Join(o.Out, confusionPNG), conf); err != nil {
		return nil, err
	}
	rep := fmt.Sprintf("finetune %s on %s, best epoch %d of %d (validation)\n\n%s", o.Model, o.Data, best, len(h.Epochs), conf.Report())
	if err := writeText(filepath.Join(o.Out, reportTXT), rep); err != nil {
		return nil, err
	}
	mf := &modelFile{Version: 1, Architecture: o.Model, Classes: j.classes, Channels: j.pre.channels, Size: j.pre.size,
		Preprocess: m.Info.Preprocess, Weights: bestWeights, Settings: o,
		Metrics: finalMetrics{ValAccuracy: valM.Accuracy, ValLoss: valM.Loss, BeforeAccuracy: before, Epochs: len(h.Epochs), BestEpoch: best,
			Stopped: h.Stopped, TrainImages: j.trainSet.Len(), ValImages: j.valSet.Len(), Skipped: j.skipped}}
	mf.Preprocess.Resize, mf.Preprocess.CenterCrop = j.pre.resize, j.pre.size
	if len(j.classes) >= 5 {
		mf.Metrics.ValTop5 = conf.TopKAccuracy(5)
	}
	if err := writeJSON(filepath.Join(o.Out, modelJSON), mf); err != nil {
		return nil, err
	}
	os.Remove(filepath.Join(o.Out, checkpointFile)) // finished: model.json and the weights are the result
	if before >= 0 {
		fmt.Fprintf(stdout, "validation accuracy: %.2f%% before, %.2f%% after (best epoch %d of %d, %s)\n", 100*before, 100*valM.Accuracy, best, len(h.Epochs), took.Round(time.Second))
	} else {
		fmt.Fprintf(stdout, "validation accuracy: %.2f%% (best epoch %d of %d)\n", 100*valM.Accuracy, best, len(h.Epochs))
	}
	if h.Stopped != "" {
		fmt.Fprintf(stdout, "stopped early: %s\n", h.Stopped)
	}
	if j.skipped > 0 {
		fmt.Fprintf(stdout, "%d unreadable image(s) were skipped (listed above)\n", j.skipped)
	}
	fmt.Fprintf(stdout, "results in %s: %s, %s, %s, %s, %s, %s\n", o.Out, modelJSON, bestWeights, lastWeights, historyCSV, curvesPNG+", "+confusionPNG, reportTXT)
	return mf, nil
}

func writeText(path, s string) error {
	return writeFileAtomic(path, []byte(s))
}
