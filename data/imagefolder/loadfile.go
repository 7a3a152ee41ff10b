package imagefolder

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tanren-ml/tanren/data"
)

// LoadFile decodes one image file as Open's folders do — every supported
// format, converted to opts.Channels, EXIF orientation applied, dimensions
// checked against opts.MaxPixels before decoding — and returns it as a
// float32 sample in [0,1]. Its class is unknown; the label is 0 because a
// sample's label must be valid. It is how a trained model reads the images
// it is asked to classify.
func LoadFile(path string, opts Options) (data.Sample, error) {
	c, err := opts.config()
	if err != nil {
		return data.Sample{}, err
	}
	p, err := load(path, c.Channels, c.MaxPixels)
	if err != nil {
		var fe *fileError
		if errors.As(err, &fe) {
			return data.Sample{}, fmt.Errorf("%s; %s", fe, fe.skip().Advice())
		}
		return data.Sample{}, err
	}
	return p.sample(0), nil
}

// IsImageName reports whether a file name has the extension of a format
// this package decodes (.jpg, .png, .gif, .bmp, .webp, .tiff, …), in any
// case.
func IsImageName(name string) bool {
	return imageExts[strings.ToLower(filepath.Ext(name))]
}
