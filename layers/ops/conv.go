package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convInputs checks what every convolution of this package needs of its
// inputs: x and w float nodes of one graph and dtype, both 4-D. It returns
// the prefix of every error message, naming the op and the shapes.
func convInputs(name string, x, w *G.Node, wantW string) (where string, err error) {
	if _, err := floatDtype("x", x); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if err := sameGraphDtype("x", x, "w", w); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	xs, ws := x.Shape(), w.Shape()
	where = fmt.Sprintf("ops.%s of x %v with w %v", name, xs, ws)
	if xs.Dims() != 4 || ws.Dims() != 4 {
		return where, fmt.Errorf("%s: want x (N, C, H, W) and w %s", where, wantW)
	}
	return where, nil
}

// convGeometry applies PyTorch's defaults to stride and dilation (a zero
// component means 1) and checks that no component of stride, pad or
// dilation is negative and that the dilated kernel of w (·, ·, kh, kw) fits
// into the padded input x (N, C, H, W).
func convGeometry(where string, xs, ws tensor.Shape, stride, pad, dilation [2]int) (s, d [2]int, err error) {
	for i := 0; i < 2; i++ {
		if ws[2+i] < 1 || xs[2+i] < 1 {
			return s, d, fmt.Errorf("%s: empty kernel or image", where)
		}
		if stride[i] == 0 {
			stride[i] = 1
		}
		if dilation[i] == 0 {
			dilation[i] = 1
		}
		if stride[i] < 0 || dilation[i] < 0 || pad[i] < 0 {
			return s, d, fmt.Errorf("%s: stride %v, pad %v and dilation %v must not be negative", where, stride, pad, dilation)
		}
		if xs[2+i]+2*pad[i] < dilation[i]*(ws[2+i]-1)+1 {
			return s, d, fmt.Errorf("%s: the dilated kernel is larger than the padded input", where)
		}
	}
	return stride, dilation, nil
}
