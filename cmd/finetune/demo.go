package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/tanren-ml/tanren/data"
)

// The demo: LeNet-5 pretrained on MNIST digits 0–4 (shipped with tanren)
// learns digits 5–9 from 100 images per class.
const (
	demoPerClass = 100
	demoSeed     = 1
)

var demoDigits = []int{5, 6, 7, 8, 9}

func runDemo(ctx context.Context, stdout, stderr io.Writer) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "tanren-finetune-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary folder: %w", err)
	}
	fmt.Fprintf(stdout, "tanren finetune demo: the shipped LeNet-5 trained on MNIST digits 0–4 learns digits 5–9 from %d images per class.\n", demoPerClass)
	fmt.Fprintf(stdout, "writing MNIST digits 5–9 as PNG image folders to %s\n", dir)
	if err := writeDemoFolders(dir); err != nil {
		return err
	}
	o := options{
		Data: filepath.Join(dir, "train"), Val: filepath.Join(dir, "val"), Model: "lenet5", Weights: "lenet5-mnist-0to4",
		Epochs: 8, Batch: 32, Solver: "adam", LR: 1e-2, Schedule: "onecycle", Freeze: "none", Augment: "none",
		Seed: demoSeed, Workers: runtime.NumCPU(), Out: filepath.Join(dir, "out"), ValSplit: 0.2,
	}
	fmt.Fprintf(stdout, "the same as: finetune -data %s -val %s -model lenet5 -weights lenet5-mnist-0to4 -freeze none -epochs %d -lr %g -out %s\n\n",
		o.Data, o.Val, o.Epochs, o.LR, o.Out)
	if _, err := fineTune(ctx, o, stdout, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ntry: go run ./cmd/finetune predict -model-dir %s %s\n", o.Out, filepath.Join(o.Val, "7"))
	fmt.Fprintf(stdout, "demo finished in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// writeDemoFolders writes train/<digit>/ from MNIST's training set and
// val/<digit>/ from its test set, demoPerClass PNGs each.
func writeDemoFolders(dir string) error {
	mnistDir, err := data.MNISTDir()
	if err != nil {
		return err
	}
	for _, split := range []struct {
		name  string
		split data.Split
	}{{"train", data.Train}, {"val", data.Test}} {
		ds, err := data.LoadMNIST(mnistDir, split.split)
		if err != nil {
			return err
		}
		digits, err := data.FilterClasses(ds, demoDigits, false)
		if err != nil {
			return err
		}
		sub, err := data.PerClass(digits, demoPerClass, demoSeed)
		if err != nil {
			return err
		}
		for i := 0; i < sub.Len(); i++ {
			s, err := sub.Get(i)
			if err != nil {
				return err
			}
			folder := filepath.Join(dir, split.name, fmt.Sprint(s.Label))
			if err := os.MkdirAll(folder, 0o755); err != nil {
				return err
			}
			if err := writePNG(filepath.Join(folder, fmt.Sprintf("%05d.png", i)), s); err != nil {
				return err
			}
		}
	}
	return nil
}

func writePNG(path string, s data.Sample) error {
	img := image.NewGray(image.Rect(0, 0, s.W, s.H))
	for i, v := range s.Image[:s.H*s.W] {
		img.Pix[i] = uint8(v*255 + 0.5)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
