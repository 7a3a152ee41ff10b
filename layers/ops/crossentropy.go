package ops

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CrossEntropy returns the mean over the batch of −Σ_k target·log_softmax(logits)
// along axis 1: torch.nn.functional.cross_entropy with probability targets
// and reduction "mean". logits and target have the same shape, (N, K) or
// (N, K, d1, ...); in the latter case the mean is over N·d1·... positions,
// as in PyTorch. target holds one-hot rows or soft probabilities; for
// integer labels with label smoothing build it with SmoothLabels.
//
// The result is a scalar node. It is differentiable with respect to both
// inputs and exact for any spread of logits.
func CrossEntropy(logits, target *G.Node) (out *G.Node, err error) {
	defer recoverTo(&out, &err, "ops.CrossEntropy")
	if _, err := floatDtype("logits", logits); err != nil {
		return nil, fmt.Errorf("CrossEntropy: %w", err)
	}
	if err := sameGraphDtype("logits", logits, "target", target); err != nil {
		return nil, fmt.Errorf("CrossEntropy: %w", err)
	}
	s := logits.Shape()
	if s.Dims() < 2 {
		return nil, fmt.Errorf("ops.CrossEntropy: logits have shape %v; want (N, K) or (N, K, ...)", s)
	}
	if !target.Shape().Eq(s) {
		return nil, fmt.Errorf("ops.CrossEntropy: target has shape %v but logits %v; they must match (one row of K probabilities per sample)", target.Shape(), s)
	}
	ls, err := LogSoftmax(logits, 1)
	if err != nil {
		return nil, fmt.Errorf("CrossEntropy: %w", err)
	}
	p, err := G.HadamardProd(target, ls)
	if err != nil {
		return nil, fmt.Errorf("ops.CrossEntropy: target ⊙ log_softmax(logits) of %v: %w", s, err)
	}
	// Σ over everything with the sign and the divisor folded in.
	positions := s.TotalSize() / s[1]
	return reduce("CrossEntropy", p, nil, false, -1/float64(positions))
}

// SmoothLabels returns the (len(labels), k) row-major target of
// CrossEntropy for integer labels with label smoothing eps, as PyTorch's
// label_smoothing: (1−eps)·onehot(label) + eps/k. eps = 0 gives one-hot rows.
func SmoothLabels(labels []int, k int, eps float64) ([]float64, error) {
	if k < 1 {
		return nil, fmt.Errorf("ops.SmoothLabels: %d classes; want at least 1", k)
	}
	if !(eps >= 0 && eps <= 1) {
		return nil, fmt.Errorf("ops.SmoothLabels: eps %v is outside [0, 1]", eps)
	}
	out := make([]float64, len(labels)*k)
	off := eps / float64(k)
	for i, l := range labels {
		if l < 0 || l >= k {
			return nil, fmt.Errorf("ops.SmoothLabels: label %d of sample %d is outside [0, %d)", l, i, k)
		}
		row := out[i*k : (i+1)*k]
		for j := range row {
			row[j] = off
		}
		row[l] += 1 - eps
	}
	return out, nil
}

// SmoothLabelsInto writes the SmoothLabels target into dst, a float32 or
// float64 tensor of shape (len(labels), K), so that a graph's target node
// can be refilled in place before each run.
func SmoothLabelsInto(dst *tensor.Dense, labels []int, eps float64) error {
	if dst == nil || dst.Dims() != 2 || dst.Shape()[0] != len(labels) {
		var s tensor.Shape
		if dst != nil {
			s = dst.Shape()
		}
		return fmt.Errorf("ops.SmoothLabelsInto: dst has shape %v; want (%d, K)", s, len(labels))
	}
	t, err := SmoothLabels(labels, dst.Shape()[1], eps)
	if err != nil {
		return err
	}
	return fill(dst, t)
}

// fill copies src into the contiguous float32 or float64 tensor dst.
func fill(dst *tensor.Dense, src []float64) error {
	if dst.IsMaterializable() || dst.RequiresIterator() {
		return errors.New("destination is a view; pass a contiguous tensor")
	}
	if dst.Shape().TotalSize() != len(src) {
		return fmt.Errorf("destination has %d elements, want %d", dst.Shape().TotalSize(), len(src))
	}
	switch d := dst.Data().(type) {
	case []float64:
		copy(d, src)
	case []float32:
		for i, v := range src {
			d[i] = float32(v)
		}
	default:
		return fmt.Errorf("destination has dtype %v; want float32 or float64", dst.Dtype())
	}
	return nil
}
