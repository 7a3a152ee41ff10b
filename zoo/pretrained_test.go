package zoo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
)

func TestShippedWeights(t *testing.T) {
	assert.Equal(t, []string{"lenet5-mnist", "lenet5-mnist-0to4"}, PretrainedNames())
	dir, err := data.MNISTDir()
	require.NoError(t, err)
	test, err := data.LoadMNIST(dir, data.Test)
	require.NoError(t, err)
	norm := data.MNISTNormalize()
	for _, tc := range []struct {
		name    string
		classes int
		min     float64
	}{{"lenet5-mnist", 10, 0.985}, {"lenet5-mnist-0to4", 5, 0.99}} {
		m, err := New("lenet5", WithPretrained(tc.name))
		require.NoError(t, err)
		assert.Equal(t, tc.name, m.Info.Weights)
		assert.Len(t, m.Info.ClassNames, tc.classes)
		assert.GreaterOrEqual(t, m.Info.TestAccuracy, tc.min)
		assert.Contains(t, m.Info.Recipe, "go run ./cmd/train")
		// The recorded accuracy is real: check it on the first 1,000 test
		// images of the model's digits.
		var batch []float32
		var labels []int
		for i := 0; i < test.Len() && len(labels) < 1000; i++ {
			s, err := test.Get(i)
			require.NoError(t, err)
			if s.Label >= tc.classes {
				continue
			}
			s, err = norm.Apply(nil, s)
			require.NoError(t, err)
			batch = append(batch, s.Image...)
			labels = append(labels, s.Label)
		}
		out, err := m.Predict(tensor.New(tensor.WithShape(len(labels), 1, 28, 28), tensor.WithBacking(batch)))
		require.NoError(t, err)
		right := 0
		for i, row := 0, out.Data().([]float32); i < len(labels); i++ {
			best := 0
			for j := 1; j < tc.classes; j++ {
				if row[i*tc.classes+j] > row[i*tc.classes+best] {
					best = j
				}
			}
			if best == labels[i] {
				right++
			}
		}
		assert.GreaterOrEqual(t, float64(right)/float64(len(labels)), tc.min-0.01, tc.name)
	}
	_, err = New("mlp", WithPretrained("lenet5-mnist"))
	assert.ErrorContains(t, err, "are for lenet5, not mlp")
	_, err = New("lenet5", WithPretrained("lenet5-mnist"), WithClasses(5))
	assert.ErrorContains(t, err, "fc3.weight")
	_, err = New("lenet5", WithPretrained("nope"))
	assert.ErrorContains(t, err, "shipped: lenet5-mnist")
}
