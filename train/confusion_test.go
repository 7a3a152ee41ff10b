package train

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

func TestConfusionMetrics(t *testing.T) {
	c := NewConfusion([]string{"cat", "dog", "bird"}, 2)
	scores := tensor.New(tensor.WithShape(5, 3), tensor.WithBacking([]float32{
		3, 2, 1, // cat → cat
		1, 3, 2, // cat → dog (cat third)
		1, 3, 2, // dog → dog
		2, 1, 3, // bird → bird
		3, 1, 2, // bird → cat (bird second)
	}))
	require.NoError(t, c.Add(scores, []int{0, 0, 1, 2, 2}))
	assert.Equal(t, [][]int{{1, 1, 0}, {0, 1, 0}, {1, 0, 1}}, c.Counts)
	assert.InDelta(t, 0.6, c.Accuracy(), 1e-12)
	assert.InDelta(t, 0.8, c.TopKAccuracy(2), 1e-12)
	stats := c.PerClass()
	assert.Equal(t, ClassStats{Class: "cat", Precision: 0.5, Recall: 0.5, F1: 0.5, Support: 2, Predicted: 2, Right: 1}, stats[0])
	assert.InDelta(t, 2.0/3, stats[1].F1, 1e-12) // precision 1/2, recall 1
	assert.Contains(t, c.Report(), "accuracy: 0.6000")

	assert.Error(t, c.Add(scores, []int{0, 1}))
	assert.Error(t, c.Add(tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]float32{1, 2, 3})), []int{5}))
}
