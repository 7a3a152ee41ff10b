package plot

import (
	"errors"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/tanren-ml/tanren/internal/atomicfile"
)

// Series is one named curve.
type Series struct {
	Name string
	X, Y []float64
}

// Chart describes a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	// LogX draws the x axis on a log scale (learning-rate sweeps).
	LogX bool
	// LogY draws the y axis on a log scale (losses that span orders of
	// magnitude); points with y ≤ 0 are left out.
	LogY bool
	// LegendBottom puts the legend at the bottom right (for rising curves).
	LegendBottom bool
	Series       []Series
}

// Lines draws charts side by side into a PNG file, written atomically.
func Lines(path string, charts ...Chart) error {
	if len(charts) == 0 {
		return errors.New("plot: no charts")
	}
	const w, h = 6 * vg.Inch, 4 * vg.Inch
	plots := make([]*plot.Plot, len(charts))
	for i, c := range charts {
		p, err := lineChart(c)
		if err != nil {
			return fmt.Errorf("plot %q: %w", c.Title, err)
		}
		plots[i] = p
	}
	img := vgimgCanvas(w*vg.Length(len(plots)), h)
	for i, p := range plots {
		p.Draw(subCanvas(img, i, len(plots)))
	}
	return atomicfile.Write(path, func(out io.Writer) error {
		_, err := img.WriteTo(out)
		return err
	})
}

func lineChart(c Chart) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = c.Title, c.XLabel, c.YLabel
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: 1}
	}
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Add(plotter.NewGrid())
	for i, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("series %q has %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			if math.IsNaN(s.Y[j]) || math.IsInf(s.Y[j], 0) || (c.LogX && s.X[j] <= 0) || (c.LogY && s.Y[j] <= 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: s.X[j], Y: s.Y[j]})
		}
		if len(pts) == 0 {
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i / 7)
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	p.Legend.Top = !c.LegendBottom
	return p, nil
}
