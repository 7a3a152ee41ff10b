package augment

import (
	"fmt"
	"math"

	"github.com/tanren-ml/tanren/data"
)

// checkSample validates a sample before a transform touches it.
func checkSample(what string, s data.Sample) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// probability returns def for a zero probability and checks p ∈ [0, 1].
func probability(what string, p, def float64) (float64, error) {
	if p == 0 {
		return def, nil
	}
	if !(p >= 0 && p <= 1) {
		return 0, fmt.Errorf("%s: probability P = %v must be in [0, 1] (0 means %v)", what, p, def)
	}
	return p, nil
}

// rangeOr returns def for the zero range and checks 0 < lo ≤ hi < ∞.
func rangeOr(what, name string, r, def [2]float64) ([2]float64, error) {
	if r == ([2]float64{}) {
		return def, nil
	}
	if !(r[0] > 0 && r[0] <= r[1]) || math.IsInf(r[1], 0) {
		return r, fmt.Errorf("%s: %s range %v must satisfy 0 < min ≤ max < ∞ (zero means %v)", what, name, r, def)
	}
	return r, nil
}

// uniform draws from U[lo, hi) (lo when the range is empty), like torch's
// uniform_.
func uniform(rng interface{ Float64() float64 }, lo, hi float64) float64 {
	return lo + (hi-lo)*rng.Float64()
}

// roundHalfEven is Python's round, which torchvision's parameter draws use.
func roundHalfEven(x float64) int { return int(math.RoundToEven(x)) }

// bilinear samples a row-major h×w plane at (y, x) in pixel coordinates
// (pixel centers at integers). Pixels outside the plane have the value
// fill, so the border blends smoothly into it.
func bilinear(plane []float32, h, w int, y, x float64, fill float32) float64 {
	y0, x0 := math.Floor(y), math.Floor(x)
	fy, fx := y-y0, x-x0
	iy, ix := int(y0), int(x0)
	at := func(r, c int) float64 {
		if r < 0 || r >= h || c < 0 || c >= w {
			return float64(fill)
		}
		return float64(plane[r*w+c])
	}
	top := (1-fx)*at(iy, ix) + fx*at(iy, ix+1)
	bottom := (1-fx)*at(iy+1, ix) + fx*at(iy+1, ix+1)
	return (1-fy)*top + fy*bottom
}
