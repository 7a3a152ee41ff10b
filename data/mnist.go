package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// MNIST normalization constants: the mean and standard deviation of the
// training pixels after scaling to [0,1], as used by the PyTorch examples.
const (
	MNISTMean = 0.1307
	MNISTStd  = 0.3081
)

// Split selects the training or the test part of a dataset.
type Split int

// The splits of MNIST.
const (
	Train Split = iota // 60000 images: train-*-idx?-ubyte
	Test               // 10000 images: t10k-*-idx?-ubyte
)

func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// filePrefix is the prefix of the split's IDX file names.
func (s Split) filePrefix() (string, error) {
	switch s {
	case Train:
		return "train", nil
	case Test:
		return "t10k", nil
	}
	return "", fmt.Errorf("data: unknown split %v; use data.Train or data.Test", s)
}

// MNIST is the MNIST digits dataset in memory: 1×H×W images (28×28 for the
// real files) with labels 0–9. Get scales pixels to [0,1] by x/255, like
// torchvision's ToTensor; it does not normalize (see MNISTNormalize).
type MNIST struct {
	images *IDXImages
	labels []uint8
}

var (
	_ Dataset    = (*MNIST)(nil)
	_ ClassNamer = (*MNIST)(nil)
	_ Labeler    = (*MNIST)(nil)
)

// LoadMNIST reads a split of MNIST from dir, which must hold
// <prefix>-images-idx3-ubyte and <prefix>-labels-idx1-ubyte, each raw or
// with a .gz suffix (prefix "train" or "t10k"). Use MNISTDir for the copy in
// the GoMNIST module. Fashion-MNIST and KMNIST files work too.
func LoadMNIST(dir string, split Split) (*MNIST, error) {
	prefix, err := split.filePrefix()
	if err != nil {
		return nil, err
	}
	var images *IDXImages
	if err := readIDXFile(dir, prefix+"-images-idx3-ubyte", func(f *os.File) (err error) {
		images, err = ReadIDXImages(f)
		return err
	}); err != nil {
		return nil, err
	}
	var labels []uint8
	if err := readIDXFile(dir, prefix+"-labels-idx1-ubyte", func(f *os.File) (err error) {
		labels, err = ReadIDXLabels(f)
		return err
	}); err != nil {
		return nil, err
	}
	m, err := NewMNIST(images, labels)
	if err != nil {
		return nil, fmt.Errorf("data: MNIST %v split in %s: %w", split, dir, err)
	}
	return m, nil
}

// NewMNIST builds the dataset from decoded IDX content. It checks that there
// is one label per image and that every label is a digit.
func NewMNIST(images *IDXImages, labels []uint8) (*MNIST, error) {
	if images == nil {
		return nil, errors.New("data: NewMNIST: nil images")
	}
	if images.Count != len(labels) {
		return nil, fmt.Errorf("data: NewMNIST: %d images but %d labels; the image and label files do not belong together", images.Count, len(labels))
	}
	if len(images.Pixels) != images.Count*images.Rows*images.Cols {
		return nil, fmt.Errorf("data: NewMNIST: %d images of %d×%d need %d pixels, have %d", images.Count, images.Rows, images.Cols, images.Count*images.Rows*images.Cols, len(images.Pixels))
	}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("data: NewMNIST: label %d at index %d is not a digit 0–9", l, i)
		}
	}
	return &MNIST{images: images, labels: labels}, nil
}

// readIDXFile opens name or name.gz in dir and passes it to read.
func readIDXFile(dir, name string, read func(*os.File) error) error {
	var tried []string
	for _, n := range []string{name, name + ".gz"} {
		path := filepath.Join(dir, n)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			tried = append(tried, path)
			continue
		}
		if err != nil {
			return fmt.Errorf("data: %w", err)
		}
		defer f.Close()
		return read(f)
	}
	return fmt.Errorf("data: MNIST file %s not found: looked for %s and %s; pass the folder that holds the IDX files, or set %s", name, tried[0], tried[1], MNISTDirEnv)
}

// pixelScale maps a byte to float32(b)/255 exactly as a division would, so
// images agree bit for bit with torchvision's ToTensor.
var pixelScale = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// Len returns the number of images.
func (m *MNIST) Len() int { return len(m.labels) }

// Get returns image i as 1×H×W float32 values in [0,1] with its label.
func (m *MNIST) Get(i int) (Sample, error) {
	if err := checkIndex(i, len(m.labels), "MNIST.Get"); err != nil {
		return Sample{}, err
	}
	px := m.images.image(i)
	img := make([]float32, len(px))
	for j, p := range px {
		img[j] = pixelScale[p]
	}
	return Sample{Image: img, C: 1, H: m.images.Rows, W: m.images.Cols, Label: int(m.labels[i])}, nil
}

// Label returns the label of image i without decoding it.
func (m *MNIST) Label(i int) (int, error) {
	if err := checkIndex(i, len(m.labels), "MNIST.Label"); err != nil {
		return 0, err
	}
	return int(m.labels[i]), nil
}

// Classes returns "0" to "9".
func (m *MNIST) Classes() []string {
	return []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
}

// MNISTNormalize returns the standard MNIST normalization,
// (x − 0.1307) / 0.3081, as a Transform.
func MNISTNormalize() Normalize {
	return Normalize{Mean: []float32{MNISTMean}, Std: []float32{MNISTStd}}
}
