package augment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// RandomErasing erases a random rectangle of an image with probability P
// (Zhong et al. 2020), with torchvision's RandomErasing semantics: up to
// ten times it draws an area fraction uniformly from Scale and a
// log-uniform aspect ratio h/w from Ratio, rounds h = √(area·ratio),
// w = √(area/ratio) half to even, and erases the first rectangle strictly
// smaller than the image at a uniform position; if none fits, the image is
// left as it is.
type RandomErasing struct {
	// P is the probability of erasing; 0 means 0.5.
	P float64
	// Scale is the range of the erased area as a fraction of the image;
	// the zero value means (0.02, 0.33).
	Scale [2]float64
	// Ratio is the range of the rectangle's aspect ratio (height/width);
	// the zero value means (0.3, 3.3).
	Ratio [2]float64
	// Value is what the rectangle is filled with: one value for every
	// channel or one per channel; nil means 0.
	Value []float32
	// Random fills the rectangle with standard normal noise instead
	// (torchvision's value="random"); Value must then be nil.
	Random bool
}

var _ data.Transform = RandomErasing{}

// Apply erases a rectangle of s in place with probability P.
func (e RandomErasing) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	const what = "random erasing"
	if err := checkSample(what, s); err != nil {
		return s, err
	}
	p, err := probability(what, e.P, 0.5)
	if err != nil {
		return s, err
	}
	scale, err := rangeOr(what, "Scale", e.Scale, [2]float64{0.02, 0.33})
	if err != nil {
		return s, err
	}
	ratio, err := rangeOr(what, "Ratio", e.Ratio, [2]float64{0.3, 3.3})
	if err != nil {
		return s, err
	}
	switch {
	case e.Random && e.Value != nil:
		return s, fmt.Errorf("%s: give Value or Random, not both", what)
	case e.Value != nil && len(e.Value) != 1 && len(e.Value) != s.C:
		return s, fmt.Errorf("%s: %d values for a %d-channel image; give one value or one per channel", what, len(e.Value), s.C)
	}
	if rng.Float64() >= p {
		return s, nil
	}
	area := float64(s.H * s.W)
	logLo, logHi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		target := area * uniform(rng, scale[0], scale[1])
		aspect := math.Exp(uniform(rng, logLo, logHi))
		h := roundHalfEven(math.Sqrt(target * aspect))
		w := roundHalfEven(math.Sqrt(target / aspect))
		if !(h < s.H && w < s.W) {
			continue
		}
		// torchvision draws the noise before the position.
		var noise []float32
		if e.Random {
			noise = make([]float32, s.C*h*w)
			for i := range noise {
				noise[i] = float32(rng.NormFloat64())
			}
		}
		top, left := rng.IntN(s.H-h+1), rng.IntN(s.W-w+1)
		for c := range s.C {
			var v float32
			if len(e.Value) == 1 {
				v = e.Value[0]
			} else if e.Value != nil {
				v = e.Value[c]
			}
			for y := range h {
				row := s.Image[c*s.H*s.W+(top+y)*s.W+left:][:w]
				for x := range row {
					if noise != nil {
						v = noise[(c*h+y)*w+x]
					}
					row[x] = v
				}
			}
		}
		return s, nil
	}
	return s, nil
}
