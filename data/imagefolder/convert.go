package imagefolder

import (
	"image"
	"image/color"
)

// toPixels converts a decoded image to c channels (1 or 3) in CHW order.
// videoRange says that YCbCr images use the limited ("studio swing")
// range of BT.601, as lossy WebP does, rather than JPEG's full range.
// The common decoder outputs have fast paths; anything else goes through
// color.NRGBA64Model at 16 bits. Alpha is dropped after un-premultiplying,
// so a pixel keeps the colour it was stored with (Pillow's convert("RGB")),
// except that fully transparent pixels of premultiplied images are black,
// since their colour is not stored.
func toPixels(m image.Image, c int, videoRange bool) *pixels {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := m.(type) {
	case *image.Gray:
		g := make([]uint8, w*h)
		for y := range h {
			copy(g[y*w:(y+1)*w], m.Pix[y*m.Stride:])
		}
		return fromGray(g, c, h, w)
	case *image.Gray16:
		g := make([]uint16, w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				g[y*w+x] = be16(row[2*x:])
			}
		}
		return fromGray(g, c, h, w)
	case *image.YCbCr:
		return ycbcrPixels(m, c, videoRange)
	case *image.NYCbCrA:
		return ycbcrPixels(&m.YCbCr, c, videoRange)
	case *image.NRGBA:
		rgb := make([]uint8, 3*w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				put3(rgb, w*h, y*w+x, row[4*x], row[4*x+1], row[4*x+2])
			}
		}
		return fromRGB(rgb, c, h, w)
	case *image.RGBA:
		rgb := make([]uint8, 3*w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				r, g, bl, a := row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
				if a != 0xff {
					r, g, bl = unpremultiply8(r, a), unpremultiply8(g, a), unpremultiply8(bl, a)
				}
				put3(rgb, w*h, y*w+x, r, g, bl)
			}
		}
		return fromRGB(rgb, c, h, w)
	case *image.Paletted:
		var lut [256][3]uint8 // indices past the palette read as black
		for i, col := range m.Palette {
			n := color.NRGBAModel.Convert(col).(color.NRGBA)
			lut[i] = [3]uint8{n.R, n.G, n.B}
		}
		rgb := make([]uint8, 3*w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				e := lut[row[x]]
				put3(rgb, w*h, y*w+x, e[0], e[1], e[2])
			}
		}
		return fromRGB(rgb, c, h, w)
	case *image.CMYK:
		rgb := make([]uint8, 3*w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				cy, mg, ye, k := row[4*x], row[4*x+1], row[4*x+2], row[4*x+3]
				nk := 255 - uint32(k)
				put3(rgb, w*h, y*w+x, cmyk8(cy, nk), cmyk8(mg, nk), cmyk8(ye, nk))
			}
		}
		return fromRGB(rgb, c, h, w)
	case *image.NRGBA64:
		rgb := make([]uint16, 3*w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				p := row[8*x:]
				put3(rgb, w*h, y*w+x, be16(p), be16(p[2:]), be16(p[4:]))
			}
		}
		return fromRGB(rgb, c, h, w)
	case *image.RGBA64:
		rgb := make([]uint16, 3*w*h)
		for y := range h {
			row := m.Pix[y*m.Stride:]
			for x := range w {
				p := row[8*x:]
				r, g, bl, a := be16(p), be16(p[2:]), be16(p[4:]), be16(p[6:])
				if a != 0xffff {
					r, g, bl = unpremultiply16(r, a), unpremultiply16(g, a), unpremultiply16(bl, a)
				}
				put3(rgb, w*h, y*w+x, r, g, bl)
			}
		}
		return fromRGB(rgb, c, h, w)
	}
	// Alpha, Alpha16, and any other image type: 16 bits, un-premultiplied.
	rgb := make([]uint16, 3*w*h)
	for y := range h {
		for x := range w {
			n := color.NRGBA64Model.Convert(m.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA64)
			put3(rgb, w*h, y*w+x, n.R, n.G, n.B)
		}
	}
	return fromRGB(rgb, c, h, w)
}

