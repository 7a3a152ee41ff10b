package ops

import "gorgonia.org/tensor"

// walker addresses a "small" tensor from the positions of a "big" one of the
// same rank whose every axis either matches or has size 1 in the small one:
// the small tensor is the big one reduced over its size-1 axes (keepdim), or
// equivalently a tensor broadcast along them. Sum, Mean, their backward and
// Dropout's mask product all walk this way.
type walker struct {
	shape []int // big shape
	str   []int // small tensor's strides, 0 along broadcast axes
}

// newWalker returns the walker for big and small, which must have the same
// rank with small[d] ∈ {1, big[d]}; the callers check that.
func newWalker(big, small tensor.Shape) walker {
	str := make([]int, len(big))
	acc := 1
	for d := len(big) - 1; d >= 0; d-- {
		if small[d] != 1 || big[d] == 1 {
			str[d] = acc
		}
		acc *= small[d]
	}
	return walker{shape: big, str: str}
}

// rows calls fn for every row (a run along the last axis) of the big
// tensor, with off the row's start in the big tensor and soff the matching
// offset in the small one. Along the row the small tensor advances by step().
func (w walker) rows(fn func(off, soff int)) {
	r := len(w.shape)
	if r == 0 {
		fn(0, 0)
		return
	}
	last := w.shape[r-1]
	total := tensor.Shape(w.shape).TotalSize()
	if last == 0 || total == 0 {
		return
	}
	idx := make([]int, r-1)
	soff := 0
	for off := 0; off < total; off += last {
		fn(off, soff)
		for d := r - 2; d >= 0; d-- {
			idx[d]++
			soff += w.str[d]
			if idx[d] < w.shape[d] {
				break
			}
			soff -= w.str[d] * w.shape[d]
			idx[d] = 0
		}
	}
}

// rowLen is the length of a row, step the small tensor's stride along it.
func (w walker) rowLen() int {
	if len(w.shape) == 0 {
		return 1
	}
	return w.shape[len(w.shape)-1]
}

func (w walker) step() int {
	if len(w.shape) == 0 {
		return 0
	}
	return w.str[len(w.str)-1]
}
