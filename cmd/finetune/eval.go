package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/imagefolder"
	"github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/train"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("finetune eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("model-dir", "", "folder written by a finetune run (required)")
	dataDir := fs.String("data", "", "labelled images: one subfolder per class, the model's classes (required)")
	batch := fs.Int("batch", 32, "batch size")
	strict := fs.Bool("strict", false, "stop at the first corrupt image instead of skipping it")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: finetune eval -model-dir DIR -data DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *dir == "" || *dataDir == "" || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	if *batch < 1 {
		return fmt.Errorf("-batch %d: need at least 1", *batch)
	}
	mf, m, pre, err := loadModel(*dir)
	if err != nil {
		return err
	}
	folder, err := imagefolder.OpenContext(ctx, *dataDir, imagefolder.Options{Channels: pre.channels, Classes: mf.Classes, Strict: *strict})
	if err != nil {
		return err
	}
	report(stdout, "data", *dataDir, folder)
	skipped := countSkipped(stderr, folder)
	t := &train.Trainer{Model: m.Layer, Store: m.Store, Loss: layers.CrossEntropy(0), Quiet: true}
	loader := &data.Loader{Dataset: folder, BatchSize: *batch, Workers: runtime.NumCPU(), Transform: pre.eval()}
	conf, err := t.ConfusionOf(ctx, loader, mf.Classes, 5)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %s\n\n%s", mf.Architecture, *dataDir, conf.Report())
	if skipped > 0 {
		fmt.Fprintf(stdout, "%d unreadable image(s) were skipped (listed above)\n", skipped)
	}
	return nil
}
