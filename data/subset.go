package data

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// View is a Dataset that presents selected samples of a parent dataset,
// optionally with relabeled classes. It copies no samples. Subset, PerClass,
// FilterClasses and RandomSplit return Views.
type View struct {
	parent  Dataset
	indices []int
	relabel map[int]int // parent label → label of the view; nil keeps labels
	classes []string    // names after relabeling; nil defers to the parent
}

var (
	_ Dataset    = (*View)(nil)
	_ ClassNamer = (*View)(nil)
	_ Labeler    = (*View)(nil)
)

// Subset returns the samples of ds at the given indices, in that order.
// Indices may repeat (to oversample). The slice is copied.
func Subset(ds Dataset, indices []int) (*View, error) {
	if ds == nil {
		return nil, errors.New("data: Subset: nil dataset")
	}
	n := ds.Len()
	for k, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("data: Subset: indices[%d] = %d is out of range for a dataset of %d samples", k, i, n)
		}
	}
	return &View{parent: ds, indices: slices.Clone(indices)}, nil
}

// PerClass returns n samples of every class that occurs in ds, chosen
// uniformly at random without replacement with the given seed (not the
// first n), so that few-shot subsets are representative. The result lists
// the chosen samples in their order in ds. It is an error if a class that
// occurs has fewer than n samples.
func PerClass(ds Dataset, n int, seed int64) (*View, error) {
	if n < 1 {
		return nil, fmt.Errorf("data: PerClass: n = %d must be at least 1", n)
	}
	labels, err := Labels(ds)
	if err != nil {
		return nil, fmt.Errorf("data: PerClass: %w", err)
	}
	byClass := map[int][]int{}
	for i, l := range labels {
		byClass[l] = append(byClass[l], i)
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	slices.Sort(classes) // map order is random; the draw must not be
	rng := rand.New(rand.NewPCG(splitMix64(uint64(seed)), 0x5045524353414d50))
	var picked []int
	for _, c := range classes {
		idx := byClass[c]
		if len(idx) < n {
			return nil, fmt.Errorf("data: PerClass: class %d has %d samples, fewer than the %d asked for", c, len(idx), n)
		}
		// Partial Fisher–Yates: the first n entries become a uniform sample.
		for k := range n {
			j := k + rng.IntN(len(idx)-k)
			idx[k], idx[j] = idx[j], idx[k]
		}
		picked = append(picked, idx[:n]...)
	}
	slices.Sort(picked)
	return &View{parent: ds, indices: picked}, nil
}

// FilterClasses returns the samples of ds whose label is in classes, in
// their order in ds. With relabel, classes[k] becomes label k (so digits
// 5–9 become 0–4), class names are selected likewise, and a soft Target is
// reduced to the entries of the kept classes (not renormalized).
func FilterClasses(ds Dataset, classes []int, relabel bool) (*View, error) {
	if len(classes) == 0 {
		return nil, errors.New("data: FilterClasses: no classes given")
	}
	remap := make(map[int]int, len(classes))
	for k, c := range classes {
		if c < 0 {
			return nil, fmt.Errorf("data: FilterClasses: class %d is negative", c)
		}
		if _, dup := remap[c]; dup {
			return nil, fmt.Errorf("data: FilterClasses: class %d is listed twice", c)
		}
		remap[c] = k
	}
	labels, err := Labels(ds)
	if err != nil {
		return nil, fmt.Errorf("data: FilterClasses: %w", err)
	}
	v := &View{parent: ds}
	for i, l := range labels {
		if _, ok := remap[l]; ok {
			v.indices = append(v.indices, i)
		}
	}
	if relabel {
		v.relabel = remap
		if names := ClassesOf(ds); names != nil {
			v.classes = make([]string, len(classes))
			for k, c := range classes {
				if c >= len(names) {
					return nil, fmt.Errorf("data: FilterClasses: class %d has no name; the dataset names %d classes", c, len(names))
				}
				v.classes[k] = names[c]
			}
		}
	}
	return v, nil
}

// RandomSplit splits ds at random into a training part and a validation part
// of round(valFraction·Len) samples, valFraction in [0, 1]. The same seed
// gives the same split. Each part lists its samples in their order in ds.
// (It is not called Split because Split names the MNIST train/test choice.)
func RandomSplit(ds Dataset, valFraction float64, seed int64) (train, val *View, err error) {
	if ds == nil {
		return nil, nil, errors.New("data: RandomSplit: nil dataset")
	}
	if !(valFraction >= 0 && valFraction <= 1) {
		return nil, nil, fmt.Errorf("data: RandomSplit: validation fraction %g must be in [0, 1]", valFraction)
	}
	n := ds.Len()
	nVal := int(math.Round(valFraction * float64(n)))
	rng := rand.New(rand.NewPCG(splitMix64(uint64(seed)), 0x53504c4954))
	perm := rng.Perm(n)
	vi, ti := perm[:nVal], perm[nVal:]
	slices.Sort(vi)
	slices.Sort(ti)
	return &View{parent: ds, indices: ti}, &View{parent: ds, indices: vi}, nil
}

// Len returns the number of selected samples.
func (v *View) Len() int { return len(v.indices) }

// Get returns selected sample i, relabeled if the view relabels.
func (v *View) Get(i int) (Sample, error) {
	if err := checkIndex(i, len(v.indices), "View.Get"); err != nil {
		return Sample{}, err
	}
	s, err := v.parent.Get(v.indices[i])
	if err != nil {
		return s, err
	}
	if v.relabel == nil {
		return s, nil
	}
	l, ok := v.relabel[s.Label]
	if !ok {
		return Sample{}, fmt.Errorf("data: View.Get: sample %d (parent index %d) has label %d, which the view does not keep; did the parent change?", i, v.indices[i], s.Label)
	}
	if s.Target != nil {
		t := make([]float32, len(v.relabel))
		for c, k := range v.relabel {
			if c >= len(s.Target) {
				return Sample{}, fmt.Errorf("data: View.Get: sample %d has a soft target of %d classes, too short for class %d", i, len(s.Target), c)
			}
			t[k] = s.Target[c]
		}
		s.Target = t
	}
	s.Label = l
	return s, nil
}

// Label returns the label of selected sample i.
func (v *View) Label(i int) (int, error) {
	if err := checkIndex(i, len(v.indices), "View.Label"); err != nil {
		return 0, err
	}
	l, err := labelOf(v.parent, v.indices[i])
	if err != nil || v.relabel == nil {
		return l, err
	}
	nl, ok := v.relabel[l]
	if !ok {
		return 0, fmt.Errorf("data: View.Label: sample %d (parent index %d) has label %d, which the view does not keep", i, v.indices[i], l)
	}
	return nl, nil
}

// Classes returns the class names: those kept by a relabeling
// FilterClasses, otherwise the parent's.
func (v *View) Classes() []string {
	if v.classes != nil {
		return slices.Clone(v.classes)
	}
	return ClassesOf(v.parent)
}

// Indices returns the parent indices of the selected samples (a copy).
func (v *View) Indices() []int { return slices.Clone(v.indices) }

// Parent returns the dataset the view selects from.
func (v *View) Parent() Dataset { return v.parent }
