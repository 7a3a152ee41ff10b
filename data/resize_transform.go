package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Resize resizes every sample to H×W, like torchvision's Resize((H, W)) on
// a tensor with antialias=False.
type Resize struct {
	H, W int
	// Interpolation is Bilinear (the zero value) or Nearest.
	Interpolation Interpolation
}

// ResizeShorter resizes every sample so that its shorter side is Size,
// keeping the aspect ratio, like torchvision's Resize(Size, max_size=MaxSize)
// on a tensor with antialias=False: the longer side becomes
// ⌊Size·long/short⌋. If MaxSize is positive and the longer side would
// exceed it, the longer side becomes MaxSize and the shorter one
// ⌊MaxSize·Size/long⌋ (at least 1, where torchvision would fail).
type ResizeShorter struct {
	Size, MaxSize int
	// Interpolation is Bilinear (the zero value) or Nearest.
	Interpolation Interpolation
}

// CenterCrop crops the H×W centre of every sample, like torchvision's
// CenterCrop((H, W)): a sample smaller than the crop is padded with 0 first.
type CenterCrop struct {
	H, W int
}

// ResizeCenterCrop is ResizeShorter{Size} followed by CenterCrop{H, W}, the
// usual evaluation preprocessing (e.g. Size 256, crop 224), with the same
// result but computed without the resized intermediate, so images of
// extreme aspect ratio cost no more than others.
type ResizeCenterCrop struct {
	Size, H, W int
	// Interpolation is Bilinear (the zero value) or Nearest.
	Interpolation Interpolation
}

var (
	_ Transform = Resize{}
	_ Transform = ResizeShorter{}
	_ Transform = CenterCrop{}
	_ Transform = ResizeCenterCrop{}
)

// Apply resizes s; it returns s unchanged if it already has the size.
func (r Resize) Apply(_ *rand.Rand, s Sample) (Sample, error) {
	if r.H < 1 || r.W < 1 {
		return s, fmt.Errorf("data: Resize to %d×%d: H and W must be positive", r.H, r.W)
	}
	return resizeTo(s, r.H, r.W, r.Interpolation, "Resize")
}

// Apply resizes s; it returns s unchanged if it already has the size.
func (r ResizeShorter) Apply(_ *rand.Rand, s Sample) (Sample, error) {
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("data: ResizeShorter: %w", err)
	}
	oh, ow, err := ShorterSideSize(s.H, s.W, r.Size, r.MaxSize)
	if err != nil {
		return s, fmt.Errorf("data: ResizeShorter: %w", err)
	}
	return resizeTo(s, oh, ow, r.Interpolation, "ResizeShorter")
}

// Apply crops s; it returns s unchanged if it already has the size.
func (cc CenterCrop) Apply(_ *rand.Rand, s Sample) (Sample, error) {
	if cc.H < 1 || cc.W < 1 {
		return s, fmt.Errorf("data: CenterCrop to %d×%d: H and W must be positive", cc.H, cc.W)
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("data: CenterCrop: %w", err)
	}
	if s.H == cc.H && s.W == cc.W {
		return s, nil
	}
	img, err := Crop(s.Image, s.C, s.H, s.W, CenterCropRect(s.H, s.W, cc.H, cc.W))
	if err != nil {
		return s, fmt.Errorf("data: CenterCrop: %w", err)
	}
	s.Image, s.H, s.W = img, cc.H, cc.W
	return s, nil
}

// Apply resizes and crops s.
func (r ResizeCenterCrop) Apply(_ *rand.Rand, s Sample) (Sample, error) {
	if r.H < 1 || r.W < 1 {
		return s, fmt.Errorf("data: ResizeCenterCrop: crop %d×%d must be positive", r.H, r.W)
	}
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("data: ResizeCenterCrop: %w", err)
	}
	oh, ow, err := ShorterSideSize(s.H, s.W, r.Size, 0)
	if err != nil {
		return s, fmt.Errorf("data: ResizeCenterCrop: %w", err)
	}
	img, err := ResizeWindow(s.Image, s.C, s.H, s.W, oh, ow, CenterCropRect(oh, ow, r.H, r.W), r.Interpolation)
	if err != nil {
		return s, fmt.Errorf("data: ResizeCenterCrop: %w", err)
	}
	s.Image, s.H, s.W = img, r.H, r.W
	return s, nil
}

// resizeTo resizes s to oh×ow unless it has that size already (torchvision
// returns the input unchanged then, too).
func resizeTo(s Sample, oh, ow int, m Interpolation, name string) (Sample, error) {
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("data: %s: %w", name, err)
	}
	if s.H == oh && s.W == ow {
		return s, nil
	}
	img, err := ResizeWindow(s.Image, s.C, s.H, s.W, oh, ow, Rect{H: oh, W: ow}, m)
	if err != nil {
		return s, fmt.Errorf("data: %s: %w", name, err)
	}
	s.Image, s.H, s.W = img, oh, ow
	return s, nil
}

// ShorterSideSize returns the size torchvision's Resize(size,
// max_size=maxSize) gives an h×w image: the shorter side becomes size and
// the longer ⌊size·long/short⌋; if maxSize > 0 and the longer side would
// exceed it, the longer side becomes maxSize and the shorter
// ⌊maxSize·size/long⌋, but at least 1. maxSize must then exceed size.
func ShorterSideSize(h, w, size, maxSize int) (oh, ow int, err error) {
	if h < 1 || w < 1 {
		return 0, 0, fmt.Errorf("image size %d×%d must be positive", h, w)
	}
	if size < 1 {
		return 0, 0, fmt.Errorf("shorter side %d must be positive", size)
	}
	if maxSize != 0 && maxSize <= size {
		return 0, 0, fmt.Errorf("max size %d must exceed the shorter side %d (or be 0 for no limit)", maxSize, size)
	}
	short, long := h, w
	if w <= h {
		short, long = w, h
	}
	// Python's int(size * long / short): a correctly rounded float64
	// quotient, truncated. The product is exact below 2^53.
	newShort, newLong := size, int(float64(size)*float64(long)/float64(short))
	if maxSize > 0 && newLong > maxSize {
		newShort, newLong = max(1, int(float64(maxSize)*float64(newShort)/float64(newLong))), maxSize
	}
	if w <= h {
		return newLong, newShort, nil
	}
	return newShort, newLong, nil
}

// CenterCropRect returns the rectangle torchvision's center_crop takes from
// an h×w image for a ch×cw crop. Along an axis where the crop is larger,
// the image is padded by ⌊(crop−size)/2⌋ before it, so the rectangle starts
// at minus that; otherwise it starts at round((size−crop)/2), rounding
// halves to even as Python's round does.
func CenterCropRect(h, w, ch, cw int) Rect {
	return Rect{Top: centerStart(h, ch), Left: centerStart(w, cw), H: ch, W: cw}
}

func centerStart(size, crop int) int {
	if crop > size {
		return -((crop - size) / 2)
	}
	return int(math.RoundToEven(float64(size-crop) / 2))
}
