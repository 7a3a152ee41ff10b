package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// writeFolder writes spec.Images seeded PNGs of spec.Size×spec.Size in
// torchvision's ImageFolder layout (one subfolder per class) under dir.
// Each class has its own mean colour plus noise, so the head has something
// to learn; the content does not matter for timing.
func writeFolder(dir string, spec folderSpec, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	for c := 0; c < spec.Classes; c++ {
		if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("class%02d", c)), 0o755); err != nil {
			return fmt.Errorf("creating the fine-tune image folder: %w", err)
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, spec.Size, spec.Size))
	for i := 0; i < spec.Images; i++ {
		c := i % spec.Classes
		base := [3]int{(c * 97) % 256, (c * 53) % 256, (c * 191) % 256}
		for y := 0; y < spec.Size; y++ {
			for x := 0; x < spec.Size; x++ {
				var px [3]uint8
				for k := range px {
					px[k] = uint8(min(255, max(0, base[k]+rng.IntN(97)-48)))
				}
				img.SetRGBA(x, y, color.RGBA{px[0], px[1], px[2], 255})
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("class%02d", c), fmt.Sprintf("%04d.png", i))
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("writing the fine-tune image folder: %w", err)
		}
		if err := png.Encode(f, img); err != nil {
			f.Close()
			return fmt.Errorf("encoding %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}
