package augment

import (
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// marked returns a c×h×w sample of zeros with value 1 at (row, col) of
// every channel.
func marked(c, h, w, row, col int) data.Sample {
	s := data.Sample{Image: make([]float32, c*h*w), C: c, H: h, W: w}
	for ch := range c {
		s.Image[ch*h*w+row*w+col] = 1
	}
	return s
}

// where returns the positions in channel 0 whose value is v.
func where(s data.Sample, v float32) [][2]int {
	var out [][2]int
	for y := range s.H {
		for x := range s.W {
			if s.Image[y*s.W+x] == v {
				out = append(out, [2]int{y, x})
			}
		}
	}
	return out
}

// ramp returns a c×h×w sample whose values are distinct, in [0, 1).
func ramp(c, h, w int) data.Sample {
	s := data.Sample{Image: make([]float32, c*h*w), C: c, H: h, W: w}
	for i := range s.Image {
		s.Image[i] = float32(i) / float32(len(s.Image))
	}
	return s
}

func rngOf(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }
