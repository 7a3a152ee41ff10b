package data

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubset(t *testing.T) {
	ds := toy(6, 1, 1, 1, 3)
	v, err := Subset(ds, []int{4, 0, 4})
	require.NoError(t, err)
	require.Equal(t, 3, v.Len())
	for k, i := range []int{4, 0, 4} {
		s, err := v.Get(k)
		require.NoError(t, err)
		assert.Equal(t, float32(1000*i), s.Image[0])
		l, err := v.Label(k)
		require.NoError(t, err)
		assert.Equal(t, i%3, l)
	}
	assert.Equal(t, []int{4, 0, 4}, v.Indices())
	assert.Equal(t, []string{"a", "b", "c"}, v.Classes())
	assert.Same(t, ds, v.Parent().(*InMemory))

	_, err = v.Get(3)
	assert.ErrorContains(t, err, "out of range")
	_, err = Subset(ds, []int{1, 6})
	assert.ErrorContains(t, err, "indices[1] = 6 is out of range for a dataset of 6 samples")
	_, err = Subset(nil, nil)
	assert.Error(t, err)
}

func TestFilterClasses(t *testing.T) {
	ds := toy(20, 1, 1, 1, 10) // labels 0..9, 0..9
	ds.ClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	for i := range ds.Samples { // soft targets to check their reduction
		tgt := make([]float32, 10)
		tgt[ds.Samples[i].Label] = 0.9
		tgt[(ds.Samples[i].Label+1)%10] = 0.1
		ds.Samples[i].Target = tgt
	}

	v, err := FilterClasses(ds, []int{5, 6, 7, 8, 9}, true)
	require.NoError(t, err)
	assert.Equal(t, []int{5, 6, 7, 8, 9, 15, 16, 17, 18, 19}, v.Indices())
	assert.Equal(t, []string{"5", "6", "7", "8", "9"}, v.Classes())
	for k := range v.Len() {
		s, err := v.Get(k)
		require.NoError(t, err)
		assert.Equal(t, k%5, s.Label, "digit %d relabeled", k%5+5)
		l, err := v.Label(k)
		require.NoError(t, err)
		assert.Equal(t, k%5, l)
		want := make([]float32, 5)
		want[k%5] = 0.9
		if k%5 < 4 { // the 0.1 of digit 9 went to digit 0, which is dropped
			want[k%5+1] = 0.1
		}
		assert.Equal(t, want, s.Target)
	}

	keep, err := FilterClasses(ds, []int{3, 1}, false)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3, 11, 13}, keep.Indices())
	assert.Len(t, keep.Classes(), 10, "without relabel the parent's names stay")
	s, err := keep.Get(1)
	require.NoError(t, err)
	assert.Equal(t, 3, s.Label)
	assert.Len(t, s.Target, 10)

	swapped, err := FilterClasses(ds, []int{3, 1}, true)
	require.NoError(t, err)
	l, err := swapped.Label(0) // parent index 1, class 1 → position 1
	require.NoError(t, err)
	assert.Equal(t, 1, l)
	assert.Equal(t, []string{"3", "1"}, swapped.Classes())

	for _, tc := range []struct {
		classes []int
		want    string
	}{
		{nil, "no classes"},
		{[]int{1, 1}, "listed twice"},
		{[]int{-2}, "negative"},
		{[]int{12}, "class 12 has no name"},
	} {
		_, err := FilterClasses(ds, tc.classes, true)
		assert.ErrorContains(t, err, tc.want, "%v", tc.classes)
	}
}

func TestPerClass(t *testing.T) {
	ds := toy(100, 1, 1, 1, 4) // 25 per class
	v, err := PerClass(ds, 3, 7)
	require.NoError(t, err)
	require.Equal(t, 12, v.Len())
	idx := v.Indices()
	assert.True(t, slices.IsSorted(idx), "in dataset order")
	counts := map[int]int{}
	for k, i := range idx {
		l, err := v.Label(k)
		require.NoError(t, err)
		assert.Equal(t, i%4, l)
		counts[l]++
	}
	assert.Equal(t, map[int]int{0: 3, 1: 3, 2: 3, 3: 3}, counts)
	assert.Len(t, slices.Compact(slices.Clone(idx)), 12, "no repeats")

	again, err := PerClass(ds, 3, 7)
	require.NoError(t, err)
	assert.Equal(t, idx, again.Indices(), "same seed, same subset")
	other, err := PerClass(ds, 3, 8)
	require.NoError(t, err)
	assert.NotEqual(t, idx, other.Indices(), "another seed, another subset")
	first := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	assert.NotEqual(t, first, idx, "a random sample, not the first n")

	all, err := PerClass(ds, 25, 1)
	require.NoError(t, err)
	assert.Equal(t, 100, all.Len())

	_, err = PerClass(ds, 26, 1)
	assert.ErrorContains(t, err, "has 25 samples, fewer than the 26 asked for")
	_, err = PerClass(ds, 0, 1)
	assert.Error(t, err)
}

func TestRandomSplit(t *testing.T) {
	ds := toy(50, 1, 1, 1, 5)
	train, val, err := RandomSplit(ds, 0.2, 3)
	require.NoError(t, err)
	assert.Equal(t, 40, train.Len())
	assert.Equal(t, 10, val.Len())
	all := append(train.Indices(), val.Indices()...)
	slices.Sort(all)
	assert.Equal(t, toyRange(50), all, "the parts are disjoint and cover the dataset")
	assert.True(t, slices.IsSorted(val.Indices()))
	assert.NotEqual(t, toyRange(10), val.Indices(), "shuffled before splitting")

	_, val2, err := RandomSplit(ds, 0.2, 3)
	require.NoError(t, err)
	assert.Equal(t, val.Indices(), val2.Indices())
	_, val3, err := RandomSplit(ds, 0.2, 4)
	require.NoError(t, err)
	assert.NotEqual(t, val.Indices(), val3.Indices())

	tr, va, err := RandomSplit(ds, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, 50, tr.Len())
	assert.Equal(t, 0, va.Len())

	for _, f := range []float64{-0.1, 1.5, math.NaN()} {
		_, _, err := RandomSplit(ds, f, 1)
		assert.ErrorContains(t, err, "must be in [0, 1]")
	}
}

func TestViewOfView(t *testing.T) {
	ds := toy(30, 1, 1, 1, 10)
	hi, err := FilterClasses(ds, []int{5, 6, 7, 8, 9}, true)
	require.NoError(t, err)
	few, err := PerClass(hi, 2, 1)
	require.NoError(t, err)
	assert.Equal(t, 10, few.Len())
	for k := range few.Len() {
		s, err := few.Get(k)
		require.NoError(t, err)
		assert.Less(t, s.Label, 5)
		parent := int(s.Image[0]) / 1000
		assert.Equal(t, parent%10-5, s.Label)
	}
	assert.Equal(t, []string{"f", "g", "h", "i", "j"}, few.Classes())
}

func toyRange(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}
