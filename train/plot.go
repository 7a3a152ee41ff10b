package train

import (
	"io"
	"math"

	"github.com/pkg/errors"
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
	// LegendBottom puts the legend at the bottom right (for rising curves).
	LegendBottom bool
	Series       []Series
}

// PlotLines draws charts side by side into a PNG file, written atomically.
func PlotLines(path string, charts ...Chart) error {
	if len(charts) == 0 {
		return errors.New("plot: no charts")
	}
	const w, h = 6 * vg.Inch, 4 * vg.Inch
	plots := make([]*plot.Plot, len(charts))
	for i, c := range charts {
		p, err := lineChart(c)
		if err != nil {
			return errors.Wrapf(err, "plot %q", c.Title)
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
	p.Add(plotter.NewGrid())
	for i, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, errors.Errorf("series %q has %d x and %d y values", s.Name, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, 0, len(s.X))
		for j := range s.X {
			if math.IsNaN(s.Y[j]) || math.IsInf(s.Y[j], 0) || (c.LogX && s.X[j] <= 0) {
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

// PlotHistory draws loss and accuracy per epoch, training and validation,
// into a PNG file.
func PlotHistory(path, title string, h *History) error {
	var ep, loss, acc, vloss, vacc []float64
	for _, e := range h.Epochs {
		ep = append(ep, float64(e.Epoch))
		loss = append(loss, e.Train.Loss)
		acc = append(acc, e.Train.Accuracy)
		if e.Val != nil {
			vloss = append(vloss, e.Val.Loss)
			vacc = append(vacc, e.Val.Accuracy)
		}
	}
	lossChart := Chart{Title: title + ": loss", XLabel: "epoch", YLabel: "loss", Series: []Series{{Name: "train", X: ep, Y: loss}}}
	accChart := Chart{Title: title + ": accuracy", LegendBottom: true, XLabel: "epoch", YLabel: "accuracy", Series: []Series{{Name: "train", X: ep, Y: acc}}}
	if len(vloss) == len(ep) && len(ep) > 0 {
		lossChart.Series = append(lossChart.Series, Series{Name: "validation", X: ep, Y: vloss})
		accChart.Series = append(accChart.Series, Series{Name: "validation", X: ep, Y: vacc})
	}
	return PlotLines(path, lossChart, accChart)
}
