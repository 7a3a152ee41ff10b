package onnx

import (
	"fmt"

	L "github.com/tanren-ml/tanren/layers"
)

// pairOr returns p, or def where p is zero (layers.Pair's defaults).
func pairOr(p, def L.Pair) L.Pair {
	if p == (L.Pair{}) {
		return def
	}
	return p
}

// windows is the number of positions of a window of size k (dilated by
// dil) moved by stride over in elements padded by pad on both sides, as
// PyTorch computes it for convolutions and pools. With ceil a last, partial
// window counts, unless it would start in the right padding (PyTorch's
// rule, which not every ONNX runtime follows: see endPad). It is ≤ 0 when
// the window does not fit.
func windows(in, k, stride, pad, dil int, ceil bool) int {
	span := in + 2*pad - dil*(k-1) - 1
	if span < 0 {
		return 0
	}
	if ceil {
		span += stride - 1
	}
	n := span/stride + 1
	if ceil && (n-1)*stride >= in+pad {
		n--
	}
	return n
}

// endPad is the padding after the input that makes n windows (dilation 1) fit exactly
// (floor mode) when they start with pad before it: pad itself, or more for
// the partial last window of ceil mode. Explicit end padding gives PyTorch's
// ceil-mode size in every runtime, whichever rule its ceil_mode follows.
func endPad(in, k, stride, pad, n int) int {
	return max(pad, (n-1)*stride+k-in-pad)
}

// spatial checks that x is NCHW with the given channels (when its shape
// is known) and returns its height and width (0, 0 when unknown).
func spatial(kind string, x Value, channels int) (h, w int, err error) {
	if !x.Known() {
		return 0, 0, nil
	}
	if x.Rank() != 4 || (channels > 0 && x.shape[1] != channels) {
		if channels > 0 {
			return 0, 0, fmt.Errorf("%s needs NCHW input with %d channels, got %s", kind, channels, shapeString(x.shape))
		}
		return 0, 0, fmt.Errorf("%s needs NCHW input, got %s", kind, shapeString(x.shape))
	}
	return x.shape[2], x.shape[3], nil
}