// ycbcrPixels converts YCbCr to RGB: JPEG's full range with Go's
// color.YCbCrToRGB, or lossy WebP's video range with libwebp's formula
// (golang.org/x/image/webp returns the planes but image.YCbCr would
// convert them as full range, washing colours out). The chroma of each
// pixel is its nearest subsampled value; libjpeg and libwebp interpolate
// it ("fancy upsampling"), so pixel values at colour edges differ a little
// from Pillow's.
func ycbcrPixels(m *image.YCbCr, c int, videoRange bool) *pixels {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	rgb := make([]uint8, 3*w*h)
	// The chroma column of a pixel depends only on x, whatever the
	// subsampling, so it is computed once per column, not per pixel.
	cx := make([]int, w)
	c0 := m.COffset(b.Min.X, b.Min.Y)
	for x := range cx {
		cx[x] = m.COffset(b.Min.X+x, b.Min.Y) - c0
	}
	for y := range h {
		yRow := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
		cRow := m.COffset(b.Min.X, b.Min.Y+y)
		cb, cr := m.Cb[cRow:], m.Cr[cRow:]
		for x := range w {
			yi, ci := x, cx[x]
			var r, g, bl uint8
			if videoRange {
				r, g, bl = webpYUVToRGB(yRow[yi], cb[ci], cr[ci])
			} else {
				r, g, bl = color.YCbCrToRGB(yRow[yi], cb[ci], cr[ci])
			}
			put3(rgb, w*h, y*w+x, r, g, bl)
		}
	}
	return fromRGB(rgb, c, h, w)
}

// webpYUVToRGB is libwebp's VP8YuvToRgb (src/dsp/yuv.h): BT.601 with Y in
// [16, 235], in 14-bit fixed point: R = 1.164(Y−16) + 1.596(V−128), etc.
func webpYUVToRGB(y, u, v uint8) (r, g, b uint8) {
	mulHi := func(a uint8, k int32) int32 { return int32(a) * k >> 8 }
	clip := func(x int32) uint8 {
		const fix = 6
		switch {
		case x&^(256<<fix-1) == 0:
			return uint8(x >> fix)
		case x < 0:
			return 0
		}
		return 255
	}
	yy := mulHi(y, 19077)
	return clip(yy + mulHi(v, 26149) - 14234),
		clip(yy - mulHi(u, 6419) - mulHi(v, 13320) + 8708),
		clip(yy + mulHi(u, 33050) - 17685)
}

// put3 stores one RGB pixel at index i of three planes of n values.
func put3[T uint8 | uint16](rgb []T, n, i int, r, g, b T) {
	rgb[i], rgb[n+i], rgb[2*n+i] = r, g, b
}

// unpremultiply8 recovers a stored colour value from a premultiplied one,
// as color.NRGBAModel does.
func unpremultiply8(v, a uint8) uint8 {
	if a == 0 {
		return 0
	}
	return uint8(uint32(v) * 0xff / uint32(a))
}

// unpremultiply16 is unpremultiply8 at 16 bits, as color.NRGBA64Model.
func unpremultiply16(v, a uint16) uint16 {
	if a == 0 {
		return 0
	}
	return uint16(uint32(v) * 0xffff / uint32(a))
}

// be16 reads a big-endian 16-bit value, the layout of Go's 16-bit images.
func be16(p []uint8) uint16 { return uint16(p[0])<<8 | uint16(p[1]) }

// cmyk8 is one channel of Pillow's CMYK→RGB conversion:
// (255−K) − round(ink·(255−K)/255), with Pillow's MULDIV255 rounding.
func cmyk8(ink uint8, nk uint32) uint8 {
	t := uint32(ink)*nk + 128
	return uint8(nk - ((t>>8)+t)>>8)
}

// fromGray returns a gray plane as c channels, replicating it for RGB.
func fromGray[T uint8 | uint16](g []T, c, h, w int) *pixels {
	v := g
	if c == 3 {
		v = make([]T, 3*len(g))
		copy(v, g)
		copy(v[len(g):], g)
		copy(v[2*len(g):], g)
	}
	return newPixels(v, c, h, w)
}

// fromRGB returns three planes as c channels: as they are, or as one gray
// plane by Pillow's integer luma L = (19595R + 38470G + 7471B + 2^15) >> 16,
// i.e. 0.299R + 0.587G + 0.114B rounded. The weights sum to 2^16, so it
// works unchanged at 16 bits.
func fromRGB[T uint8 | uint16](rgb []T, c, h, w int) *pixels {
	if c == 1 {
		n := h * w
		g := make([]T, n)
		for i := range g {
			g[i] = T((19595*uint64(rgb[i]) + 38470*uint64(rgb[n+i]) + 7471*uint64(rgb[2*n+i]) + 1<<15) >> 16)
		}
		rgb = g
	}
	return newPixels(rgb, c, h, w)
}

func newPixels[T uint8 | uint16](v []T, c, h, w int) *pixels {
	p := &pixels{c: c, h: h, w: w}
	switch v := any(v).(type) {
	case []uint8:
		p.u8 = v
	case []uint16:
		p.u16 = v
	}
	return p
}
