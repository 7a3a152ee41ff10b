package data

import (
	"errors"
	"fmt"
	"slices"
)

// Dataset is a random-access collection of samples.
//
// Get must be safe for concurrent use and must return a Sample the caller
// owns: transforms may modify its slices in place. It returns an error, not
// a panic, for an index outside [0, Len()).
type Dataset interface {
	Len() int
	Get(i int) (Sample, error)
}

// ClassNamer is implemented by datasets that know the names of their
// classes; name k belongs to label k. Classes returns nil if they are unknown.
type ClassNamer interface {
	Classes() []string
}

// Labeler is implemented by datasets that can report a label without
// decoding the sample. Subset selection (PerClass, FilterClasses) uses it to
// avoid decoding every image.
type Labeler interface {
	Label(i int) (int, error)
}

// ClassesOf returns the class names of ds, or nil if ds does not know them.
func ClassesOf(ds Dataset) []string {
	if c, ok := ds.(ClassNamer); ok {
		return c.Classes()
	}
	return nil
}

// Labels returns the label of every sample of ds, using Labeler when ds
// implements it and Get otherwise.
func Labels(ds Dataset) ([]int, error) {
	if ds == nil {
		return nil, errors.New("data: Labels: nil dataset")
	}
	labels := make([]int, ds.Len())
	for i := range labels {
		l, err := labelOf(ds, i)
		if err != nil {
			return nil, err
		}
		labels[i] = l
	}
	return labels, nil
}

func labelOf(ds Dataset, i int) (int, error) {
	var (
		l   int
		err error
	)
	if lb, ok := ds.(Labeler); ok {
		l, err = lb.Label(i)
	} else {
		var s Sample
		s, err = ds.Get(i)
		l = s.Label
	}
	if err != nil {
		return 0, fmt.Errorf("data: label of sample %d: %w", i, err)
	}
	if l < 0 {
		return 0, fmt.Errorf("data: sample %d has negative label %d", i, l)
	}
	return l, nil
}

func checkIndex(i, n int, what string) error {
	if i < 0 || i >= n {
		return fmt.Errorf("data: %s: index %d out of range [0, %d)", what, i, n)
	}
	return nil
}

// InMemory is a Dataset over a slice of samples, for tests and small data.
// Get returns copies, so the stored samples are never modified.
type InMemory struct {
	Samples    []Sample
	ClassNames []string // optional; Classes returns a copy
}

var (
	_ Dataset    = (*InMemory)(nil)
	_ ClassNamer = (*InMemory)(nil)
	_ Labeler    = (*InMemory)(nil)
)

// Len returns the number of samples.
func (m *InMemory) Len() int { return len(m.Samples) }

// Get returns a copy of sample i.
func (m *InMemory) Get(i int) (Sample, error) {
	if err := checkIndex(i, len(m.Samples), "InMemory.Get"); err != nil {
		return Sample{}, err
	}
	return m.Samples[i].Clone(), nil
}

// Label returns the label of sample i.
func (m *InMemory) Label(i int) (int, error) {
	if err := checkIndex(i, len(m.Samples), "InMemory.Label"); err != nil {
		return 0, err
	}
	return m.Samples[i].Label, nil
}

// Classes returns a copy of ClassNames (nil if unset).
func (m *InMemory) Classes() []string { return slices.Clone(m.ClassNames) }
