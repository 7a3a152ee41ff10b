package data

import (
	"context"
	"fmt"
	"io"
	"testing"

	"gorgonia.org/tensor"
)

// BenchmarkLoaderMNIST runs whole shuffled training epochs (60000 samples,
// batch 64) and reports samples per second.
func BenchmarkLoaderMNIST(b *testing.B) {
	train, _ := realMNIST(b)
	for _, bc := range []struct {
		workers   int
		dtype     tensor.Dtype
		normalize bool
	}{
		{1, tensor.Float32, false},
		{2, tensor.Float32, false},
		{2, tensor.Float32, true},
		{2, tensor.Float64, true},
	} {
		name := fmt.Sprintf("workers=%d/%v/normalize=%v", bc.workers, bc.dtype, bc.normalize)
		b.Run(name, func(b *testing.B) {
			l := &Loader{Dataset: train, Shuffle: true, Seed: 1, Workers: bc.workers, Dtype: bc.dtype, NumClasses: 10}
			if bc.normalize {
				l.Transform = MNISTNormalize()
			}
			b.ReportAllocs()
			for epoch := range b.N {
				it, err := l.Epoch(context.Background(), epoch)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if _, err := it.Next(); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				it.Close()
			}
			b.ReportMetric(float64(b.N*train.Len())/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkLoadMNIST decodes the gzip IDX files of the training split.
func BenchmarkLoadMNIST(b *testing.B) {
	dir, err := MNISTDir()
	if err != nil {
		b.Skip(err)
	}
	for range b.N {
		if _, err := LoadMNIST(dir, Train); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMNISTGet measures decoding one image to float32.
func BenchmarkMNISTGet(b *testing.B) {
	train, _ := realMNIST(b)
	b.ReportAllocs()
	for i := range b.N {
		if _, err := train.Get(i % train.Len()); err != nil {
			b.Fatal(err)
		}
	}
}
