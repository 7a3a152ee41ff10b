package main

import (
	"path/filepath"

	"github.com/tanren-ml/tanren/zoo"
)

// loadModel builds the model a finetune run saved in dir, with its best
// weights, and its preprocessing.
func loadModel(dir string) (*modelFile, *zoo.Model, preprocess, error) {
	mf, err := readModel(dir)
	if err != nil {
		return nil, nil, preprocess{}, err
	}
	m, err := zoo.New(mf.Architecture, zoo.WithClasses(len(mf.Classes)), zoo.WithWeights(filepath.Join(dir, mf.Weights)))
	if err != nil {
		return nil, nil, preprocess{}, err
	}
	m.Info.ClassNames = mf.Classes
	p := preprocess{channels: mf.Channels, size: mf.Size, resize: mf.Preprocess.Resize}
	for i := range mf.Preprocess.Mean {
		p.mean = append(p.mean, float32(mf.Preprocess.Mean[i]))
		p.std = append(p.std, float32(mf.Preprocess.Std[i]))
	}
	if p.resize == 0 {
		p.resize = p.size
	}
	return mf, m, p, nil
}
