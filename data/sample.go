package data

import (
	"fmt"
	"slices"
)

// Sample is one example of a dataset.
type Sample struct {
	// Image holds C*H*W values in CHW order (channel planes, each row-major).
	Image   []float32
	C, H, W int
	// Label is the class index, ≥ 0.
	Label int
	// Target is an optional soft target with one probability per class; nil
	// means one-hot at Label. The Loader turns it into a row of Batch.Targets.
	Target []float32
}

// Validate reports whether the shape agrees with the length of Image and
// the label is not negative.
func (s Sample) Validate() error {
	if s.C < 1 || s.H < 1 || s.W < 1 {
		return fmt.Errorf("sample shape %d×%d×%d (C×H×W) must be positive", s.C, s.H, s.W)
	}
	if len(s.Image) != s.C*s.H*s.W {
		return fmt.Errorf("sample has %d image values but its shape %d×%d×%d (C×H×W) needs %d", len(s.Image), s.C, s.H, s.W, s.C*s.H*s.W)
	}
	if s.Label < 0 {
		return fmt.Errorf("sample label %d is negative", s.Label)
	}
	return nil
}

// Clone returns a copy of s that shares no memory with it.
func (s Sample) Clone() Sample {
	s.Image = slices.Clone(s.Image)
	s.Target = slices.Clone(s.Target)
	return s
}
