package ops

import (
	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
)

// bilinearPass selects what one op of a bilinear family F(x, w) computes:
// F itself or one of its adjoints, X in x and W in w, which are the input
// and weight gradients. Linear, Conv2d and DepthwiseConv2d are such
// families: all three passes are bilinear, so one gradient rule serves the
// forward pass, the backward passes and higher derivatives.
type bilinearPass uint8

const (
	passForward bilinearPass = iota // y = F(x, w)
	passGradX                       // dx = X(w, dy), ⟨X(w, dy), g⟩ = ⟨dy, F(g, w)⟩
	passGradW                       // dw = W(x, dy), ⟨W(x, dy), g⟩ = ⟨dy, F(x, g)⟩
)

// bilinearGrads is that rule: for pass p applied to (a, b) and the
// upstream gradient g, the gradient with respect to a is pass pa applied to
// (a1, a2), and the gradient with respect to b is pass pb applied to
// (b1, b2).
func bilinearGrads(p bilinearPass, a, b, g *G.Node) (pa bilinearPass, a1, a2 *G.Node, pb bilinearPass, b1, b2 *G.Node) {
	switch p {
	case passGradX: // (w, dy): dw = W(g, dy), d(dy) = F(g, w)
		return passGradW, g, b, passForward, g, a
	case passGradW: // (x, dy): dx = X(g, dy), d(dy) = F(x, g)
		return passGradX, g, b, passForward, a, g
	}
	// (x, w): dx = X(w, g), dw = W(x, g)
	return passGradX, b, g, passGradW, a, g
}

// biasInput says whether a bilinear op's forward pass takes a bias (a
// vector) as a third input after the input and the weight.
type biasInput bool

func (b biasInput) arity() int {
	if b {
		return 3
	}
	return 2
}

// fnType is the op's type for an input, weight and output of rank dims.
func (b biasInput) fnType(dims int) hm.Type {
	if b {
		return fnType(dims, dims, dims, 1)
	}
	return fnType(dims, dims, dims)
}
