package train

import (
	"fmt"
	"math"
)

// LRSweep is the result of FindLR: the learning rate and the loss of every
// step, why the sweep ended, and the suggested learning rates.
type LRSweep struct {
	// LRs holds the learning rate of each step.
	LRs []float64
	// Losses holds the smoothed loss after each step: the debiased moving
	// average of RawLosses. This is the curve fastai plots.
	Losses []float64
	// RawLosses holds the training loss of each step's batch (penalties
	// included), computed before that step's update.
	RawLosses []float64
	// Stopped says why the sweep ended before NumIter steps ("" when it
	// ran them all).
	Stopped string
	// Steepest is where the smoothed loss falls fastest per unit of
	// log(lr) (fastai's steep).
	Steepest LRSuggestion
	// Valley is fastai's valley suggestion (its default): a point inside
	// the longest descending stretch of the curve.
	Valley LRSuggestion
}

// LRSuggestion is one suggested learning rate and the curve point it
// comes from.
type LRSuggestion struct {
	// LR is the suggested learning rate.
	LR float64
	// Loss is the smoothed loss at that point.
	Loss float64
	// Index is the step of the point in LRSweep.LRs.
	Index int
}

func (s LRSuggestion) String() string {
	return fmt.Sprintf("%.3g (step %d, smoothed loss %.4g)", s.LR, s.Index, s.Loss)
}

// suggest computes the suggestions from the curve, as fastai's lr_find
// does: on the points [numIter/10, len−5), cut before the first non-finite
// loss.
func (s *LRSweep) suggest(numIter int) error {
	finite := len(s.Losses)
	for i, l := range s.Losses {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			finite = i
			break
		}
	}
	lo, hi := numIter/10, min(len(s.Losses)-skipEnd, finite)
	if hi-lo < 2 {
		lo, hi = 0, finite
	}
	if hi-lo < 2 {
		return fmt.Errorf("find lr: no suggestion: the loss was finite for only %d step(s) (%s); lower StartLR", finite, s.Stopped)
	}
	lrs, losses := s.LRs[lo:hi], s.Losses[lo:hi]
	k := steepest(lrs, losses)
	s.Steepest = LRSuggestion{LR: lrs[k], Loss: losses[k], Index: lo + k}
	k = valley(losses)
	s.Valley = LRSuggestion{LR: lrs[k], Loss: losses[k], Index: lo + k}
	return nil
}

// steepest returns the index k where (loss[k+1]−loss[k]) / (log lr[k+1] −
// log lr[k]) is smallest (fastai's steep; the first on ties).
func steepest(lrs, losses []float64) int {
	best, k := math.Inf(1), 0
	for i := 0; i+1 < len(losses); i++ {
		g := (losses[i+1] - losses[i]) / (math.Log(lrs[i+1]) - math.Log(lrs[i]))
		if g < best {
			best, k = g, i
		}
	}
	return k
}

// valley is fastai's valley suggestion: lds[i] is the length of the
// longest strictly decreasing subsequence of losses ending at i; the
// valley ends where lds is largest (first on ties) and starts lds points
// before it; the suggestion is ⌊L/3⌋ + ⌊L/6⌋ points after the start, for L
// the valley's length, i.e. about halfway down the valley's steps. fastai
// can compute −1 for a valley that starts at the first point (Python then
// takes the last point); here the index is clamped to the curve.
func valley(losses []float64) int {
	n := len(losses)
	lds := make([]int, n)
	for i := range lds {
		lds[i] = 1
	}
	maxStart, maxEnd := 0, 0
	for i := 1; i < n; i++ {
		for j := 0; j < i; j++ {
			if losses[i] < losses[j] && lds[i] < lds[j]+1 {
				lds[i] = lds[j] + 1
			}
			if lds[maxEnd] < lds[i] {
				maxEnd = i
				maxStart = maxEnd - lds[maxEnd]
			}
		}
	}
	sections := float64(maxEnd-maxStart) / 3
	idx := maxStart + int(sections) + int(sections/2)
	return min(max(idx, 0), n-1)
}

// Plotted returns the points a plot of the sweep shows: every point but the
// last 5, as fastai plots it (unless the curve is that short).
func (s *LRSweep) Plotted() (lrs, losses []float64) {
	n := len(s.LRs)
	if n > 2*skipEnd {
		n -= skipEnd
	}
	return s.LRs[:n], s.Losses[:n]
}
