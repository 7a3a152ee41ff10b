package augment

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
)

// MixUp (Zhang et al. 2018) replaces a batch by convex combinations of
// pairs of its samples: with λ ~ Beta(Alpha, Alpha) and a random
// permutation π of the batch (the paper's reference code),
//
//	x_i ← λ·x_i + (1−λ)·x_π(i),   t_i ← λ·t_i + (1−λ)·t_π(i)
//
// where t are the batch's targets (one-hot or soft). Train with a
// cross-entropy that accepts soft targets (layers.CrossEntropy does); the
// Loader must set NumClasses so that batches carry Targets. Labels are
// left as they were (the dominant label when λ ≥ ½), so training accuracy
// is measured against the unmixed labels.
type MixUp struct {
	// Alpha is the Beta distribution's parameter; 0 means 1 (λ uniform,
	// torchvision's default). Smaller values mix less (0.2 is common on
	// ImageNet).
	Alpha float64
	// P is the probability of mixing a batch; 0 means 1.
	P float64
}

// CutMix (Yun et al. 2019) pastes a rectangle from another sample of the
// batch into each sample, with torchvision's CutMix box: λ ~ Beta(Alpha,
// Alpha), a center uniform over the image, half-sides ⌊½√(1−λ)·W⌋ and
// ⌊½√(1−λ)·H⌋, clipped to the image; the targets are mixed with the
// pasted area's actual fraction, t_i ← λ'·t_i + (1−λ')·t_π(i) with
// λ' = 1 − area/(H·W). Partners come from a random permutation π, as in
// MixUp. Batches need Targets (set Loader.NumClasses).
type CutMix struct {
	// Alpha is the Beta distribution's parameter; 0 means 1.
	Alpha float64
	// P is the probability of mixing a batch; 0 means 1.
	P float64
}

var (
	_ data.BatchTransform = MixUp{}
	_ data.BatchTransform = CutMix{}
)

// Apply mixes the batch in place.
func (m MixUp) Apply(rng *rand.Rand, b *data.Batch) error {
	lam, perm, ok, err := mixDraw("mixup", rng, b, m.Alpha, m.P)
	if err != nil || !ok {
		return err
	}
	switch x := b.X.Data().(type) {
	case []float32:
		mixRows(x, b.Len(), perm, lam)
	case []float64:
		mixRows(x, b.Len(), perm, lam)
	}
	return mixTargets(b, perm, lam)
}

// Apply pastes a box into every sample of the batch, in place.
func (m CutMix) Apply(rng *rand.Rand, b *data.Batch) error {
	lam, perm, ok, err := mixDraw("cutmix", rng, b, m.Alpha, m.P)
	if err != nil || !ok {
		return err
	}
	shape := b.X.Shape()
	if len(shape) != 4 {
		return fmt.Errorf("cutmix: images have shape %v, want (N, C, H, W)", shape)
	}
	c, h, w := shape[1], shape[2], shape[3]
	rx, ry := rng.IntN(w), rng.IntN(h)
	r := 0.5 * math.Sqrt(1-lam)
	hw, hh := int(r*float64(w)), int(r*float64(h))
	x1, y1 := max(rx-hw, 0), max(ry-hh, 0)
	x2, y2 := min(rx+hw, w), min(ry+hh, h)
	box := [4]int{y1, y2, x1, x2}
	switch x := b.X.Data().(type) {
	case []float32:
		pasteBox(x, perm, c, h, w, box)
	case []float64:
		pasteBox(x, perm, c, h, w, box)
	}
	adjusted := 1 - float64((x2-x1)*(y2-y1))/float64(w*h)
	return mixTargets(b, perm, adjusted)
}

// mixDraw validates the batch and draws whether to mix, λ and the
// partners.
func mixDraw(what string, rng *rand.Rand, b *data.Batch, alpha, p float64) (lam float64, perm []int, ok bool, err error) {
	if alpha == 0 {
		alpha = 1
	}
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		return 0, nil, false, fmt.Errorf("%s: Alpha = %v must be finite and > 0", what, alpha)
	}
	if p, err = probability(what, p, 1); err != nil {
		return 0, nil, false, err
	}
	if b == nil || b.X == nil {
		return 0, nil, false, fmt.Errorf("%s: empty batch", what)
	}
	if b.Targets == nil {
		return 0, nil, false, fmt.Errorf("%s: the batch has no Targets to mix: set Loader.NumClasses", what)
	}
	n := b.Len()
	if b.X.Shape()[0] != n || b.Targets.Shape()[0] != n {
		return 0, nil, false, fmt.Errorf("%s: batch of %d labels has images %v and targets %v", what, n, b.X.Shape(), b.Targets.Shape())
	}
	if b.X.Dtype() != b.Targets.Dtype() || (b.X.Dtype() != tensor.Float32 && b.X.Dtype() != tensor.Float64) {
		return 0, nil, false, fmt.Errorf("%s: images (%v) and targets (%v) must both be float32 or float64", what, b.X.Dtype(), b.Targets.Dtype())
	}
	if p < 1 && rng.Float64() >= p {
		return 0, nil, false, nil
	}
	return betaSample(rng, alpha, alpha), rng.Perm(n), true, nil
}

// mixTargets mixes the target rows with their partners' rows.
func mixTargets(b *data.Batch, perm []int, lam float64) error {
	switch t := b.Targets.Data().(type) {
	case []float32:
		mixRows(t, b.Len(), perm, lam)
	case []float64:
		mixRows(t, b.Len(), perm, lam)
	default:
		return fmt.Errorf("mix: targets of dtype %v", b.Targets.Dtype())
	}
	return nil
}

// mixRows sets row i of the n rows of v to lam·row i + (1−lam)·row perm[i],
// reading from a copy so partners are the original rows.
func mixRows[T float](v []T, n int, perm []int, lam float64) {
	orig := append([]T(nil), v...)
	size := len(v) / n
	l, r := T(lam), T(1-lam)
	for i, j := range perm {
		dst, a, b := v[i*size:(i+1)*size], orig[i*size:(i+1)*size], orig[j*size:(j+1)*size]
		for k := range dst {
			dst[k] = l*a[k] + r*b[k]
		}
	}
}

// pasteBox copies the box rows [y1, y2) × columns [x1, x2) of every
// channel of sample perm[i] into sample i.
func pasteBox[T float](v []T, perm []int, c, h, w int, box [4]int) {
	y1, y2, x1, x2 := box[0], box[1], box[2], box[3]
	if y2 <= y1 || x2 <= x1 {
		return
	}
	orig := append([]T(nil), v...)
	size := c * h * w
	for i, j := range perm {
		for ch := range c {
			for y := y1; y < y2; y++ {
				off := ch*h*w + y*w
				copy(v[i*size+off+x1:i*size+off+x2], orig[j*size+off+x1:j*size+off+x2])
			}
		}
	}
}
