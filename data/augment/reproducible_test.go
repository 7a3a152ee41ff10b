package augment

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
)

var allTransforms = []struct {
	name string
	tf   data.Transform
}{
	{"HorizontalFlip", HorizontalFlip{}},
	{"VerticalFlip", VerticalFlip{}},
	{"RandomCrop", RandomCrop{Padding: 3}},
	{"RandomResizedCrop", RandomResizedCrop{Height: 10, Width: 10}},
	{"RandomAffine", RandomAffine{Degrees: [2]float64{-20, 20}, Translate: [2]float64{0.1, 0.1}, Scale: [2]float64{0.9, 1.1}}},
	{"RandomRotation", RandomRotation{Degrees: [2]float64{-30, 30}}},
	{"RandomTranslation", RandomTranslation{Translate: [2]float64{0.2, 0.2}}},
	{"RandomZoom", RandomZoom{Scale: [2]float64{0.8, 1.2}}},
	{"ColorJitter", ColorJitter{Brightness: 0.3, Contrast: 0.3, Saturation: 0.3, Hue: 0.1}},
	{"RandomErasing", RandomErasing{}},
}

// TestTransformsReproducible: the same generator state gives the same
// output; different generators give different draws.
func TestTransformsReproducible(t *testing.T) {
	for _, c := range allTransforms {
		t.Run(c.name, func(t *testing.T) {
			a, err := c.tf.Apply(rngOf(11), ramp(3, 12, 12))
			require.NoError(t, err)
			b, err := c.tf.Apply(rngOf(11), ramp(3, 12, 12))
			require.NoError(t, err)
			assert.Equal(t, a, b)
			distinct := map[string]bool{}
			for seed := range uint64(20) {
				s, err := c.tf.Apply(rngOf(seed), ramp(3, 12, 12))
				require.NoError(t, err)
				distinct[fmt.Sprint(s.Image)] = true
			}
			assert.GreaterOrEqual(t, len(distinct), 2, "different generators must give different outputs")
		})
	}
}

// TestPipelineInLoader: a composed pipeline in a Loader gives the same
// batches for the same seed and epoch, whatever the number of workers,
// and different ones in another epoch.
func TestPipelineInLoader(t *testing.T) {
	ds := &data.InMemory{}
	for i := range 12 {
		s := ramp(3, 8, 8)
		s.Image[0] = float32(i) / 12
		s.Label = i % 3
		ds.Samples = append(ds.Samples, s)
	}
	pipeline := data.Compose(
		RandomResizedCrop{Scale: [2]float64{0.5, 1}},
		HorizontalFlip{},
		RandomAffine{Degrees: [2]float64{-10, 10}},
		ColorJitter{Brightness: 0.2, Hue: 0.05},
		RandomErasing{},
	)
	batches := func(workers, epoch int) []float64 {
		l := &data.Loader{Dataset: ds, BatchSize: 5, Seed: 9, Workers: workers, Transform: pipeline, BatchTransform: CutMix{}, NumClasses: 3}
		it, err := l.Epoch(context.Background(), epoch)
		require.NoError(t, err)
		defer it.Close()
		var out []float64
		for {
			b, err := it.Next()
			if err == io.EOF {
				return out
			}
			require.NoError(t, err)
			out = append(out, graph.Float64s(b.X)...)
			out = append(out, graph.Float64s(b.Targets)...)
		}
	}
	one := batches(1, 1)
	assert.Equal(t, one, batches(2, 1))
	assert.NotEqual(t, one, batches(1, 2))
}
