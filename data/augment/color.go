package augment

import "math"

// The adjustments below are torchvision 0.14's functional_tensor versions
// for float images in [0, 1], computed in float64. Each works on a CHW
// image in place.

// grayscale returns torchvision's luma 0.2989·R + 0.587·G + 0.114·B of a
// 3-channel image, or a copy of a 1-channel one.
func grayscale(img []float32, c, plane int) []float64 {
	g := make([]float64, plane)
	if c == 1 {
		for i, v := range img {
			g[i] = float64(v)
		}
		return g
	}
	r, gr, b := img[:plane], img[plane:2*plane], img[2*plane:3*plane]
	for i := range g {
		g[i] = 0.2989*float64(r[i]) + 0.587*float64(gr[i]) + 0.114*float64(b[i])
	}
	return g
}

// blend is torchvision's _blend: ratio·img + (1−ratio)·other, clamped to
// [0, 1]; other is indexed per pixel of a plane.
func blend(img []float32, plane int, ratio float64, other func(i int) float64) {
	for k, v := range img {
		img[k] = float32(clamp01(ratio*float64(v) + (1-ratio)*other(k%plane)))
	}
}

func clamp01(x float64) float64 { return min(max(x, 0), 1) }

// adjustBrightness multiplies by f (blend with black).
func adjustBrightness(img []float32, plane int, f float64) {
	blend(img, plane, f, func(int) float64 { return 0 })
}

// adjustContrast blends with the mean of the grayscale image.
func adjustContrast(img []float32, c, plane int, f float64) {
	var mean float64
	for _, v := range grayscale(img, c, plane) {
		mean += v
	}
	mean /= float64(plane)
	blend(img, plane, f, func(int) float64 { return mean })
}

// adjustSaturation blends with the grayscale image; identity on one
// channel, as in torchvision (and PIL).
func adjustSaturation(img []float32, c, plane int, f float64) {
	if c == 1 {
		return
	}
	g := grayscale(img, c, plane)
	blend(img, plane, f, func(i int) float64 { return g[i] })
}

// adjustHue rotates the hue by f turns (f ∈ [−0.5, 0.5]) in HSV space;
// identity on one channel.
func adjustHue(img []float32, c, plane int, f float64) {
	if c == 1 {
		return
	}
	r, g, b := img[:plane], img[plane:2*plane], img[2*plane:3*plane]
	for i := range plane {
		h, s, v := rgbToHSV(float64(r[i]), float64(g[i]), float64(b[i]))
		h = pyMod(h+f, 1)
		rr, gg, bb := hsvToRGB(h, s, v)
		r[i], g[i], b[i] = float32(rr), float32(gg), float32(bb)
	}
}

// rgbToHSV is torchvision's _rgb2hsv for one pixel.
func rgbToHSV(r, g, b float64) (h, s, v float64) {
	maxc := max(r, g, b)
	minc := min(r, g, b)
	cr := maxc - minc
	if maxc == minc {
		// torchvision's formula gives h = fmod(6/6 + 1, 1) = 0 here.
		return 0, 0, maxc
	}
	s = cr / maxc
	rc, gc, bc := (maxc-r)/cr, (maxc-g)/cr, (maxc-b)/cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = 2 + rc - bc
	default:
		h = 4 + gc - rc
	}
	return math.Mod(h/6+1, 1), s, maxc
}

// hsvToRGB is torchvision's _hsv2rgb for one pixel.
func hsvToRGB(h, s, v float64) (r, g, b float64) {
	i := math.Floor(h * 6)
	f := h*6 - i
	p := clamp01(v * (1 - s))
	q := clamp01(v * (1 - s*f))
	t := clamp01(v * (1 - s*(1-f)))
	switch int(pyMod(i, 6)) {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	default:
		return v, p, q
	}
}

// pyMod is Python's %, whose result has the sign of the divisor.
func pyMod(x, m float64) float64 {
	r := math.Mod(x, m)
	if r < 0 {
		r += m
	}
	return r
}
