package augment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tanren-ml/tanren/data"
)

// RandomAffine rotates, shifts and zooms an image about its center with
// bilinear sampling, like torchvision's RandomAffine without shear. The
// parameters are drawn in torchvision's order: angle uniform in Degrees;
// shifts dx = round(U(−Translate[0]·W, Translate[0]·W)) and likewise dy
// (whole pixels, Python rounding); zoom uniform in Scale.
//
// A pixel at offset d from the center ((W−1)/2, (H−1)/2) moves to
// t + s·R(θ)·d, where R(θ) rotates counter-clockwise as the image is
// displayed for positive θ (torchvision's rotate convention), s > 1
// enlarges the content and t = (dx, dy) shifts it right and down. Each
// output pixel is sampled bilinearly at the inverse image of its position;
// pixels that come from outside the image are Fill (torchvision blends the
// one-pixel border of the image with Fill slightly differently).
type RandomAffine struct {
	// Degrees is the range of the rotation angle in degrees; the zero
	// value means no rotation.
	Degrees [2]float64
	// Translate holds the largest shifts as fractions of the width and
	// the height, each in [0, 1]; the zero value means no shift.
	Translate [2]float64
	// Scale is the range of the zoom factor; the zero value means 1.
	Scale [2]float64
	// Fill is the value of pixels that come from outside the image.
	Fill float32
}

// affine holds one draw of RandomAffine's parameters.
type affine struct {
	angle  float64 // degrees, counter-clockwise
	dx, dy float64 // pixels, right and down
	scale  float64
}

var _ data.Transform = RandomAffine{}

// Apply returns the transformed sample (a new image).
func (a RandomAffine) Apply(rng *rand.Rand, s data.Sample) (data.Sample, error) {
	if err := checkSample("random affine", s); err != nil {
		return s, err
	}
	p, err := a.draw(rng, s.H, s.W)
	if err != nil {
		return s, err
	}
	return warp(s, p, a.Fill), nil
}

// draw validates the ranges and draws the parameters for an h×w image.
func (a RandomAffine) draw(rng *rand.Rand, h, w int) (affine, error) {
	const what = "random affine"
	d := a.Degrees
	if !(d[0] <= d[1]) || math.IsInf(d[0], 0) || math.IsInf(d[1], 0) {
		return affine{}, fmt.Errorf("%s: Degrees range %v must be finite with min ≤ max", what, d)
	}
	for _, t := range a.Translate {
		if !(t >= 0 && t <= 1) {
			return affine{}, fmt.Errorf("%s: Translate %v must hold fractions in [0, 1]", what, a.Translate)
		}
	}
	scale, err := rangeOr(what, "Scale", a.Scale, [2]float64{1, 1})
	if err != nil {
		return affine{}, err
	}
	p := affine{scale: 1}
	p.angle = uniform(rng, d[0], d[1])
	if a.Translate != ([2]float64{}) {
		mx, my := a.Translate[0]*float64(w), a.Translate[1]*float64(h)
		p.dx = float64(roundHalfEven(uniform(rng, -mx, mx)))
		p.dy = float64(roundHalfEven(uniform(rng, -my, my)))
	}
	if a.Scale != ([2]float64{}) {
		p.scale = uniform(rng, scale[0], scale[1])
	}
	return p, nil
}

// warp applies the affine map p to every channel of s.
func warp(s data.Sample, p affine, fill float32) data.Sample {
	if p.angle == 0 && p.dx == 0 && p.dy == 0 && p.scale == 1 {
		return s
	}
	// Inverse map: d_in = R(−θ)·(d_out − t)/s, with y pointing down, so a
	// counter-clockwise R(θ) is [[cos, sin], [−sin, cos]] and its inverse
	// [[cos, −sin], [sin, cos]].
	rad := p.angle * math.Pi / 180
	cos, sin := math.Cos(rad), math.Sin(rad)
	cy, cx := float64(s.H-1)/2, float64(s.W-1)/2
	out := make([]float32, len(s.Image))
	plane := s.H * s.W
	for y := range s.H {
		for x := range s.W {
			ox, oy := float64(x)-cx-p.dx, float64(y)-cy-p.dy
			ix := (cos*ox-sin*oy)/p.scale + cx
			iy := (sin*ox+cos*oy)/p.scale + cy
			for c := range s.C {
				out[c*plane+y*s.W+x] = float32(bilinear(s.Image[c*plane:(c+1)*plane], s.H, s.W, iy, ix, fill))
			}
		}
	}
	s.Image = out
	return s
}
