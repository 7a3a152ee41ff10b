package main

import (
	"fmt"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/augment"
	"github.com/tanren-ml/tanren/zoo"
)

// preprocess is how images become a model's input.
type preprocess struct {
	channels, size int
	// resize is the shorter side before the center crop (evaluation).
	resize    int
	mean, std []float32
}

// preprocessFor derives a model's preprocessing from its Info, at size
// (0: the model's own). The resize keeps the model's resize/crop ratio
// (256/224 for ImageNet models).
func preprocessFor(info zoo.Info, size int) preprocess {
	p := preprocess{channels: info.Channels, size: info.Height}
	if size > 0 {
		p.size = size
	}
	p.resize = p.size
	if pp := info.Preprocess; pp.Resize > 0 && pp.CenterCrop > 0 {
		p.resize = (p.size*pp.Resize + pp.CenterCrop/2) / pp.CenterCrop
	}
	for i := range info.Preprocess.Mean {
		p.mean = append(p.mean, float32(info.Preprocess.Mean[i]))
		p.std = append(p.std, float32(info.Preprocess.Std[i]))
	}
	return p
}

// eval is torchvision's Resize(resize) + CenterCrop(size) + Normalize.
func (p preprocess) eval() data.Transform {
	return data.Compose(data.ResizeCenterCrop{Size: p.resize, H: p.size, W: p.size}, p.normalize())
}

func (p preprocess) normalize() data.Transform {
	if len(p.mean) == 0 {
		return nil
	}
	return data.Normalize{Mean: p.mean, Std: p.std}
}

// train builds the training pipeline from the -augment list: a
// random-resized crop (or the evaluation resize and crop) followed by the
// other augmentations, then normalization.
func (p preprocess) train(names []string) (data.Transform, error) {
	var ts []data.Transform
	has := func(name string) bool {
		for _, a := range names {
			if a == name {
				return true
			}
		}
		return false
	}
	if has("crop") {
		ts = append(ts, augment.RandomResizedCrop{Height: p.size, Width: p.size})
	} else {
		ts = append(ts, data.ResizeCenterCrop{Size: p.resize, H: p.size, W: p.size})
	}
	for _, a := range names {
		switch a {
		case "crop":
		case "flip":
			ts = append(ts, augment.HorizontalFlip{})
		case "vflip":
			ts = append(ts, augment.VerticalFlip{})
		case "rotate":
			ts = append(ts, augment.RandomRotation{Degrees: [2]float64{-15, 15}})
		case "jitter":
			ts = append(ts, augment.ColorJitter{Brightness: 0.2, Contrast: 0.2, Saturation: 0.2, Hue: 0.05})
		case "erase":
			ts = append(ts, augment.RandomErasing{})
		default:
			return nil, fmt.Errorf("-augment: unknown %q", a)
		}
	}
	return data.Compose(append(ts, p.normalize())...), nil
}

// augmentations resolves -augment "auto": a random-resized crop and flips
// for photos (RGB models), nothing for 28×28 digit models, where crops and
// flips change what a digit is.
func augmentations(o options, p preprocess) []string {
	list, _ := parseAugment(o.Augment)
	if list != nil {
		return list
	}
	if p.channels == 3 {
		return []string{"crop", "flip"}
	}
	return []string{}
}
