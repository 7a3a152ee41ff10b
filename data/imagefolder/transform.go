package imagefolder

import (
	"fmt"

	"github.com/tanren-ml/tanren/data"
)

// EvalTransform returns the usual evaluation preprocessing, torchvision's
// Compose([Resize(size), CenterCrop(crop), Normalize(mean, std)]) on
// tensors with bilinear interpolation and antialias=False: the shorter
// side is resized to size, the centre crop×crop is kept, and each channel c
// becomes (x − mean[c]) / std[c]. Images smaller than the crop, or of
// extreme aspect ratio, work: the resize scales them up or down as needed
// and only the crop is computed (data.ResizeCenterCrop). mean and std give
// one value per channel or one for all; both nil skips normalization.
func EvalTransform(size, crop int, mean, std []float32) (data.Transform, error) {
	if size < 1 || crop < 1 {
		return nil, fmt.Errorf("imagefolder: EvalTransform: resize %d and crop %d must be positive (e.g. 256 and 224)", size, crop)
	}
	rc := data.ResizeCenterCrop{Size: size, H: crop, W: crop}
	if mean == nil && std == nil {
		return rc, nil
	}
	if len(mean) != len(std) || len(mean) == 0 {
		return nil, fmt.Errorf("imagefolder: EvalTransform: %d means and %d stds; give one of each per channel, or one for all channels", len(mean), len(std))
	}
	return data.Compose(rc, data.Normalize{Mean: mean, Std: std}), nil
}
