package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/train"
)

func TestPlotHistoryWritesAPNG(t *testing.T) {
	h := &train.History{Epochs: []train.Epoch{
		{Epoch: 1, Train: train.Metrics{Loss: 1, Accuracy: 0.5}, Val: &train.Metrics{Loss: 1.1, Accuracy: 0.45}},
		{Epoch: 2, Train: train.Metrics{Loss: 0.5, Accuracy: 0.8}, Val: &train.Metrics{Loss: 0.7, Accuracy: 0.7}},
	}}
	path := filepath.Join(t.TempDir(), "curves.png")
	require.NoError(t, History(path, "test", h))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 2*576, img.Bounds().Dx())
	assert.Equal(t, 384, img.Bounds().Dy())

	err = Lines(path, Chart{Series: []Series{{Name: "bad", X: []float64{1}, Y: nil}}})
	assert.ErrorContains(t, err, "1 x and 0 y")
}

func TestConfusionWritesAPNG(t *testing.T) {
	c := train.NewConfusion([]string{"cat", "dog", "bird"}, 2)
	scores := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{3, 2, 1, 1, 3, 2}))
	require.NoError(t, c.Add(scores, []int{0, 2}))
	path := filepath.Join(t.TempDir(), "confusion.png")
	require.NoError(t, Confusion(path, c))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = png.Decode(f)
	require.NoError(t, err)
}

func TestLRSweepWritesAPNG(t *testing.T) {
	sweep := &train.LRSweep{Valley: train.LRSuggestion{LR: 1e-2}, Steepest: train.LRSuggestion{LR: 3e-3}}
	for i := range 40 {
		lr := 1e-4 * math.Pow(1.3, float64(i))
		sweep.LRs = append(sweep.LRs, lr)
		sweep.Losses = append(sweep.Losses, 2-math.Log10(lr)*0.1+math.Pow(lr, 2))
	}
	path := filepath.Join(t.TempDir(), "lr.png")
	require.NoError(t, LRSweep(path, sweep))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 576, img.Bounds().Dx())
	assert.ErrorContains(t, LRSweep(path, &train.LRSweep{}), "no points")
}

func TestLossAxisGoesLogarithmicOnlyForWideRanges(t *testing.T) {
	assert.True(t, spansDecade([]float64{1.5, 0.8}, []float64{53.7, 2.1}), "a first-epoch outlier")
	assert.False(t, spansDecade([]float64{2.3, 1.1, 0.4}, []float64{2.2, 1.0}))
	assert.False(t, spansDecade([]float64{0, math.Inf(1), 1}), "zeros and infinities are ignored")
}

// The confusion picture is as wide as its grid and labels need (or its
// title), not a fixed minimum with an empty band beside the grid.
func TestConfusionHasNoEmptyMargin(t *testing.T) {
	c := train.NewConfusion([]string{"airplane", "car", "bird", "cat", "deer", "dog"}, 1)
	path := filepath.Join(t.TempDir(), "confusion.png")
	require.NoError(t, Confusion(path, c))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	// 6 cells of 36 pt, labels and padding: about 290 pt = 390 px at 96 dpi.
	assert.Less(t, img.Bounds().Dx(), 420)
	assert.Greater(t, img.Bounds().Dx(), 6*36*96/72)
}
