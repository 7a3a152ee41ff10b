package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2dGrouped is a 2-D convolution with PyTorch's groups semantics
// (torch.nn.functional.conv2d without bias): x is (N, Cin, H, W), w is
// (Cout, Cin/groups, kh, kw); input channels and filters are split into
// groups convolved separately, and the outputs are concatenated along the
// channel axis. A zero stride or dilation component means 1, PyTorch's
// default; pad is symmetric zero padding.
//
// It is composed of Gorgonia primitives verified against PyTorch: per group
// a Slice of x and of w, Conv2d, then one Concat (for groups = 1 just
// Conv2d). Each group runs its own im2col and matrix product and adds
// nodes to the graph, so many small groups are slow to run and to compile:
// for a depthwise convolution (groups = Cin = Cout) use DepthwiseConv2d.
func Conv2dGrouped(x, w *G.Node, groups int, stride, pad, dilation [2]int) (out *G.Node, err error) {
	where, err := convInputs("Conv2dGrouped", x, w, "(Cout, Cin/groups, kh, kw)")
	if err != nil {
		return nil, err
	}
	where = fmt.Sprintf("%s, groups %d", where, groups)
	xs, ws := x.Shape(), w.Shape()
	if groups < 1 || xs[1]%groups != 0 || ws[0]%groups != 0 {
		return nil, fmt.Errorf("%s: groups must be positive and divide Cin and Cout", where)
	}
	cin, cout := xs[1]/groups, ws[0]/groups
	if ws[1] != cin {
		return nil, fmt.Errorf("%s: w has %d input channels per group; want Cin/groups = %d", where, ws[1], cin)
	}
	if stride, dilation, err = convGeometry(where, xs, ws, stride, pad, dilation); err != nil {
		return nil, err
	}
	// Gorgonia panics on some invalid graphs; keep that from escaping.
	defer recoverTo(&out, &err, where)
	kernel := tensor.Shape{ws[2], ws[3]}
	conv := func(x, w *G.Node) (*G.Node, error) {
		return G.Conv2d(x, w, kernel, pad[:], stride[:], dilation[:])
	}
	if groups == 1 {
		if out, err = conv(x, w); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		return out, nil
	}
	outs := make(G.Nodes, groups)
	for g := 0; g < groups; g++ {
		xg, err := sliceChannels(x, 1, g*cin, cin)
		if err != nil {
			return nil, fmt.Errorf("%s: group %d: %w", where, g, err)
		}
		wg, err := sliceChannels(w, 0, g*cout, cout)
		if err != nil {
			return nil, fmt.Errorf("%s: group %d: %w", where, g, err)
		}
		if outs[g], err = conv(xg, wg); err != nil {
			return nil, fmt.Errorf("%s: group %d: %w", where, g, err)
		}
	}
	if out, err = G.Concat(1, outs...); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return out, nil
}

// sliceChannels takes n channels from start along axis (0 or 1) of a 4-D
// node, keeping the axis even when n is 1.
func sliceChannels(x *G.Node, axis, start, n int) (*G.Node, error) {
	sl := make([]tensor.Slice, axis+1)
	sl[axis] = G.S(start, start+n)
	y, err := G.Slice(x, sl...)
	if err != nil {
		return nil, err
	}
	if y.Dims() != 4 {
		want := x.Shape()
		want[axis] = n
		return G.Reshape(y, want)
	}
	return y, nil
}
