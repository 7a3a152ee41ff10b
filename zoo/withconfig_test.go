package zoo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithConfigTakesPreprocessingAndClasses(t *testing.T) {
	m, err := New("resnet18", WithConfig("hub/testdata/config_timm_finetuned.json"))
	require.NoError(t, err)
	assert.Equal(t, 3, m.Info.Classes)
	assert.Equal(t, []string{"cat", "dog", "bird"}, m.Info.ClassNames)
	assert.Equal(t, 160, m.Info.Height)
	assert.Equal(t, Preprocess{Resize: 182, CenterCrop: 160, Interpolation: "bilinear", Mean: []float64{0.5, 0.5, 0.5}, Std: []float64{0.5, 0.5, 0.5}}, m.Info.Preprocess)
	fc, _ := m.Store.Lookup("fc.weight")
	assert.Equal(t, 3, fc.Value.Shape()[0])

	m, err = New("resnet18", WithConfig("hub/testdata/config_timm.json"), WithClasses(7))
	require.NoError(t, err)
	assert.Equal(t, 7, m.Info.Classes, "WithClasses wins")
	assert.Equal(t, "bicubic", m.Info.Preprocess.Interpolation)
	assert.Equal(t, 235, m.Info.Preprocess.Resize) // floor(224 / 0.95)

	_, err = New("lenet5", WithConfig("hub/testdata/config_timm.json"))
	assert.ErrorContains(t, err, "3 input channels")
	_, err = New("resnet18", WithConfig("pth/testdata/nope.json"))
	assert.ErrorContains(t, err, "nope.json")
}
