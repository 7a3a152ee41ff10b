package hub

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadConfig(t *testing.T) {
	imagenetMean, imagenetStd := []float64{0.485, 0.456, 0.406}, []float64{0.229, 0.224, 0.225}
	half := []float64{0.5, 0.5, 0.5}
	for _, c := range []struct {
		file   string
		want   Config
		resize int
	}{
		{"config_timm.json", Config{
			Architecture: "resnet18", Channels: 3, Height: 224, Width: 224, Interpolation: "bicubic",
			Mean: imagenetMean, Std: imagenetStd, CropPct: 0.95, CropMode: "center", NumClasses: 1000,
		}, 235},
		// Fine-tuned: the top-level num_classes and label names describe the
		// new head, pretrained_cfg the preprocessing.
		{"config_timm_finetuned.json", Config{
			Architecture: "resnet18", Channels: 3, Height: 160, Width: 160, Interpolation: "bilinear",
			Mean: half, Std: half, CropPct: 0.875, CropMode: "center", NumClasses: 3,
			LabelNames: []string{"cat", "dog", "bird"},
		}, 182},
		{"config_hf.json", Config{
			Architecture: "ViTForImageClassification", Channels: 3, Height: 224, Width: 224, NumClasses: 3,
			LabelNames: []string{"tench", "goldfish", "great white shark"},
		}, 224},
		{"preprocessor_config.json", Config{Interpolation: "bilinear", Mean: half, Std: half}, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, err := ReadConfig(filepath.Join("testdata", c.file))
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.Equal(t, c.resize, got.ResizeTo())
		})
	}
}

func TestReadConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name, json, want string
	}{
		{"not json", `{"mean": [0.5,`, "not a valid config.json"},
		{"wrong type", `{"num_classes": "ten"}`, "not a valid config.json"},
		{"input size", `{"input_size": [224, 224]}`, "expected (channels, height, width)"},
		{"mean and std", `{"mean": [0.5, 0.5, 0.5], "std": [0.5]}`, "different lengths"},
		{"channels", `{"input_size": [1, 28, 28], "mean": [0.5, 0.5], "std": [1, 1]}`, "one value per channel"},
		{"zero std", `{"mean": [0.5], "std": [0]}`, "positive"},
		{"negative crop", `{"crop_pct": -0.5}`, "crop_pct"},
		{"labels", `{"num_classes": 10, "label_names": ["a", "b"]}`, "2 label names for 10 classes"},
		{"id2label gap", `{"id2label": {"0": "a", "2": "b"}}`, "keys must be the numbers 0 to 1"},
		{"id2label not a number", `{"id2label": {"zero": "a"}}`, "keys must be"},
		{"resample", `{"resample": 9}`, "resample 9"},
		{"image size", `{"image_size": "big"}`, "image_size"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseConfig([]byte(c.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := ReadConfig(filepath.Join("testdata", "missing.json"))
	assert.Error(t, err)
	c, err := parseConfig([]byte(`{"image_size": [320, 240], "num_labels": 2}`))
	require.NoError(t, err)
	assert.Equal(t, Config{Height: 320, Width: 240}, c)
}
