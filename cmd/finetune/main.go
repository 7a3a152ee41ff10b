// Command finetune fine-tunes a zoo model on a folder of images (one
// subfolder per class, as torchvision's ImageFolder), saves the model with
// its metrics and plots, and classifies new images with it.
//
//	finetune -data DIR [flags]                         train (see -h)
//	finetune predict -model-dir DIR [-top 5] [-json] IMAGE|FOLDER...
//	finetune eval -model-dir DIR -data DIR
//	finetune                                           the built-in demo
//
// With no arguments it runs a demo: the shipped LeNet-5 pretrained on MNIST
// digits 0–4 is fine-tuned on 100 images per class of digits 5–9, written
// as a real image folder to a temporary directory.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
)

// exit codes
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	cli.UseBLAS()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command, testable: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0:
		err = runDemo(ctx, stdout, stderr)
	case args[0] == "predict":
		err = runPredict(ctx, args[1:], stdout, stderr)
	case args[0] == "eval":
		err = runEval(ctx, args[1:], stdout, stderr)
	case args[0] == "demo":
		err = runDemo(ctx, stdout, stderr)
	default:
		err = runTrain(ctx, args, stdout, stderr)
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "finetune: interrupted:", err)
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "finetune:", err)
	return exitError
}

// errUsage marks errors whose message flag.FlagSet already printed.
var errUsage = errors.New("usage")
