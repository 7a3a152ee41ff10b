package plot

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tanren-ml/tanren/internal/atomicfile"
	"github.com/tanren-ml/tanren/train"
)

// Confusion draws the confusion matrix as a PNG heat map: rows are true
// classes, columns predictions, each cell shaded by the fraction of its row
// and labelled with its count.
func Confusion(path string, c *train.Confusion) error {
	k := len(c.Classes)
	if k == 0 || len(c.Counts) != k {
		return errors.New("plot confusion: no classes")
	}
	cell := vg.Length(36)
	if k > 20 {
		cell = vg.Length(max(12, 720/k))
	}
	small, title := text(10, draw.XLeft), text(12, draw.XCenter)
	const heading = "rows: true class, columns: predicted"
	// Margins fit the longest (shortened) class name as drawn, so the grid
	// has no empty band beside it; the grid is centred under the title.
	labelW := vg.Length(0)
	for _, name := range c.Classes {
		labelW = max(labelW, small.Width(short(name, 18)))
	}
	const pad, topPad = vg.Length(10), vg.Length(30)
	side := cell * vg.Length(k)
	content := labelW + 6 + side
	width := max(content, title.Width(heading)) + 2*pad
	left := (width-content)/2 + labelW + 6
	bottom := labelW + 14 + pad
	img := vgimgCanvas(width, topPad+side+bottom)
	dc := draw.New(img)
	top := dc.Max.Y - topPad
	dc.FillText(title, vg.Point{X: (dc.Max.X + dc.Min.X) / 2, Y: dc.Max.Y - 20}, heading)
	for i := 0; i < k; i++ {
		support := 0
		for _, v := range c.Counts[i] {
			support += v
		}
		y := top - cell*vg.Length(i+1)
		dc.FillText(align(small, draw.XRight), vg.Point{X: left - 6, Y: y + cell/2 - 4}, short(c.Classes[i], 18))
		for j := 0; j < k; j++ {
			x := left + cell*vg.Length(j)
			frac := 0.0
			if support > 0 {
				frac = float64(c.Counts[i][j]) / float64(support)
			}
			shade := uint8(255 - 200*frac)
			dc.SetColor(color.RGBA{R: shade, G: shade, B: 255, A: 255})
			dc.Fill(square(x, y, cell))
			if cell >= 24 {
				label := align(small, draw.XCenter)
				if frac > 0.6 {
					label.Color = color.White
				}
				dc.FillText(label, vg.Point{X: x + cell/2, Y: y + cell/2 - 4}, fmt.Sprint(c.Counts[i][j]))
			}
		}
	}
	for j := 0; j < k; j++ {
		label := align(small, draw.XRight)
		label.Rotation = math.Pi / 2
		dc.FillText(label, vg.Point{X: left + cell*vg.Length(j) + cell/2 + 4, Y: top - side - 14}, short(c.Classes[j], 18))
	}
	return atomicfile.Write(path, func(out io.Writer) error {
		_, err := img.WriteTo(out)
		return err
	})
}

func text(size vg.Length, x draw.XAlignment) draw.TextStyle {
	return draw.TextStyle{Color: color.Black, Font: sized(size), XAlign: x, Handler: plot.DefaultTextHandler}
}

func align(s draw.TextStyle, x draw.XAlignment) draw.TextStyle {
	s.XAlign = x
	return s
}

func square(x, y, side vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x, Y: y})
	p.Line(vg.Point{X: x + side, Y: y})
	p.Line(vg.Point{X: x + side, Y: y + side})
	p.Line(vg.Point{X: x, Y: y + side})
	p.Close()
	return p
}

// short cuts a long class name for a label.
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func sized(size vg.Length) font.Font {
	f := plot.DefaultFont
	f.Size = size
	return f
}
