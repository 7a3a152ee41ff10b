package data

import (
	"fmt"
	"math"
	"strconv"
)

// Interpolation selects how a resize computes an output pixel from the
// input pixels around it.
type Interpolation int

const (
	// Bilinear interpolates the 2×2 input pixels around the source point
	// as PyTorch's interpolate(mode="bilinear", align_corners=False,
	// antialias=False) does, which torchvision's tensor Resize uses: output
	// pixel d of an axis resized from n to m maps to source coordinate
	// (d+0.5)·n/m − 0.5 (half-pixel centres), clamped below at 0, and the
	// last pixel is repeated past the edge. Coordinates and weights are
	// computed in float32 like PyTorch's; results agree with torchvision to
	// about 1e-6. There is no antialiasing, so a large downscale skips
	// input pixels (like torchvision on tensors, unlike torchvision on PIL
	// images, which always antialias).
	Bilinear Interpolation = iota
	// Nearest takes input pixel min(⌊d·n/m⌋, n−1), computed in float32 as
	// PyTorch's legacy interpolate(mode="nearest") does.
	Nearest
)

// String returns "bilinear" or "nearest".
func (m Interpolation) String() string {
	switch m {
	case Bilinear:
		return "bilinear"
	case Nearest:
		return "nearest"
	}
	return "Interpolation(" + strconv.Itoa(int(m)) + ")"
}

// MaxResizeValues bounds the number of float32 values (C·H·W) a resize or
// crop may produce, so that a bad size or an extreme aspect ratio gives an
// error instead of exhausting memory. It is 2^28 values (1 GiB).
const MaxResizeValues = 1 << 28

// Rect is a rectangle of a pixel grid: rows [Top, Top+H) and columns
// [Left, Left+W). Top and Left may be negative.
type Rect struct {
	Top, Left, H, W int
}

// ResizeBilinear returns img, a c×h×w image in CHW order, resized to
// c×oh×ow with Bilinear interpolation (torchvision's tensor resize with
// antialias=False; see Bilinear for the exact convention). It does not
// modify img.
func ResizeBilinear(img []float32, c, h, w, oh, ow int) ([]float32, error) {
	return ResizeWindow(img, c, h, w, oh, ow, Rect{H: oh, W: ow}, Bilinear)
}

// ResizeNearest is ResizeBilinear with Nearest interpolation.
func ResizeNearest(img []float32, c, h, w, oh, ow int) ([]float32, error) {
	return ResizeWindow(img, c, h, w, oh, ow, Rect{H: oh, W: ow}, Nearest)
}

// ResizeWindow returns the window win of img (c×h×w, CHW) resized to
// oh×ow, a c×win.H×win.W image, without computing the rest of the resized
// image: resize-then-crop of an extreme aspect ratio stays cheap. Pixels of
// the window outside [0,oh)×[0,ow) are 0, which is what torchvision's
// CenterCrop does when the crop is larger than the image.
func ResizeWindow(img []float32, c, h, w, oh, ow int, win Rect, m Interpolation) ([]float32, error) {
	if err := checkImage(img, c, h, w); err != nil {
		return nil, fmt.Errorf("data: resize: %w", err)
	}
	if oh < 1 || ow < 1 {
		return nil, fmt.Errorf("data: resize of a %d×%d image to %d×%d: the output size must be positive", h, w, oh, ow)
	}
	if m != Bilinear && m != Nearest {
		return nil, fmt.Errorf("data: resize: unknown interpolation %d; use data.Bilinear or data.Nearest", int(m))
	}
	if err := checkOutput(c, win.H, win.W); err != nil {
		return nil, fmt.Errorf("data: resize of a %d×%d image to %d×%d: %w", h, w, oh, ow, err)
	}
	var ys, xs taps
	if m == Bilinear {
		ys, xs = linearTaps(h, oh, win.Top, win.H), linearTaps(w, ow, win.Left, win.W)
	} else {
		ys, xs = nearestTaps(h, oh, win.Top, win.H), nearestTaps(w, ow, win.Left, win.W)
	}
	out := make([]float32, c*win.H*win.W)
	for ch := range c {
		src := img[ch*h*w : (ch+1)*h*w]
		dst := out[ch*win.H*win.W : (ch+1)*win.H*win.W]
		for y := range win.H {
			if !ys.in[y] {
				continue // zero padding
			}
			r0, r1 := src[ys.i0[y]*w:(ys.i0[y]+1)*w], src[ys.i1[y]*w:(ys.i1[y]+1)*w]
			l1y := ys.l1[y]
			l0y := 1 - l1y
			row := dst[y*win.W : (y+1)*win.W]
			for x := range win.W {
				if !xs.in[x] {
					continue
				}
				a, b := xs.i0[x], xs.i1[x]
				l1x := xs.l1[x]
				l0x := 1 - l1x
				// PyTorch's order: interpolate along x on both rows, then
				// along y. Nearest taps have l1 = 0 and i1 = i0.
				row[x] = l0y*(l0x*r0[a]+l1x*r0[b]) + l1y*(l0x*r1[a]+l1x*r1[b])
			}
		}
	}
	return out, nil
}

