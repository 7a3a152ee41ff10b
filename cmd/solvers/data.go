package main

import (
	"fmt"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
	"github.com/tanren-ml/tanren/data"
)

// datasets are the sets of the experiment.
type datasets struct {
	// train is perClass images of each digit from the MNIST training set;
	// probe is a fixed part of it on which the loss curves are measured;
	// test is the whole test set.
	train, probe, test data.Dataset
}

func loadData(dir string, perClass, probe int, seed uint64) (datasets, error) {
	var d datasets
	full, test, err := cli.LoadMNIST(dir)
	if err != nil {
		return d, err
	}
	d.test = test
	train, err := data.PerClass(full, perClass, int64(seed))
	if err != nil {
		return d, fmt.Errorf("training subset: %w", err)
	}
	if probe > perClass {
		return d, fmt.Errorf("-probe %d is more than -per-class %d: the probe set is part of the training subset", probe, perClass)
	}
	if d.probe, err = data.PerClass(train, probe, int64(seed)+1); err != nil {
		return d, fmt.Errorf("probe subset: %w", err)
	}
	d.train = train
	return d, nil
}
