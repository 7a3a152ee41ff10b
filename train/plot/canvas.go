package plot

import (
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// vgimgCanvas is a PNG canvas of the given size at 96 dpi.
func vgimgCanvas(w, h vg.Length) vgimg.PngCanvas {
	return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96))}
}

// subCanvas is the i-th of n equal columns of img.
func subCanvas(img vgimg.PngCanvas, i, n int) draw.Canvas {
	dc := draw.New(img)
	w := dc.Max.X - dc.Min.X
	col := w / vg.Length(n)
	dc.Min.X, dc.Max.X = dc.Min.X+col*vg.Length(i), dc.Min.X+col*vg.Length(i+1)
	return dc
}
