package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Normalize maps every value x of channel c to (x − Mean[c]) / Std[c], like
// torchvision's Normalize. Mean and Std have one entry per channel, or one
// entry for all channels. It works in place.
type Normalize struct {
	Mean, Std []float32
}

var _ Transform = Normalize{}

// Apply normalizes s in place and returns it.
func (n Normalize) Apply(_ *rand.Rand, s Sample) (Sample, error) {
	if len(n.Mean) != len(n.Std) || (len(n.Mean) != 1 && len(n.Mean) != s.C) {
		return s, fmt.Errorf("data: Normalize has %d means and %d stds for a sample with %d channels; give one per channel or one for all", len(n.Mean), len(n.Std), s.C)
	}
	for c, sd := range n.Std {
		if !(sd > 0) || math.IsInf(float64(sd), 1) {
			return s, fmt.Errorf("data: Normalize: std %g of channel %d must be positive and finite", sd, c)
		}
		if m := float64(n.Mean[c]); math.IsNaN(m) || math.IsInf(m, 0) {
			return s, fmt.Errorf("data: Normalize: mean %g of channel %d must be finite", m, c)
		}
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("data: Normalize: %w", err)
	}
	plane := s.H * s.W
	for c := range s.C {
		k := c % len(n.Mean)
		m, sd := n.Mean[k], n.Std[k]
		xs := s.Image[c*plane : (c+1)*plane]
		for i, x := range xs {
			// Subtract then divide, as PyTorch does, for identical rounding.
			xs[i] = (x - m) / sd
		}
	}
	return s, nil
}
