package augment

import (
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// RandomRotation rotates an image about its center by an angle drawn
// uniformly from Degrees (counter-clockwise for positive angles), like
// torchvision's RandomRotation with bilinear interpolation; see
// RandomAffine.
type RandomRotation struct {
	// Degrees is the range of the angle, e.g. {-15, 15}.
	Degrees [2]float64
	// Fill is the value of the corners that come from outside the image.
	Fill float32
}

// RandomTranslation shifts an image by whole pixels, up to Translate[0]
// of its width horizontally and Translate[1] of its height vertically;
// see RandomAffine.
type RandomTranslation struct {
	// Translate holds the largest shifts as fractions, e.g. {0.1, 0.1}.
	Translate [2]float64
	// Fill is the value of the pixels shifted in.
	Fill float32
}

// RandomZoom scales an image about its center by a factor drawn uniformly
// from Scale (> 1 zooms in); see RandomAffine.
type RandomZoom struct {
	// Scale is the range of the factor, e.g. {0.9, 1.1}.
	Scale [2]float64
	// Fill is the value of the border that zooming out reveals.
	Fill float32
}

var (
	_ data.Transform = RandomRotation{}
	_ data.Transform = RandomTranslation{}
	_ data.Transform = RandomZoom{}
)

// Apply returns the rotated sample.
func (r RandomRotation) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	return RandomAffine{Degrees: r.Degrees, Fill: r.Fill}.Apply(rng, s)
}

// Apply returns the shifted sample.
func (t RandomTranslation) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	return RandomAffine{Translate: t.Translate, Fill: t.Fill}.Apply(rng, s)
}

// Apply returns the zoomed sample.
func (z RandomZoom) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	return RandomAffine{Scale: z.Scale, Fill: z.Fill}.Apply(rng, s)
}
