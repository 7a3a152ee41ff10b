package train

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
)

// Confusion counts predictions: Counts[true][predicted]. It also keeps the
// top-k hits needed for top-k accuracy.
type Confusion struct {
	Classes []string
	Counts  [][]int
	// TopK[k-1] counts samples whose label is among the k best scores.
	TopK []int
	N    int
}

// NewConfusion returns an empty matrix for the named classes, tracking
// top-k accuracy up to maxK.
func NewConfusion(classes []string, maxK int) *Confusion {
	c := &Confusion{Classes: classes, Counts: make([][]int, len(classes)), TopK: make([]int, max(1, min(maxK, len(classes))))}
	for i := range c.Counts {
		c.Counts[i] = make([]int, len(classes))
	}
	return c
}

// Add records a batch of (N, K) scores against labels.
func (c *Confusion) Add(scores *tensor.Dense, labels []int) error {
	k := len(c.Classes)
	if scores.Dims() != 2 || scores.Shape()[1] != k || scores.Shape()[0] != len(labels) {
		return fmt.Errorf("confusion: scores %v for %d labels and %d classes", scores.Shape(), len(labels), k)
	}
	vals := graph.Float64s(scores)
	for i, l := range labels {
		if l < 0 || l >= k {
			return fmt.Errorf("confusion: label %d outside %d classes", l, k)
		}
		row := vals[i*k : (i+1)*k]
		rank := TopIndices(row, len(c.TopK))
		c.Counts[l][rank[0]]++
		for j, idx := range rank {
			if idx == l {
				for r := j; r < len(c.TopK); r++ {
					c.TopK[r]++
				}
				break
			}
		}
		c.N++
	}
	return nil
}

// Accuracy is the fraction of correct top-1 predictions.
func (c *Confusion) Accuracy() float64 { return c.TopKAccuracy(1) }

// TopKAccuracy is the fraction of samples whose label is among the k best
// scores.
func (c *Confusion) TopKAccuracy(k int) float64 {
	if c.N == 0 || k < 1 {
		return 0
	}
	k = min(k, len(c.TopK))
	return float64(c.TopK[k-1]) / float64(c.N)
}

// ClassStats are one class's precision, recall, F1 and support.
type ClassStats struct {
	Class                     string
	Precision, Recall, F1     float64
	Support, Predicted, Right int
}

// PerClass returns precision, recall and F1 per class (0 where undefined,
// as scikit-learn's zero_division=0).
func (c *Confusion) PerClass() []ClassStats {
	out := make([]ClassStats, len(c.Classes))
	for i, name := range c.Classes {
		s := ClassStats{Class: name, Right: c.Counts[i][i]}
		for j := range c.Classes {
			s.Support += c.Counts[i][j]
			s.Predicted += c.Counts[j][i]
		}
		if s.Predicted > 0 {
			s.Precision = float64(s.Right) / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = float64(s.Right) / float64(s.Support)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		out[i] = s
	}
	return out
}

// Report is a text report: accuracy, top-k accuracy, per-class precision,
// recall and F1, and their macro averages.
func (c *Confusion) Report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "samples: %d\naccuracy: %.4f\n", c.N, c.Accuracy())
	for k := 2; k <= len(c.TopK); k++ {
		if k == 3 || k == 5 || k == len(c.TopK) {
			fmt.Fprintf(&b, "top-%d accuracy: %.4f\n", k, c.TopKAccuracy(k))
		}
	}
	width := len("macro avg")
	for _, n := range c.Classes {
		width = max(width, len([]rune(n)))
	}
	fmt.Fprintf(&b, "\n%-*s  precision  recall  f1      support\n", width, "class")
	var mp, mr, mf float64
	for _, s := range c.PerClass() {
		fmt.Fprintf(&b, "%-*s  %9.4f  %6.4f  %6.4f  %7d\n", width, s.Class, s.Precision, s.Recall, s.F1, s.Support)
		mp, mr, mf = mp+s.Precision, mr+s.Recall, mf+s.F1
	}
	n := float64(max(len(c.Classes), 1))
	fmt.Fprintf(&b, "%-*s  %9.4f  %6.4f  %6.4f  %7d\n", width, "macro avg", mp/n, mr/n, mf/n, c.N)
	return b.String()
}

// TopIndices returns the indices of the k largest values, best first (ties
// by lower index).
func TopIndices(scores []float64, k int) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	return idx[:min(k, len(idx))]
}

// ConfusionOf evaluates the trainer's model on loader and returns the
// confusion matrix.
func (t *Trainer) ConfusionOf(ctx context.Context, loader *data.Loader, classes []string, maxK int) (*Confusion, error) {
	if err := t.checkModel(); err != nil {
		return nil, err
	}
	c := NewConfusion(classes, maxK)
	var addErr error
	err := Predictions(ctx, loader, func(x *tensor.Dense) (*graph.Program, error) {
		return t.program(graph.Eval, x)
	}, func(b *data.Batch, res graph.Result) {
		if addErr == nil {
			addErr = c.Add(res.Output, b.Labels)
		}
	})
	if err != nil {
		return nil, err
	}
	return c, addErr
}
