package augment

import (
	"fmt"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// RandomCrop pads an image by Padding pixels of value Fill on every side
// and cuts a Height×Width window at a uniformly random position, like
// torchvision's RandomCrop(size, padding, fill=Fill) with constant padding.
// With the output size equal to the input size this is the classic random
// shift by up to Padding pixels (CIFAR: padding 4).
type RandomCrop struct {
	// Height and Width of the output; 0 means the input's.
	Height, Width int
	// Padding is added on all four sides before cropping (≥ 0).
	Padding int
	// Fill is the value of the padding pixels.
	Fill float32
}

var _ data.Transform = RandomCrop{}

// Apply returns the cropped sample (a new image).
func (r RandomCrop) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	if err := checkSample("random crop", s); err != nil {
		return s, err
	}
	th, tw := r.Height, r.Width
	if th == 0 {
		th = s.H
	}
	if tw == 0 {
		tw = s.W
	}
	ph, pw := s.H+2*r.Padding, s.W+2*r.Padding
	switch {
	case r.Padding < 0 || th < 0 || tw < 0:
		return s, fmt.Errorf("random crop: size %d×%d and padding %d must not be negative", r.Height, r.Width, r.Padding)
	case th > ph || tw > pw:
		return s, fmt.Errorf("random crop: %d×%d window does not fit a %d×%d image padded by %d; increase Padding", th, tw, s.H, s.W, r.Padding)
	}
	// torchvision draws nothing when the window is the whole padded image.
	var i, j int
	if th != ph || tw != pw {
		i, j = rng.IntN(ph-th+1), rng.IntN(pw-tw+1)
	}
	out := make([]float32, s.C*th*tw)
	for c := range s.C {
		src := s.Image[c*s.H*s.W : (c+1)*s.H*s.W]
		dst := out[c*th*tw : (c+1)*th*tw]
		for y := range th {
			sy := i + y - r.Padding
			for x := range tw {
				sx := j + x - r.Padding
				v := r.Fill
				if sy >= 0 && sy < s.H && sx >= 0 && sx < s.W {
					v = src[sy*s.W+sx]
				}
				dst[y*tw+x] = v
			}
		}
	}
	s.Image, s.H, s.W = out, th, tw
	return s, nil
}
