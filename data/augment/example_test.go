package augment_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/augment"
)

// A rotation by 90° moves the pixel right of the center to above it.
func ExampleRandomRotation() {
	img := make([]float32, 25)
	img[2*5+4] = 1 // row 2, column 4 of a 5×5 image
	s := data.Sample{Image: img, C: 1, H: 5, W: 5}
	out, _ := augment.RandomRotation{Degrees: [2]float64{90, 90}}.Apply(rand.New(rand.NewPCG(1, 2)), s)
	for y := range 5 {
		fmt.Println(out.Image[y*5 : (y+1)*5])
	}
	// Output:
	// [0 0 1 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
	// [0 0 0 0 0]
}

// An augmentation pipeline for MNIST-sized digits, as the Loader's
// per-sample transform, and CutMix on whole batches. The Loader seeds
// every draw from (Seed, epoch, index).
func ExampleRandomAffine() {
	var train data.Dataset = &data.InMemory{Samples: []data.Sample{{Image: make([]float32, 28*28), C: 1, H: 28, W: 28, Label: 3}}}
	loader := &data.Loader{
		Dataset: train,
		Shuffle: true,
		Seed:    1,
		Transform: data.Compose(
			augment.RandomAffine{Degrees: [2]float64{-10, 10}, Translate: [2]float64{0.1, 0.1}, Scale: [2]float64{0.9, 1.1}},
			augment.RandomErasing{P: 0.25},
		),
		BatchTransform: augment.CutMix{},
		NumClasses:     10, // CutMix mixes Batch.Targets
	}
	fmt.Println(loader.NumBatches())
	// Output: 1
}
