package imagefolder_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/imagefolder"
)

// writeExampleFolder writes photos/{cat,dog}/*.png of assorted sizes and a
// few files that are not training images.
func writeExampleFolder() string {
	root, err := os.MkdirTemp("", "imagefolder-example")
	if err != nil {
		log.Fatal(err)
	}
	sizes := map[string][2]int{"cat/1.png": {40, 30}, "cat/2.png": {8, 300}, "dog/1.png": {5, 5}, "dog/sub/2.png": {64, 48}}
	for name, wh := range sizes {
		m := image.NewGray(image.Rect(0, 0, wh[0], wh[1]))
		for i := range m.Pix {
			m.Pix[i] = 128
		}
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			log.Fatal(err)
		}
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := png.Encode(f, m); err != nil {
			log.Fatal(err)
		}
		f.Close()
	}
	for name, content := range map[string]string{"cat/notes.txt": "x", ".DS_Store": "x", "dog/broken.jpg": "\xff\xd8\xff"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	return root
}

func Example() {
	root := writeExampleFolder()
	defer os.RemoveAll(root)

	train, err := imagefolder.Open(root, imagefolder.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Summary())
	for _, s := range train.Skipped() {
		if s.Reason.Warning() {
			rel, _ := filepath.Rel(root, s.Path)
			fmt.Println("warning:", rel, s.Reason)
		}
	}

	// Evaluation preprocessing: every image, whatever its size, becomes
	// 3×24×24, normalized.
	eval, err := imagefolder.EvalTransform(28, 24, []float32{0.5, 0.5, 0.5}, []float32{0.5, 0.5, 0.5})
	if err != nil {
		log.Fatal(err)
	}
	loader := &data.Loader{Dataset: train, BatchSize: 4, Transform: eval, NumClasses: len(train.Classes())}
	it, err := loader.Epoch(context.Background(), 0)
	if err != nil {
		log.Fatal(err)
	}
	defer it.Close()
	for b, err := range it.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.X.Shape(), b.Labels, train.Classes())
	}
	// Output:
	// 4 images in 2 classes (cat 2, dog 2); skipped 1 corrupt; ignored 1 hidden, 1 non-image
	// warning: dog/broken.jpg corrupt
	// (4, 3, 24, 24) [0 0 1 1] [cat dog]
}

func ExampleOptions_classes() {
	root := writeExampleFolder()
	defer os.RemoveAll(root)

	// A validation folder must have the training folder's classes.
	_, err := imagefolder.Open(root, imagefolder.Options{Classes: []string{"cat", "dog", "fox"}})
	fmt.Println(err != nil)
	val, err := imagefolder.Open(root, imagefolder.Options{Classes: []string{"dog", "cat"}, Channels: 1})
	if err != nil {
		log.Fatal(err)
	}
	s, _ := val.Get(0)
	fmt.Println(val.Classes(), s.Label, s.C, s.H, s.W)
	// Output:
	// true
	// [dog cat] 1 1 30 40
}
