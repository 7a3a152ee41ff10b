package augment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// ColorJitter randomly changes brightness, contrast, saturation and hue
// with torchvision's ColorJitter semantics for float images in [0, 1]:
// factors are drawn uniformly, brightness from [max(0, 1−Brightness),
// 1+Brightness] (likewise contrast and saturation) and hue from [−Hue,
// Hue]; the four adjustments are applied in a random order and each result
// is clamped to [0, 1].
//
//   - brightness f: x·f
//   - contrast f: f·x + (1−f)·mean(gray), the mean over the whole image
//   - saturation f: f·x + (1−f)·gray(x) per pixel
//   - hue f: the hue in HSV space is rotated by f turns
//
// with gray = 0.2989·R + 0.587·G + 0.114·B. On 1-channel images saturation
// and hue are the identity (as in torchvision); contrast, saturation and
// hue need 1 or 3 channels. A zero field turns its adjustment off.
type ColorJitter struct {
	Brightness, Contrast, Saturation float64
	// Hue is at most 0.5.
	Hue float64
}

var _ data.Transform = ColorJitter{}

// Apply adjusts s in place.
func (j ColorJitter) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	const what = "color jitter"
	if err := checkSample(what, s); err != nil {
		return s, err
	}
	for _, f := range []float64{j.Brightness, j.Contrast, j.Saturation} {
		if !(f >= 0) || math.IsInf(f, 0) {
			return s, fmt.Errorf("%s: Brightness, Contrast and Saturation must be finite and ≥ 0, got %+v", what, j)
		}
	}
	if !(j.Hue >= 0 && j.Hue <= 0.5) {
		return s, fmt.Errorf("%s: Hue = %v must be in [0, 0.5]", what, j.Hue)
	}
	if (j.Contrast != 0 || j.Saturation != 0 || j.Hue != 0) && s.C != 1 && s.C != 3 {
		return s, fmt.Errorf("%s: contrast, saturation and hue need 1 or 3 channels, the image has %d", what, s.C)
	}
	// torchvision's get_params: the order first, then each enabled factor.
	order := rng.Perm(4)
	factor := func(x, center float64, clip bool) float64 {
		lo := center - x
		if clip {
			lo = max(lo, 0)
		}
		return uniform(rng, lo, center+x)
	}
	var fb, fc, fs, fh float64
	if j.Brightness != 0 {
		fb = factor(j.Brightness, 1, true)
	}
	if j.Contrast != 0 {
		fc = factor(j.Contrast, 1, true)
	}
	if j.Saturation != 0 {
		fs = factor(j.Saturation, 1, true)
	}
	if j.Hue != 0 {
		fh = factor(j.Hue, 0, false)
	}
	plane := s.H * s.W
	for _, op := range order {
		switch {
		case op == 0 && j.Brightness != 0:
			adjustBrightness(s.Image, plane, fb)
		case op == 1 && j.Contrast != 0:
			adjustContrast(s.Image, s.C, plane, fc)
		case op == 2 && j.Saturation != 0:
			adjustSaturation(s.Image, s.C, plane, fs)
		case op == 3 && j.Hue != 0:
			adjustHue(s.Image, s.C, plane, fh)
		}
	}
	return s, nil
}
