package zoo

// Preprocess says how to turn an image into the model's input.
type Preprocess struct {
	// Resize is the length the shorter side is resized to before
	// CenterCrop (0: no resize).
	Resize int `json:"resize"`
	// CenterCrop is the side of the square center crop (0: none).
	CenterCrop int `json:"center_crop"`
	// Interpolation names the resampling filter ("bilinear", "nearest").
	Interpolation string `json:"interpolation"`
	// Mean and Std normalize each channel of [0, 1] pixels:
	// (x − mean) / std. Empty means no normalization.
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
}

// Group is a named set of parameters, selected by name patterns, used for
// freezing and per-group learning rates (fastai's layer groups).
type Group struct {
	Name     string
	Patterns []string
}

// Info describes a model.
type Info struct {
	// Name is the registry name, e.g. "lenet5".
	Name string
	// Channels, Height and Width are the input size the model expects.
	Channels, Height, Width int
	// Classes is the size of the classifier output.
	Classes int
	// ClassNames names the classes of pretrained weights.
	ClassNames []string
	Preprocess Preprocess
	// Head lists the classifier's parameter names (replaced when the
	// number of classes changes).
	Head []string
	// Groups are the layer groups from the input to the head.
	Groups []Group
	// Weights names the pretrained weights loaded, if any.
	Weights string
	// TestAccuracy is the pretrained weights' measured test accuracy.
	TestAccuracy float64
	// Recipe is the command that trained the pretrained weights.
	Recipe string
}
