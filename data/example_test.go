package data_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// digits returns a tiny in-memory dataset: n 1×2×2 images, labels i mod 10.
func digits(n int) *data.InMemory {
	ds := &data.InMemory{ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	for i := range n {
		v := float32(i) / float32(n)
		ds.Samples = append(ds.Samples, data.Sample{Image: []float32{v, v, v, v}, C: 1, H: 2, W: 2, Label: i % 10})
	}
	return ds
}

func ExampleLoader() {
	loader := &data.Loader{
		Dataset:    digits(10),
		BatchSize:  4,
		Shuffle:    true,
		Seed:       1,
		Workers:    2,
		NumClasses: 10,
		Transform:  data.Normalize{Mean: []float32{0.5}, Std: []float32{0.25}},
	}
	fmt.Println("batches per epoch:", loader.NumBatches())
	it, err := loader.Epoch(context.Background(), 0)
	if err != nil {
		log.Fatal(err)
	}
	defer it.Close()
	for {
		b, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.X.Shape(), b.Targets.Shape(), len(b.Labels))
	}
	// Output:
	// batches per epoch: 3
	// (4, 1, 2, 2) (4, 10) 4
	// (4, 1, 2, 2) (4, 10) 4
	// (2, 1, 2, 2) (2, 10) 2
}

func ExampleIter_All() {
	loader := &data.Loader{Dataset: digits(5), BatchSize: 2, DropLast: true}
	it, err := loader.Epoch(context.Background(), 0)
	if err != nil {
		log.Fatal(err)
	}
	for b, err := range it.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.Indices, b.Labels)
	}
	// Output:
	// [0 1] [0 1]
	// [2 3] [2 3]
}

func ExampleFilterClasses() {
	// Keep digits 5–9 and call them 0–4, e.g. for a transfer-learning task.
	high, err := data.FilterClasses(digits(20), []int{5, 6, 7, 8, 9}, true)
	if err != nil {
		log.Fatal(err)
	}
	s, _ := high.Get(0)
	fmt.Println(high.Len(), high.Classes(), s.Label)
	// Output: 10 [5 6 7 8 9] 0
}

func ExamplePerClass() {
	few, err := data.PerClass(digits(50), 2, 42) // two random samples of each digit
	if err != nil {
		log.Fatal(err)
	}
	labels, _ := data.Labels(few)
	perDigit := make([]int, 10)
	for _, l := range labels {
		perDigit[l]++
	}
	fmt.Println(few.Len(), perDigit)
	fmt.Println(few.Indices()) // in dataset order
	// Output:
	// 20 [2 2 2 2 2 2 2 2 2 2]
	// [6 16 17 19 22 23 28 30 31 32 33 34 35 37 38 40 41 44 45 49]
}

func ExampleRandomSplit() {
	train, val, err := data.RandomSplit(digits(100), 0.1, 7)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), val.Len())
	// Output: 90 10
}

func ExampleReadIDXLabels() {
	raw := []byte{0x00, 0x00, 0x08, 0x01, 0, 0, 0, 3, 5, 0, 4} // magic, count 3, labels
	labels, err := data.ReadIDXLabels(bytes.NewReader(raw))
	fmt.Println(labels, err)

	_, err = data.ReadIDXLabels(bytes.NewReader(raw[:9]))
	fmt.Println(err)
	// Output:
	// [5 0 4] <nil>
	// data: IDX stream: truncated: the header declares 3 label bytes but the file holds only 1
}

func ExampleTransformFunc() {
	// A random horizontal flip. Its randomness comes only from rng, which the
	// Loader derives from (seed, epoch, sample index).
	flip := data.TransformFunc(func(rng *rand.Rand, s data.Sample) (data.Sample, error) {
		if rng.IntN(2) == 0 {
			return s, nil
		}
		for c := range s.C {
			for y := range s.H {
				row := s.Image[(c*s.H+y)*s.W : (c*s.H+y+1)*s.W]
				for i, j := 0, len(row)-1; i < j; i, j = i+1, j-1 {
					row[i], row[j] = row[j], row[i]
				}
			}
		}
		return s, nil
	})
	s := data.Sample{Image: []float32{1, 2, 3}, C: 1, H: 1, W: 3}
	for i := range 6 {
		out, _ := flip.Apply(data.SampleRand(1, 0, i), s.Clone())
		fmt.Println(out.Image)
	}
	// Output:
	// [3 2 1]
	// [3 2 1]
	// [3 2 1]
	// [3 2 1]
	// [1 2 3]
	// [1 2 3]

}

// Loading real MNIST (not run: it needs the GoMNIST module on disk).
func ExampleLoadMNIST() {
	dir, err := data.MNISTDir()
	if err != nil {
		log.Fatal(err)
	}
	train, err := data.LoadMNIST(dir, data.Train)
	if err != nil {
		log.Fatal(err)
	}
	loader := &data.Loader{
		Dataset:    train,
		BatchSize:  64,
		Shuffle:    true,
		Seed:       1,
		NumClasses: 10,
		Transform:  data.MNISTNormalize(),
	}
	fmt.Println(train.Len(), loader.NumBatches())
}
