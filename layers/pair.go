package layers

// Pair is a (height, width) pair such as a kernel size or a stride.
type Pair [2]int

// Sq returns the pair (n, n).
func Sq(n int) Pair { return Pair{n, n} }

// or returns p, or def where p is zero.
func (p Pair) or(def Pair) Pair {
	if p == (Pair{}) {
		return def
	}
	return p
}

func (p Pair) ints() []int { return []int{p[0], p[1]} }
