package imagefolder

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// photoFolder writes n 500×375 JPEGs (quality 90, gradients and noise, a
// typical photo's decoding cost) in two classes.
func photoFolder(b *testing.B, n int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	m := image.NewRGBA(image.Rect(0, 0, 500, 375))
	for y := range 375 {
		for x := range 500 {
			m.SetRGBA(x, y, color.RGBA{uint8(x/2) + uint8(rng.IntN(30)), uint8(y/2) + uint8(rng.IntN(30)), uint8(rng.IntN(255)), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	for i := range n {
		files[fmt.Sprintf("%c/%03d.jpg", 'a'+i%2, i)] = buf.Bytes()
	}
	return writeTree(b, files)
}

// BenchmarkOpen measures opening a folder of 32 photos: with the full
// verifying decode (the default) and header checks only (Lazy).
func BenchmarkOpen(b *testing.B) {
	root := photoFolder(b, 32)
	for _, lazy := range []bool{false, true} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("lazy=%v/workers=%d", lazy, workers), func(b *testing.B) {
				for range b.N {
					if _, err := Open(root, Options{Lazy: lazy, Workers: workers}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(32*b.N)/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}

// BenchmarkGet measures one 500×375 photo as a float32 sample, decoded or
// from the cache.
func BenchmarkGet(b *testing.B) {
	root := photoFolder(b, 2)
	for _, cached := range []bool{false, true} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			opts := Options{CacheBytes: -1, Lazy: true}
			if cached {
				opts = Options{}
			}
			f, err := Open(root, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := range b.N {
				if _, err := f.Get(i % 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvalTransform measures resize-256 and crop-224 of a 500×375 RGB
// sample, with normalization.
func BenchmarkEvalTransform(b *testing.B) {
	root := photoFolder(b, 2)
	f, err := Open(root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := f.Get(0)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := EvalTransform(256, 224, []float32{0.485, 0.456, 0.406}, []float32{0.229, 0.224, 0.225})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := tr.Apply(nil, s.Clone()); err != nil {
			b.Fatal(err)
		}
	}
}
