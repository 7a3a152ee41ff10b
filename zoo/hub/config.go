package hub

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Config is what a timm or Hugging Face config.json says about a model's
// input, preprocessing and classes. A field the file does not give is left
// at its zero value.
type Config struct {
	// Architecture is timm's "architecture" or the first of Hugging Face's
	// "architectures".
	Architecture string
	// Channels, Height and Width are timm's "input_size" (C, H, W), or
	// Hugging Face's "num_channels" and "image_size".
	Channels, Height, Width int
	// Interpolation is the resampling filter used to resize ("bilinear",
	// "bicubic", ...): timm's "interpolation", or Hugging Face's
	// "resample" translated from PIL's numbering.
	Interpolation string
	// Mean and Std normalize each channel: (x − mean) / std on pixels in
	// [0, 1]. timm's "mean" and "std", Hugging Face's "image_mean" and
	// "image_std".
	Mean, Std []float64
	// CropPct is the fraction of the resized image the center crop keeps
	// (timm's "crop_pct", e.g. 0.875: resize to 256, crop 224).
	CropPct float64
	// CropMode is timm's "crop_mode" ("center", "squash", "border").
	CropMode string
	// NumClasses is the classifier's output size: "num_classes", or the
	// number of labels.
	NumClasses int
	// LabelNames names the classes in order: timm's "label_names", or
	// Hugging Face's "id2label".
	LabelNames []string
}

// ResizeTo returns the size the image is resized to before the center crop
// of Height, as timm computes it: floor(Height / CropPct). It is Height
// when CropPct is not given.
func (c Config) ResizeTo() int {
	if c.CropPct <= 0 {
		return c.Height
	}
	return int(math.Floor(float64(c.Height) / c.CropPct))
}

// rawConfig is the union of the keys ReadConfig understands. timm puts the
// preprocessing in "pretrained_cfg" (older exports at the top level);
// Hugging Face splits it between config.json and preprocessor_config.json.
type rawConfig struct {
	Architecture  string            `json:"architecture"`
	Architectures []string          `json:"architectures"`
	InputSize     []int             `json:"input_size"`
	Interpolation string            `json:"interpolation"`
	Mean          []float64         `json:"mean"`
	Std           []float64         `json:"std"`
	CropPct       *float64          `json:"crop_pct"`
	CropMode      string            `json:"crop_mode"`
	NumClasses    *int              `json:"num_classes"`
	LabelNames    []string          `json:"label_names"`
	ID2Label      map[string]string `json:"id2label"`
	NumChannels   *int              `json:"num_channels"`
	ImageSize     json.RawMessage   `json:"image_size"` // n or [h, w]
	ImageMean     []float64         `json:"image_mean"`
	ImageStd      []float64         `json:"image_std"`
	Resample      *int              `json:"resample"`
	PretrainedCfg *rawConfig        `json:"pretrained_cfg"`
}

// maxConfigBytes bounds a config file; real ones are a few kB (label names
// included).
const maxConfigBytes = 16 << 20

// pilFilters translates PIL's resampling numbers, which Hugging Face image
// processors store as "resample".
var pilFilters = map[int]string{0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}

// ReadConfig reads a timm config.json (top-level keys and its
// "pretrained_cfg"), a Hugging Face config.json or preprocessor_config.json,
// or a bare pretrained_cfg saved as JSON. Values in "pretrained_cfg"
// override the top level's, except num_classes: the top level describes the
// saved model's head, which fine-tuning may have changed.
func ReadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("pth config: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return Config{}, fmt.Errorf("pth config: %s: %w", path, err)
	}
	if len(b) > maxConfigBytes {
		return Config{}, fmt.Errorf("pth config: %s is larger than %d bytes: not a model config", path, maxConfigBytes)
	}
	c, err := parseConfig(b)
	if err != nil {
		return c, fmt.Errorf("pth config: %s: %w", path, err)
	}
	return c, nil
}

func parseConfig(b []byte) (Config, error) {
	var top rawConfig
	if err := json.Unmarshal(b, &top); err != nil {
		return Config{}, fmt.Errorf("not a valid config.json: %w", err)
	}
	var c Config
	// The top level first, then pretrained_cfg over it.
	layers := []*rawConfig{&top}
	if top.PretrainedCfg != nil {
		layers = append(layers, top.PretrainedCfg)
	}
	for _, r := range layers {
		if err := r.apply(&c); err != nil {
			return Config{}, err
		}
	}
	if top.NumClasses != nil {
		c.NumClasses = *top.NumClasses
	}
	return c, c.check()
}

