package zoo

import (
	"fmt"

	"github.com/tanren-ml/tanren/zoo/hub"
)

// WithConfig reads a timm or Hugging Face config.json (or
// preprocessor_config.json) that comes with pretrained weights and takes
// from it the preprocessing (input size, resize and crop from crop_pct,
// interpolation, mean and std), the number of classes (unless WithClasses
// says otherwise) and the class names.
func WithConfig(path string) Option {
	return func(c *config) error {
		cfg, err := hub.ReadConfig(path)
		if err != nil {
			return fmt.Errorf("WithConfig(%q): %w", path, err)
		}
		c.hfConfig = &cfg
		return nil
	}
}

// applyConfig merges a config.json into the Info of a model being built.
func applyConfig(info *Info, cfg *hub.Config, classesSet bool) error {
	if cfg.Channels > 0 && cfg.Channels != info.Channels {
		return fmt.Errorf("config.json says %d input channels, %s takes %d", cfg.Channels, info.Name, info.Channels)
	}
	if cfg.Height > 0 && cfg.Width > 0 {
		info.Height, info.Width = cfg.Height, cfg.Width
		info.Preprocess.CenterCrop = cfg.Height
		info.Preprocess.Resize = cfg.ResizeTo()
	}
	if cfg.Interpolation != "" {
		info.Preprocess.Interpolation = cfg.Interpolation
	}
	if len(cfg.Mean) > 0 && len(cfg.Std) == len(cfg.Mean) {
		info.Preprocess.Mean, info.Preprocess.Std = append([]float64(nil), cfg.Mean...), append([]float64(nil), cfg.Std...)
	}
	if cfg.NumClasses > 0 && !classesSet {
		info.Classes = cfg.NumClasses
	}
	if len(cfg.LabelNames) == info.Classes {
		info.ClassNames = append([]string(nil), cfg.LabelNames...)
	}
	return nil
}
