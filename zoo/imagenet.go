package zoo

// imagenetPreprocess is torchvision's evaluation transform for ImageNet
// classifiers: resize the shorter side to 256 (bilinear), center-crop 224,
// normalize with the ImageNet training set's channel means and standard
// deviations.
func imagenetPreprocess() Preprocess {
	return Preprocess{
		Resize:        256,
		CenterCrop:    224,
		Interpolation: "bilinear",
		Mean:          []float64{0.485, 0.456, 0.406},
		Std:           []float64{0.229, 0.224, 0.225},
	}
}
