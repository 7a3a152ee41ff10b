// Package cli holds what tanren's commands share: running a command body
// under Ctrl-C with fastblas installed, and finding MNIST.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
)

// BLASEnv names the environment variable that selects Gorgonia's matrix
// multiplication in tanren's commands: unset (or "fastblas") means tanren's
// fastblas (graph.UseFastBLAS), "gonum" keeps Gorgonia's default, gonum's
// pure-Go BLAS.
const BLASEnv = "TANREN_BLAS"

// UseBLAS installs the BLAS that BLASEnv selects.
func UseBLAS() {
	if os.Getenv(BLASEnv) != "gonum" {
		graph.UseFastBLAS()
	}
}

// Run installs the BLAS (UseBLAS) and calls body with a context that
// Ctrl-C or SIGTERM cancels (the Trainer then stops after the current step
// and checkpoints), and exits:
// 0 on success, 130 when interrupted, 1 on any other error, which is
// printed as "name: error".
func Run(name string, body func(ctx context.Context) error) {
	UseBLAS()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := body(ctx)
	stop()
	if err == nil {
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	if errors.Is(err, context.Canceled) {
		os.Exit(130)
	}
	os.Exit(1)
}

// LoadMNIST reads MNIST's training and test sets from dir, or from the
// GoMNIST module's data folder when dir is "".
func LoadMNIST(dir string) (trainSet, testSet *data.MNIST, err error) {
	if dir == "" {
		if dir, err = data.MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	if trainSet, err = data.LoadMNIST(dir, data.Train); err != nil {
		return nil, nil, err
	}
	if testSet, err = data.LoadMNIST(dir, data.Test); err != nil {
		return nil, nil, err
	}
	return trainSet, testSet, nil
}
