package imagefolder

import "github.com/tanren-ml/tanren/data"

// pixels is a decoded image converted to the wanted channels, in CHW order,
// at 8 or 16 bits per value: exactly one of u8 and u16 is set. It is what
// the cache holds, a quarter (or half) of the size of float32 values.
type pixels struct {
	c, h, w int
	u8      []uint8
	u16     []uint16
}

// bytes is the memory held by p's values.
func (p *pixels) bytes() int64 {
	return int64(len(p.u8)) + 2*int64(len(p.u16))
}

// u8Scale maps an 8-bit value v to float32(v)/255, which is how
// torchvision's ToTensor scales (a float32 division).
var u8Scale = func() (t [256]float32) {
	for v := range t {
		t[v] = float32(v) / 255
	}
	return t
}()

// sample returns p as a new float32 sample in [0,1] with the given label.
func (p *pixels) sample(label int) data.Sample {
	img := make([]float32, p.c*p.h*p.w)
	if p.u8 != nil {
		for i, v := range p.u8 {
			img[i] = u8Scale[v]
		}
	} else {
		for i, v := range p.u16 {
			img[i] = float32(v) / 65535
		}
	}
	return data.Sample{Image: img, C: p.c, H: p.h, W: p.w, Label: label}
}

// orient returns p turned upright according to an EXIF orientation (1–8).
func (p *pixels) orient(o int) *pixels {
	if o < 2 || o > 8 {
		return p
	}
	q := &pixels{c: p.c, h: p.h, w: p.w}
	if o >= 5 {
		q.h, q.w = p.w, p.h // a quarter turn or a transposition
	}
	if p.u8 != nil {
		q.u8 = orientPlanes(p.u8, p.c, p.h, p.w, o)
	} else {
		q.u16 = orientPlanes(p.u16, p.c, p.h, p.w, o)
	}
	return q
}

// orientPlanes applies EXIF orientation o to c planes of h×w values. The
// output pixel (y, x) of the upright image (size h×w for o < 5, w×h
// otherwise) reads the stored pixel given by the table below, which is
// Pillow's ImageOps.exif_transpose:
//
//	2 mirror left–right        5 transpose (mirror along the main diagonal)
//	3 rotate 180°              6 rotate 90° clockwise
//	4 mirror top–bottom        7 transverse (mirror along the other diagonal)
//	                           8 rotate 90° counter-clockwise
func orientPlanes[T uint8 | uint16](src []T, c, h, w, o int) []T {
	dst := make([]T, len(src))
	oh, ow := h, w
	if o >= 5 {
		oh, ow = w, h
	}
	for ch := range c {
		s := src[ch*h*w : (ch+1)*h*w]
		d := dst[ch*h*w : (ch+1)*h*w]
		for y := range oh {
			row := d[y*ow : (y+1)*ow]
			for x := range row {
				var sy, sx int
				switch o {
				case 2:
					sy, sx = y, w-1-x
				case 3:
					sy, sx = h-1-y, w-1-x
				case 4:
					sy, sx = h-1-y, x
				case 5:
					sy, sx = x, y
				case 6:
					sy, sx = h-1-x, y
				case 7:
					sy, sx = h-1-x, w-1-y
				case 8:
					sy, sx = x, w-1-y
				}
				row[x] = s[sy*w+sx]
			}
		}
	}
	return dst
}
