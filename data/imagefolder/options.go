package imagefolder

import (
	"fmt"
	"runtime"
	"slices"
)

// DefaultMaxPixels is the pixel limit of Options whose MaxPixels is 0: the
// decompression-bomb threshold of Pillow (PIL.Image.MAX_IMAGE_PIXELS),
// about 9459×9459 pixels.
const DefaultMaxPixels = 89_478_485

// DefaultCacheBytes is the cache budget of Options whose CacheBytes is 0.
const DefaultCacheBytes = 1 << 30

// Options configures Open. The zero value is a sensible default: RGB
// samples, Pillow's pixel limit, corrupt images skipped after a full
// verifying decode, a 1 GiB cache, one decoding worker per CPU.
type Options struct {
	// Channels of every sample: 3 (RGB) or 1 (grayscale); 0 means 3.
	// Grayscale images are replicated to RGB; colour images become gray by
	// Pillow's L = 0.299R + 0.587G + 0.114B (in its integer form). Alpha is
	// dropped, keeping the stored colour, as Pillow's convert("RGB") does
	// in torchvision's loader (transparent pixels are not composited onto
	// a background). CMYK becomes RGB by Pillow's formula
	// R = (255−C)(255−K)/255. 16-bit images keep 16-bit precision.
	// Known differences from Pillow: the transparent colour of a GIF reads
	// as black (Go's decoder does not keep it), 16-bit images are not
	// clipped to 8 bits, and JPEG/WebP chroma is not interpolated (pixel
	// values at sharp colour edges differ by a few levels).
	Channels int
	// MaxPixels refuses images whose width·height, read from the file
	// header before anything is decoded, exceed it (a decompression bomb
	// or an image too large to decode safely). 0 means DefaultMaxPixels;
	// negative means no limit.
	MaxPixels int64
	// Strict makes Open fail on the first image that cannot be used
	// (corrupt, truncated, unsupported, too large, unreadable), instead of
	// skipping it with a warning, see Folder.Skipped.
	Strict bool
	// Lazy makes Open check only the header of each image (format, size,
	// MaxPixels) instead of decoding it fully. Open is then much faster,
	// but an image whose body is damaged is found only when Get decodes
	// it, and Get's error stops a data.Loader mid-epoch. Without Lazy, Open
	// decodes every image once in parallel workers (about the cost of one
	// epoch of decoding) and fills the cache with the results.
	Lazy bool
	// CacheBytes is the memory budget for decoded images (8 or 16 bits per
	// value, before conversion to float32), filled in sample order until
	// full; cached images are not decoded again. 0 means
	// DefaultCacheBytes; negative disables the cache.
	CacheBytes int64
	// Classes, if not nil, are the class names the folder must have, e.g.
	// those of the training folder when opening a validation folder. Open
	// fails with a list of the differences if the class folders differ, and
	// labels follow the order of Classes.
	Classes []string
	// Workers is the number of goroutines decoding at Open; 0 means
	// runtime.NumCPU().
	Workers int
	// Progress, if set, is called after each image is checked at Open with
	// the number checked so far and the total. Calls are serialized.
	Progress func(done, total int)
}

// config is Options with defaults filled in and checked.
type config struct {
	Options
	classIndex map[string]int // from Classes; nil if Classes is nil
}

func (o Options) config() (config, error) {
	c := config{Options: o}
	switch c.Channels {
	case 0:
		c.Channels = 3
	case 1, 3:
	default:
		return c, fmt.Errorf("imagefolder: Options.Channels = %d; use 1 (grayscale) or 3 (RGB)", o.Channels)
	}
	switch {
	case c.MaxPixels == 0:
		c.MaxPixels = DefaultMaxPixels
	case c.MaxPixels < 0:
		c.MaxPixels = 1<<63 - 1
	}
	switch {
	case c.CacheBytes == 0:
		c.CacheBytes = DefaultCacheBytes
	case c.CacheBytes < 0:
		c.CacheBytes = 0
	}
	switch {
	case c.Workers < 0:
		return c, fmt.Errorf("imagefolder: Options.Workers = %d must not be negative (0 means one per CPU)", o.Workers)
	case c.Workers == 0:
		c.Workers = runtime.NumCPU()
	}
	if o.Classes != nil {
		c.Classes = slices.Clone(o.Classes)
		c.classIndex = make(map[string]int, len(o.Classes))
		for i, name := range o.Classes {
			if name == "" {
				return c, fmt.Errorf("imagefolder: Options.Classes[%d] is empty; give the class folder names", i)
			}
			if j, dup := c.classIndex[name]; dup {
				return c, fmt.Errorf("imagefolder: Options.Classes lists %q twice (at %d and %d); class names must be unique", name, j, i)
			}
			c.classIndex[name] = i
		}
	}
	return c, nil
}
