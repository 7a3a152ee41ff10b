package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/zoo"
)

// options are the training flags; they are saved in model.json and in the
// run file, so a resumed run can check it continues the same job.
type options struct {
	Data           string  `json:"data"`
	Val            string  `json:"val,omitempty"`
	ValSplit       float64 `json:"val_split"`
	Model          string  `json:"model"`
	Weights        string  `json:"weights"`
	Epochs         int     `json:"epochs"`
	Batch          int     `json:"batch"`
	Size           int     `json:"size"`
	Solver         string  `json:"solver"`
	LR             float64 `json:"lr"`
	Schedule       string  `json:"schedule"`
	Freeze         string  `json:"freeze"`
	UnfreezeAfter  int     `json:"unfreeze_after"`
	Augment        string  `json:"augment"`
	EarlyStop      int     `json:"early_stop"`
	LabelSmoothing float64 `json:"label_smoothing"`
	Seed           uint64  `json:"seed"`
	Workers        int     `json:"-"`
	Out            string  `json:"-"`
	Resume         bool    `json:"-"`
	Force          bool    `json:"-"`
	Strict         bool    `json:"strict"`
	Quiet          bool    `json:"-"`
}

func parseTrainFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Data, "data", "", "training images: a folder with one subfolder per class (required)")
	fs.StringVar(&o.Val, "val", "", "validation images, same classes as -data (default: split -val-split off -data)")
	fs.Float64Var(&o.ValSplit, "val-split", 0.2, "fraction of -data held out for validation when -val is not given")
	fs.StringVar(&o.Model, "model", "resnet18", "architecture: "+strings.Join(zoo.Names(), ", "))
	fs.StringVar(&o.Weights, "weights", "", "initial weights: a .safetensors or .pth file, shipped weights ("+strings.Join(zoo.PretrainedNames(), ", ")+"), or none (default: the model's shipped weights if any, else none)")
	fs.IntVar(&o.Epochs, "epochs", 5, "number of epochs")
	fs.IntVar(&o.Batch, "batch", 32, "mini-batch size")
	fs.IntVar(&o.Size, "size", 0, "input size in pixels (default: the model's, 224 for ResNets, 28 for LeNet-5)")
	fs.StringVar(&o.Solver, "solver", "adam", "solver: "+strings.Join(solvers.Names(), ", "))
	fs.Float64Var(&o.LR, "lr", 2e-3, "learning rate (the peak of one-cycle; fastai's fine_tune default)")
	fs.StringVar(&o.Schedule, "schedule", "onecycle", "learning-rate schedule: onecycle, cosine, step, none")
	fs.StringVar(&o.Freeze, "freeze", "", "head: train only the new head; none: train everything; N: freeze the first N layer groups (default: with pretrained weights, the head alone first, then one more layer group every epoch; without, none)")
	fs.IntVar(&o.UnfreezeAfter, "unfreeze-after", -1, "unfreeze one more layer group every N epochs; 0: never (default: 1 when -freeze is left to its default with pretrained weights, else 0)")
	fs.StringVar(&o.Augment, "augment", "auto", "training augmentations, comma-separated: crop (random-resized crop), flip, vflip, rotate, jitter, erase; none; auto: crop,flip for RGB models, none for 28×28 digit models")
	fs.IntVar(&o.EarlyStop, "early-stop", 0, "stop after this many epochs without validation-loss improvement (0: off)")
	fs.Float64Var(&o.LabelSmoothing, "label-smoothing", 0, "label smoothing of the cross-entropy loss, in [0, 1)")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the split, initialization, shuffling, augmentation and dropout")
	fs.IntVar(&o.Workers, "workers", runtime.NumCPU(), "image decoding workers")
	fs.StringVar(&o.Out, "out", "finetune-out", "output folder")
	fs.BoolVar(&o.Resume, "resume", false, "continue the interrupted run in -out")
	fs.BoolVar(&o.Force, "force", false, "overwrite an -out folder that holds another run")
	fs.BoolVar(&o.Strict, "strict", false, "stop at the first corrupt image instead of skipping it")
	fs.BoolVar(&o.Quiet, "quiet", false, "print only the summary")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: finetune -data DIR [flags]\n       finetune predict -model-dir DIR [-top 5] [-json] IMAGE|FOLDER...\n       finetune eval -model-dir DIR -data DIR\n       finetune            (a built-in demo)\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, errUsage
		}
		return o, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "finetune: unexpected argument %q (flags go before it; did you mean -data %s?)\n", fs.Arg(0), fs.Arg(0))
		return o, errUsage
	}
	if err := o.validate(); err != nil {
		return o, err
	}
	return o, o.absolutePaths()
}

func (o *options) validate() error {
	switch {
	case o.Data == "":
		return errors.New("-data is required: a folder with one subfolder of images per class (run finetune with no arguments for a demo)")
	case o.Epochs < 1:
		return fmt.Errorf("-epochs %d: need at least 1", o.Epochs)
	case o.Batch < 1:
		return fmt.Errorf("-batch %d: need at least 1", o.Batch)
	case o.Val == "" && (o.ValSplit <= 0 || o.ValSplit >= 1):
		return fmt.Errorf("-val-split %v: give a fraction in (0, 1), or a -val folder", o.ValSplit)
	case o.LR <= 0:
		return fmt.Errorf("-lr %v: must be positive", o.LR)
	case o.LabelSmoothing < 0 || o.LabelSmoothing >= 1:
		return fmt.Errorf("-label-smoothing %v: must be in [0, 1)", o.LabelSmoothing)
	case o.EarlyStop < 0 || o.UnfreezeAfter < -1 || o.Size < 0:
		return errors.New("-early-stop, -unfreeze-after and -size must not be negative")
	case o.Resume && o.Force:
		return errors.New("-resume and -force: choose one (resume continues the run in -out, force replaces it)")
	case o.Workers < 1:
		return fmt.Errorf("-workers %d: need at least 1", o.Workers)
	}
	switch o.Schedule {
	case "onecycle", "cosine", "step", "none":
	default:
		return fmt.Errorf("-schedule %q: use onecycle, cosine, step or none", o.Schedule)
	}
	if _, err := parseFreeze(o.Freeze); err != nil {
		return err
	}
	if _, err := parseAugment(o.Augment); err != nil {
		return err
	}
	return nil
}

// freezeSpec is -freeze parsed: -1 for "head", 0 for "none", or a number of
// groups.
func parseFreeze(s string) (int, error) {
	switch s {
	case "", "head":
		return -1, nil
	case "none":
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("-freeze %q: use head, none or a number of layer groups", s)
	}
	return n, nil
}

var augmentNames = []string{"crop", "flip", "vflip", "rotate", "jitter", "erase"}

func parseAugment(s string) ([]string, error) {
	switch s {
	case "auto", "":
		return nil, nil
	case "none":
		return []string{}, nil
	}
	var out []string
	for _, a := range strings.Split(s, ",") {
		a = strings.TrimSpace(a)
		ok := false
		for _, n := range augmentNames {
			ok = ok || a == n
		}
		if !ok {
			return nil, fmt.Errorf("-augment: unknown %q (use %s, or none)", a, strings.Join(augmentNames, ", "))
		}
		out = append(out, a)
	}
	return out, nil
}

// absolutePaths records the folders absolutely, so a resumed run started
// from another working folder is recognised as the same run.
func (o *options) absolutePaths() error {
	for _, p := range []*string{&o.Data, &o.Val} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return fmt.Errorf("folder %s: %w", *p, err)
		}
		*p = abs
	}
	return nil
}
