package data

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toy returns n samples of shape c×h×w whose values encode their index
// (value p of sample i is 1000·i + p) and whose label is i mod classes.
func toy(n, c, h, w, classes int) *InMemory {
	m := &InMemory{}
	for i := range n {
		img := make([]float32, c*h*w)
		for p := range img {
			img[p] = float32(1000*i + p)
		}
		m.Samples = append(m.Samples, Sample{Image: img, C: c, H: h, W: w, Label: i % classes})
	}
	for k := range classes {
		m.ClassNames = append(m.ClassNames, string(rune('a'+k)))
	}
	return m
}

func TestSampleValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Sample
		want string
	}{
		{"ok", Sample{Image: make([]float32, 6), C: 1, H: 2, W: 3}, ""},
		{"short image", Sample{Image: make([]float32, 5), C: 1, H: 2, W: 3}, "5 image values but its shape 1×2×3"},
		{"zero channels", Sample{C: 0, H: 2, W: 3}, "must be positive"},
		{"negative label", Sample{Image: make([]float32, 1), C: 1, H: 1, W: 1, Label: -1}, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			if tc.want == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.want)
			}
		})
	}
}

func TestInMemory(t *testing.T) {
	m := toy(3, 1, 1, 2, 2)
	m.Samples[1].Target = []float32{0.25, 0.75}
	s, err := m.Get(1)
	require.NoError(t, err)
	assert.Equal(t, []float32{1000, 1001}, s.Image)
	s.Image[0], s.Target[0] = -1, -1 // the caller owns the copy
	assert.Equal(t, float32(1000), m.Samples[1].Image[0])
	assert.Equal(t, float32(0.25), m.Samples[1].Target[0])

	_, err = m.Get(3)
	assert.ErrorContains(t, err, "index 3 out of range [0, 3)")
	_, err = m.Label(-1)
	assert.ErrorContains(t, err, "out of range")

	names := m.Classes()
	assert.Equal(t, []string{"a", "b"}, names)
	names[0] = "z"
	assert.Equal(t, []string{"a", "b"}, ClassesOf(m), "Classes returns a copy")

	labels, err := Labels(m)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 0}, labels)
}

// getOnly hides every method but Len and Get.
type getOnly struct{ Dataset }

func TestLabelsWithoutLabeler(t *testing.T) {
	labels, err := Labels(getOnly{toy(5, 1, 1, 1, 3)})
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 0, 1}, labels)
	assert.Nil(t, ClassesOf(getOnly{toy(1, 1, 1, 1, 1)}))

	bad := toy(2, 1, 1, 1, 1)
	bad.Samples[1].Label = -3
	_, err = Labels(bad)
	assert.ErrorContains(t, err, "sample 1 has negative label -3")
	_, err = Labels(nil)
	assert.Error(t, err)
}
