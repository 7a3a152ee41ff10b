package plot

import (
	"errors"
	"fmt"
	"math"

	"github.com/tanren-ml/tanren/train"
)

// LRSweep draws a learning-rate sweep's smoothed loss against the learning
// rate on a log scale into a PNG at path (written atomically), without the
// last 5 points as fastai plots it (train.LRSweep.Plotted), with a vertical
// line at each suggestion.
func LRSweep(path string, s *train.LRSweep) error {
	if s == nil || len(s.LRs) == 0 {
		return errors.New("plot lr: the sweep has no points")
	}
	lrs, losses := s.Plotted()
	series := []Series{{Name: "smoothed loss", X: lrs, Y: losses}}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, l := range losses {
		if !math.IsNaN(l) && !math.IsInf(l, 0) {
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
	}
	if lo <= hi {
		for _, sg := range []struct {
			name string
			s    train.LRSuggestion
		}{{"valley", s.Valley}, {"steepest", s.Steepest}} {
			if sg.s.LR > 0 {
				series = append(series, Series{Name: fmt.Sprintf("%s %.2g", sg.name, sg.s.LR),
					X: []float64{sg.s.LR, sg.s.LR}, Y: []float64{lo, hi}})
			}
		}
	}
	return Lines(path, Chart{Title: "learning-rate finder", XLabel: "learning rate", YLabel: "smoothed loss", LogX: true, Series: series})
}
