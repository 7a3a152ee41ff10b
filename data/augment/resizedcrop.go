package augment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// RandomResizedCrop cuts a random region of random area and aspect ratio
// and resizes it to Height×Width with bilinear interpolation, as
// torchvision's RandomResizedCrop (Inception-style cropping): up to ten
// times it draws an area fraction uniformly from Scale and a log-uniform
// aspect ratio w/h from Ratio, rounds w = √(area·ratio), h = √(area/ratio)
// half to even as Python does, and takes the first region that fits at a
// uniform position; otherwise it falls back to the largest central crop
// whose ratio is within Ratio. Resampling is torch's bilinear interpolation
// with align_corners=False and no antialiasing (torchvision 0.14's default
// for tensors).
type RandomResizedCrop struct {
	// Height and Width of the output; 0 means the input's.
	Height, Width int
	// Scale is the range of the region's area as a fraction of the image;
	// the zero value means (0.08, 1).
	Scale [2]float64
	// Ratio is the range of the region's aspect ratio (width/height); the
	// zero value means (3/4, 4/3).
	Ratio [2]float64
}

var _ data.Transform = RandomResizedCrop{}

// Apply returns the cropped and resized sample (a new image).
func (r RandomResizedCrop) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	const what = "random resized crop"
	if err := checkSample(what, s); err != nil {
		return s, err
	}
	scale, err := rangeOr(what, "Scale", r.Scale, [2]float64{0.08, 1})
	if err != nil {
		return s, err
	}
	ratio, err := rangeOr(what, "Ratio", r.Ratio, [2]float64{3.0 / 4, 4.0 / 3})
	if err != nil {
		return s, err
	}
	oh, ow := r.Height, r.Width
	if oh == 0 {
		oh = s.H
	}
	if ow == 0 {
		ow = s.W
	}
	if oh < 0 || ow < 0 {
		return s, fmt.Errorf("%s: output size %d×%d must not be negative", what, r.Height, r.Width)
	}
	top, left, h, w := cropBox(rng, s.H, s.W, scale, ratio)
	return resizedCrop(s, top, left, h, w, oh, ow), nil
}

// cropBox is torchvision's RandomResizedCrop.get_params.
func cropBox(rng *rand.Rand, height, width int, scale, ratio [2]float64) (top, left, h, w int) {
	area := float64(height * width)
	logLo, logHi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		target := area * uniform(rng, scale[0], scale[1])
		aspect := math.Exp(uniform(rng, logLo, logHi))
		w = roundHalfEven(math.Sqrt(target * aspect))
		h = roundHalfEven(math.Sqrt(target / aspect))
		if 0 < w && w <= width && 0 < h && h <= height {
			return rng.IntN(height - h + 1), rng.IntN(width - w + 1), h, w
		}
	}
	inRatio := float64(width) / float64(height)
	switch {
	case inRatio < ratio[0]:
		w = width
		h = roundHalfEven(float64(w) / ratio[0])
	case inRatio > ratio[1]:
		h = height
		w = roundHalfEven(float64(h) * ratio[1])
	default:
		w, h = width, height
	}
	return (height - h) / 2, (width - w) / 2, h, w
}

// resizedCrop cuts the h×w region at (top, left) of every channel and
// resizes it to oh×ow as torch.nn.functional.interpolate(mode="bilinear",
// align_corners=False) does.
func resizedCrop(s data.Sample, top, left, h, w, oh, ow int) data.Sample {
	ys := linearTaps(h, oh)
	xs := linearTaps(w, ow)
	out := make([]float32, s.C*oh*ow)
	for c := range s.C {
		src := s.Image[c*s.H*s.W : (c+1)*s.H*s.W]
		dst := out[c*oh*ow : (c+1)*oh*ow]
		at := func(y, x int) float64 { return float64(src[(top+y)*s.W+left+x]) }
		for y, ty := range ys {
			for x, tx := range xs {
				v := ty.w0*(tx.w0*at(ty.i0, tx.i0)+tx.w1*at(ty.i0, tx.i1)) +
					ty.w1*(tx.w0*at(ty.i1, tx.i0)+tx.w1*at(ty.i1, tx.i1))
				dst[y*ow+x] = float32(v)
			}
		}
	}
	s.Image, s.H, s.W = out, oh, ow
	return s
}

// tap is one output coordinate's two source indices and weights.
type tap struct {
	i0, i1 int
	w0, w1 float64
}

// linearTaps computes torch's align_corners=False source positions for
// resizing n samples to m: src = (dst + 0.5)·n/m − 0.5, clamped at 0, with
// the upper neighbour clamped to the last sample.
func linearTaps(n, m int) []tap {
	scale := float64(n) / float64(m)
	taps := make([]tap, m)
	for d := range taps {
		src := max((float64(d)+0.5)*scale-0.5, 0)
		i0 := int(src)
		i1 := i0
		if i0 < n-1 {
			i1 = i0 + 1
		}
		l := src - float64(i0)
		taps[d] = tap{i0: i0, i1: i1, w0: 1 - l, w1: l}
	}
	return taps
}