// Crop returns the rectangle r of img (c×h×w, CHW) as a c×r.H×r.W image;
// the parts of r outside the image are 0 (torchvision pads with 0 too).
func Crop(img []float32, c, h, w int, r Rect) ([]float32, error) {
	if err := checkImage(img, c, h, w); err != nil {
		return nil, fmt.Errorf("data: crop: %w", err)
	}
	if err := checkOutput(c, r.H, r.W); err != nil {
		return nil, fmt.Errorf("data: crop of a %d×%d image: %w", h, w, err)
	}
	out := make([]float32, c*r.H*r.W)
	// Columns of r inside the image: [x0, x1) in r's coordinates.
	x0, x1 := max(0, -r.Left), min(r.W, w-r.Left)
	if x0 >= x1 {
		return out, nil
	}
	for ch := range c {
		for y := range r.H {
			sy := r.Top + y
			if sy < 0 || sy >= h {
				continue
			}
			src := img[ch*h*w+sy*w : ch*h*w+(sy+1)*w]
			dst := out[ch*r.H*r.W+y*r.W : ch*r.H*r.W+(y+1)*r.W]
			copy(dst[x0:x1], src[r.Left+x0:r.Left+x1])
		}
	}
	return out, nil
}

// taps says, for each output position of one axis, which two input
// positions it reads and the weight of the second; in is false for
// positions outside the resized image (zero padding).
type taps struct {
	i0, i1 []int
	l1     []float32
	in     []bool
}

func newTaps(n int) taps {
	return taps{i0: make([]int, n), i1: make([]int, n), l1: make([]float32, n), in: make([]bool, n)}
}

// linearTaps computes the bilinear taps of output positions start..start+n-1
// of an axis resized from size in to out, with PyTorch's float32 arithmetic
// (area_pixel_compute_source_index with align_corners=False).
func linearTaps(in, out, start, n int) taps {
	t := newTaps(n)
	scale := float32(in) / float32(out)
	for k := range n {
		d := start + k
		if d < 0 || d >= out {
			continue
		}
		t.in[k] = true
		src := float32(float64(scale)*(float64(d)+0.5) - 0.5)
		if src < 0 {
			src = 0
		}
		i0 := min(int(src), in-1) // src ≥ 0, so truncation is floor
		l1 := min(max(src-float32(i0), 0), 1)
		i1 := i0
		if i0 < in-1 {
			i1++
		}
		t.i0[k], t.i1[k], t.l1[k] = i0, i1, l1
	}
	return t
}

// nearestTaps computes PyTorch's legacy nearest taps (nearest_idx).
func nearestTaps(in, out, start, n int) taps {
	t := newTaps(n)
	scale := float32(in) / float32(out)
	for k := range n {
		d := start + k
		if d < 0 || d >= out {
			continue
		}
		t.in[k] = true
		var i int
		switch {
		case out == in:
			i = d
		case out == 2*in:
			i = d >> 1
		default:
			// The explicit conversion keeps the product in float32 (no
			// fused multiply-add), as floorf(dst_index * scale) does.
			i = min(int(math.Floor(float64(float32(float32(d)*scale)))), in-1)
		}
		t.i0[k], t.i1[k] = i, i
	}
	return t
}

func checkImage(img []float32, c, h, w int) error {
	if c < 1 || h < 1 || w < 1 {
		return fmt.Errorf("image shape %d×%d×%d (C×H×W) must be positive", c, h, w)
	}
	if int64(c)*int64(h)*int64(w) != int64(len(img)) {
		return fmt.Errorf("image has %d values but its shape %d×%d×%d (C×H×W) needs %d", len(img), c, h, w, int64(c)*int64(h)*int64(w))
	}
	return nil
}

func checkOutput(c, h, w int) error {
	if h < 1 || w < 1 {
		return fmt.Errorf("output size %d×%d must be positive", h, w)
	}
	// Divisions instead of a product, which could overflow.
	if h > MaxResizeValues/w || c > MaxResizeValues/(h*w) {
		return fmt.Errorf("output %d×%d×%d (C×H×W) exceeds data.MaxResizeValues = %d values; use a smaller size, or crop before resizing (ResizeCenterCrop)", c, h, w, MaxResizeValues)
	}
	return nil
}

// ResizedCrop returns the rectangle r of img (c×h×w, CHW) resized to
// oh×ow, like torchvision's resized_crop on a tensor (crop, then resize
// with antialias=False): the building block of random-resized-crop
// augmentation. Parts of r outside the image are 0.
func ResizedCrop(img []float32, c, h, w int, r Rect, oh, ow int, m Interpolation) ([]float32, error) {
	crop, err := Crop(img, c, h, w, r)
	if err != nil {
		return nil, err
	}
	return ResizeWindow(crop, c, r.H, r.W, oh, ow, Rect{H: oh, W: ow}, m)
}