// apply copies the keys r gives into c.
func (r *rawConfig) apply(c *Config) error {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&c.Architecture, r.Architecture)
	if len(r.Architectures) > 0 {
		c.Architecture = r.Architectures[0]
	}
	if r.InputSize != nil {
		if len(r.InputSize) != 3 {
			return fmt.Errorf("input_size %v: expected (channels, height, width)", r.InputSize)
		}
		c.Channels, c.Height, c.Width = r.InputSize[0], r.InputSize[1], r.InputSize[2]
	}
	if r.NumChannels != nil {
		c.Channels = *r.NumChannels
	}
	if len(r.ImageSize) > 0 && string(r.ImageSize) != "null" {
		var n int
		var hw []int
		switch {
		case json.Unmarshal(r.ImageSize, &n) == nil:
			c.Height, c.Width = n, n
		case json.Unmarshal(r.ImageSize, &hw) == nil && len(hw) == 2:
			c.Height, c.Width = hw[0], hw[1]
		default:
			return fmt.Errorf("image_size %s: expected a number or [height, width]", r.ImageSize)
		}
	}
	set(&c.Interpolation, strings.ToLower(r.Interpolation))
	if r.Resample != nil {
		name, ok := pilFilters[*r.Resample]
		if !ok {
			return fmt.Errorf("resample %d is not one of PIL's filters (0 to 5)", *r.Resample)
		}
		c.Interpolation = name
	}
	for _, m := range [][]float64{r.Mean, r.ImageMean} {
		if m != nil {
			c.Mean = m
		}
	}
	for _, s := range [][]float64{r.Std, r.ImageStd} {
		if s != nil {
			c.Std = s
		}
	}
	if r.CropPct != nil {
		c.CropPct = *r.CropPct
	}
	set(&c.CropMode, r.CropMode)
	if r.NumClasses != nil {
		c.NumClasses = *r.NumClasses
	}
	if r.LabelNames != nil {
		c.LabelNames = r.LabelNames
	}
	if r.ID2Label != nil {
		names, err := labelsFromIDs(r.ID2Label)
		if err != nil {
			return err
		}
		c.LabelNames = names
	}
	return nil
}

// labelsFromIDs orders Hugging Face's {"0": "tench", "1": ...}, which must
// number the classes 0 to n−1.
func labelsFromIDs(ids map[string]string) ([]string, error) {
	names := make([]string, len(ids))
	seen := make([]bool, len(ids))
	for k, v := range ids {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(ids) || seen[i] {
			return nil, fmt.Errorf("id2label key %q: the keys must be the numbers 0 to %d", k, len(ids)-1)
		}
		names[i], seen[i] = v, true
	}
	return names, nil
}

// check rejects values no model could have.
func (c *Config) check() error {
	if c.Channels < 0 || c.Height < 0 || c.Width < 0 {
		return fmt.Errorf("input size (%d, %d, %d) has a negative dimension", c.Channels, c.Height, c.Width)
	}
	if len(c.Mean) != len(c.Std) {
		return fmt.Errorf("mean %v and std %v have different lengths", c.Mean, c.Std)
	}
	if c.Channels > 0 && len(c.Mean) > 0 && len(c.Mean) != c.Channels {
		return fmt.Errorf("mean %v and std %v do not have one value per channel (%d channels)", c.Mean, c.Std, c.Channels)
	}
	for _, s := range c.Std {
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("std %v: every value must be positive and finite", c.Std)
		}
	}
	if c.CropPct < 0 || math.IsNaN(c.CropPct) || math.IsInf(c.CropPct, 0) {
		return fmt.Errorf("crop_pct %v must be positive", c.CropPct)
	}
	if c.NumClasses < 0 {
		return fmt.Errorf("num_classes %d is negative", c.NumClasses)
	}
	if c.NumClasses == 0 {
		c.NumClasses = len(c.LabelNames)
	}
	if len(c.LabelNames) > 0 && len(c.LabelNames) != c.NumClasses {
		return fmt.Errorf("%d label names for %d classes", len(c.LabelNames), c.NumClasses)
	}
	return nil
}
