package data_test

import (
	"fmt"
	"log"

	"github.com/tanren-ml/tanren/data"
)

func ExampleResizeBilinear() {
	// A 1×2×2 image (C×H×W) doubled in size with half-pixel centres, as
	// torchvision's Resize on a tensor with antialias=False.
	img := []float32{
		0, 1,
		2, 3,
	}
	out, err := data.ResizeBilinear(img, 1, 2, 2, 4, 4)
	if err != nil {
		log.Fatal(err)
	}
	for y := range 4 {
		fmt.Println(out[4*y : 4*y+4])
	}
	// Output:
	// [0 0.25 0.75 1]
	// [0.5 0.75 1.25 1.5]
	// [1.5 1.75 2.25 2.5]
	// [2 2.25 2.75 3]
}

func ExampleResizeCenterCrop() {
	// Evaluation preprocessing: shorter side to 256, centre 224×224 crop.
	eval := data.ResizeCenterCrop{Size: 256, H: 224, W: 224}
	photo := data.Sample{Image: make([]float32, 3*375*500), C: 3, H: 375, W: 500}
	s, err := eval.Apply(nil, photo)
	if err != nil {
		log.Fatal(err)
	}
	oh, ow, _ := data.ShorterSideSize(375, 500, 256, 0)
	fmt.Printf("resized to %d×%d, cropped to %d×%d×%d\n", oh, ow, s.C, s.H, s.W)
	// Output: resized to 256×341, cropped to 3×224×224
}
