package main

import (
	"fmt"

	"github.com/tanren-ml/tanren/cmd/internal/cli"
	"github.com/tanren-ml/tanren/data"
)

// subset is a training set of digits 5–9, labelled 0–4.
type subset = data.Dataset

type datasets struct {
	// all, small and test are digits 5–9; pretrain and pretest 0–4.
	all, small, test  data.Dataset
	pretrain, pretest data.Dataset
}

// baseDigits are the digits of pretraining, fineDigits those of the new
// task.
var (
	baseDigits = []int{0, 1, 2, 3, 4}
	fineDigits = []int{5, 6, 7, 8, 9}
)

// loadData returns the 5–9 training images, the first perClass of each
// digit among them (in the MNIST file's order, so that the PyTorch script
// picks the same images), and the 5–9 test images, labelled 0–4.
func loadData(dir string, perClass int) (datasets, error) {
	var d datasets
	trainSet, testSet, err := cli.LoadMNIST(dir)
	if err != nil {
		return d, err
	}
	if d.all, err = data.FilterClasses(trainSet, fineDigits, true); err != nil {
		return d, err
	}
	if d.test, err = data.FilterClasses(testSet, fineDigits, true); err != nil {
		return d, err
	}
	if d.small, err = firstPerClass(d.all, perClass); err != nil {
		return d, err
	}
	if d.pretrain, err = data.FilterClasses(trainSet, baseDigits, true); err != nil {
		return d, err
	}
	if d.pretest, err = data.FilterClasses(testSet, baseDigits, true); err != nil {
		return d, err
	}
	return d, nil
}

// firstPerClass returns the first n samples of every class of ds.
func firstPerClass(ds data.Dataset, n int) (data.Dataset, error) {
	labels, err := data.Labels(ds)
	if err != nil {
		return nil, err
	}
	count := map[int]int{}
	var idx []int
	for i, l := range labels {
		if count[l] < n {
			count[l]++
			idx = append(idx, i)
		}
	}
	for c, k := range count {
		if k < n {
			return nil, fmt.Errorf("digit %d has only %d training images, fewer than -per-class %d", fineDigits[c], k, n)
		}
	}
	return data.Subset(ds, idx)
}
