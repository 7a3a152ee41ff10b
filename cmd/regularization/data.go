package main

import (
	"fmt"
	"slices"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
	"github.com/tanren-ml/tanren/data"
)

// datasets are the three disjoint sets of the experiment.
type datasets struct {
	train, val, test data.Dataset
}

// loadData picks 100 training images per class, 100 other training images
// per class for validation, and the whole test set.
func loadData(dir string, seed uint64) (datasets, error) {
	var d datasets
	full, test, err := cli.LoadMNIST(dir)
	if err != nil {
		return d, err
	}
	d.test = test
	train, err := data.PerClass(full, 100, int64(seed))
	if err != nil {
		return d, fmt.Errorf("training subset: %w", err)
	}
	picked := train.Indices()
	var rest []int
	for i := range full.Len() {
		if _, found := slices.BinarySearch(picked, i); !found {
			rest = append(rest, i)
		}
	}
	others, err := data.Subset(full, rest)
	if err != nil {
		return d, err
	}
	val, err := data.PerClass(others, 100, int64(seed)+1)
	if err != nil {
		return d, fmt.Errorf("validation subset: %w", err)
	}
	d.train, d.val = train, val
	return d, nil
}
