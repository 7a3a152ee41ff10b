package augment

import (
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// HorizontalFlip mirrors an image left to right with probability P, like
// torchvision's RandomHorizontalFlip. It draws one number per sample.
type HorizontalFlip struct {
	// P is the probability of flipping; 0 means 0.5 (torchvision's
	// default).
	P float64
}

// VerticalFlip mirrors an image top to bottom with probability P, like
// torchvision's RandomVerticalFlip.
type VerticalFlip struct {
	// P is the probability of flipping; 0 means 0.5.
	P float64
}

var (
	_ data.Transform = HorizontalFlip{}
	_ data.Transform = VerticalFlip{}
)

// Apply flips s in place with probability P.
func (f HorizontalFlip) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	p, err := probability("horizontal flip", f.P, 0.5)
	if err != nil {
		return s, err
	}
	if err := checkSample("horizontal flip", s); err != nil {
		return s, err
	}
	if rng.Float64() >= p {
		return s, nil
	}
	for r := range s.C * s.H {
		row := s.Image[r*s.W : (r+1)*s.W]
		for i, j := 0, len(row)-1; i < j; i, j = i+1, j-1 {
			row[i], row[j] = row[j], row[i]
		}
	}
	return s, nil
}

// Apply flips s in place with probability P.
func (f VerticalFlip) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	p, err := probability("vertical flip", f.P, 0.5)
	if err != nil {
		return s, err
	}
	if err := checkSample("vertical flip", s); err != nil {
		return s, err
	}
	if rng.Float64() >= p {
		return s, nil
	}
	for c := range s.C {
		plane := s.Image[c*s.H*s.W : (c+1)*s.H*s.W]
		for i, j := 0, s.H-1; i < j; i, j = i+1, j-1 {
			a, b := plane[i*s.W:(i+1)*s.W], plane[j*s.W:(j+1)*s.W]
			for k := range a {
				a[k], b[k] = b[k], a[k]
			}
		}
	}
	return s, nil
}
