package train

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlotHistoryWritesAPNG(t *testing.T) {
	h := &History{Epochs: []Epoch{
		{Epoch: 1, Train: Metrics{Loss: 1, Accuracy: 0.5}, Val: &Metrics{Loss: 1.1, Accuracy: 0.45}},
		{Epoch: 2, Train: Metrics{Loss: 0.5, Accuracy: 0.8}, Val: &Metrics{Loss: 0.7, Accuracy: 0.7}},
	}}
	path := filepath.Join(t.TempDir(), "curves.png")
	require.NoError(t, PlotHistory(path, "test", h))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 2*576, img.Bounds().Dx())
	assert.Equal(t, 384, img.Bounds().Dy())

	err = PlotLines(path, Chart{Series: []Series{{Name: "bad", X: []float64{1}, Y: nil}}})
	assert.ErrorContains(t, err, "1 x and 0 y")
}
