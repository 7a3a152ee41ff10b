package imagefolder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tanren-ml/tanren/data"
)

// Folder is a Dataset of the images of a folder with one subfolder per
// class; see Open. It is safe for concurrent use.
type Folder struct {
	root    string
	c       config
	classes []string // class names by label
	paths   []string // image file of each sample
	labels  []int    // label of each sample
	slots   []int    // cache slot of each sample
	counts  []int    // samples per label
	cache   *cache
	skips   []Skip
}

var (
	_ data.Dataset    = (*Folder)(nil)
	_ data.ClassNamer = (*Folder)(nil)
	_ data.Labeler    = (*Folder)(nil)
)

// Open reads the image folder dir: one subfolder per class, whose sorted
// names give the class labels 0, 1, …, and the images anywhere below each,
// in torchvision's ImageFolder order. See the package documentation for
// what is read, skipped and refused. It is OpenContext without a context.
func Open(dir string, opts Options) (*Folder, error) {
	return OpenContext(context.Background(), dir, opts)
}

// OpenContext is Open, stopping early with an error when ctx is done (the
// check of every image at Open can take a while on a large folder).
func OpenContext(ctx context.Context, dir string, opts Options) (f *Folder, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("imagefolder: opening %q: internal error: %v", dir, r)
		}
	}()
	c, err := opts.config()
	if err != nil {
		return nil, err
	}
	rs, err := scanRoot(dir)
	if err != nil {
		return nil, err
	}
	if err := checkLayout(dir, rs, c); err != nil {
		return nil, err
	}
	l, err := listImages(dir, rs.classes)
	if err != nil {
		return nil, err
	}
	if c.Strict {
		if err := strictError(l.skips); err != nil {
			return nil, err
		}
	}
	ch := newCache(len(l.paths), c.CacheBytes)
	problems, err := verify(ctx, l.paths, c, ch)
	if err != nil {
		return nil, err
	}
	return newFolder(dir, c, rs, l, problems, ch)
}

// listing is the image files of all classes, in sample order.
type listing struct {
	paths   []string
	classOf []int // index into the sorted class folder names
	skips   []Skip
}

// listImages lists the image files of every class folder and fails if a
// class folder holds none (not even unusable ones).
func listImages(dir string, classes []string) (*listing, error) {
	l := &listing{}
	var (
		empty  []string
		others []int
	)
	for k, name := range classes {
		cs, err := scanClass(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		l.skips = append(l.skips, cs.skips...)
		if len(cs.files) == 0 && !slices.ContainsFunc(cs.skips, func(s Skip) bool { return s.Reason.Warning() }) {
			empty, others = append(empty, filepath.Join(dir, name)), append(others, cs.others)
		}
		l.paths = append(l.paths, cs.files...)
		for range cs.files {
			l.classOf = append(l.classOf, k)
		}
	}
	if len(empty) > 0 {
		return nil, emptyClassError(empty, others)
	}
	return l, nil
}

// newFolder builds the Folder from the listed files and the problems that
// verify found.
func newFolder(dir string, c config, rs *rootScan, l *listing, problems []*fileError, ch *cache) (*Folder, error) {
	f := &Folder{root: dir, c: c, cache: ch, classes: rs.classes}
	if c.classIndex != nil {
		f.classes = c.Classes
	}
	f.counts = make([]int, len(f.classes))
	skips := slices.Concat(rs.skips, l.skips)
	for i, path := range l.paths {
		if p := problems[i]; p != nil {
			if c.Strict {
				return nil, fmt.Errorf("imagefolder: %s; %s, or open without strict mode to skip it", p, p.skip().Advice())
			}
			skips = append(skips, p.skip())
			continue
		}
		label := l.classOf[i]
		if c.classIndex != nil {
			label = c.classIndex[rs.classes[label]]
		}
		f.paths, f.labels, f.slots = append(f.paths, path), append(f.labels, label), append(f.slots, i)
		f.counts[label]++
	}
	slices.SortStableFunc(skips, func(a, b Skip) int { return strings.Compare(a.Path, b.Path) })
	f.skips = skips
	if err := f.checkUsable(dir, rs.classes); err != nil {
		return nil, err
	}
	return f, nil
}

// checkLayout checks the class folders found at the top of dir.
func checkLayout(dir string, rs *rootScan, c config) error {
	if err := checkRoot(dir, rs); err != nil {
		return err
	}
	if err := checkClasses(dir, rs.classes, c); err != nil {
		return err
	}
	if len(rs.classes) == 1 {
		return fmt.Errorf("imagefolder: %q has only one class folder, %q; a classifier needs at least two classes: add a subfolder of images for each other class", dir, rs.classes[0])
	}
	return nil
}

// checkRoot explains a data folder without class folders.
func checkRoot(dir string, rs *rootScan) error {
	switch {
	case len(rs.classes) > 0:
		return nil
	case rs.images > 0:
		return fmt.Errorf("imagefolder: %q holds %d images but no class subfolders; move each class's images into a subfolder named after the class, e.g. %s", dir, rs.images, filepath.Join(dir, "cat", "1.jpg"))
	case !rs.hasEntries:
		return fmt.Errorf("imagefolder: data folder %q is empty; put each class's images into a subfolder named after the class, e.g. %s", dir, filepath.Join(dir, "cat", "1.jpg"))
	}
	return fmt.Errorf("imagefolder: %q has no class subfolders (only hidden or non-image entries); put each class's images into a subfolder named after the class, e.g. %s", dir, filepath.Join(dir, "cat", "1.jpg"))
}

// emptyClassError reports class folders without any image files.
func emptyClassError(dirs []string, others []int) error {
	if len(dirs) == 1 {
		return fmt.Errorf("imagefolder: class folder %q has no images (%d other files); add %s images to it, or remove the folder", dirs[0], others[0], supportedList)
	}
	return fmt.Errorf("imagefolder: class folders %s have no images; add %s images to them, or remove them", quoteList(dirs), supportedList)
}

// strictError returns the first problem found while listing files, for
// Strict mode.
func strictError(skips []Skip) error {
	for _, s := range skips {
		if s.Reason.Warning() {
			e := &fileError{path: s.Path, reason: s.Reason, detail: s.Detail}
			return fmt.Errorf("imagefolder: %s; %s, or open without strict mode to skip it", e, s.Advice())
		}
	}
	return nil
}

// checkUsable fails if all the images of a class were skipped.
func (f *Folder) checkUsable(dir string, found []string) error {
	for _, name := range found {
		label := slices.Index(f.classes, name)
		if f.counts[label] > 0 {
			continue
		}
		cdir := filepath.Join(dir, name)
		var first *Skip
		n := 0
		for i, s := range f.skips {
			if s.Reason.Warning() && strings.HasPrefix(s.Path, cdir+string(filepath.Separator)) {
				if first == nil {
					first = &f.skips[i]
				}
				n++
			}
		}
		detail := "none found"
		if first != nil {
			detail = "first: " + first.String()
		}
		return fmt.Errorf("imagefolder: class folder %q has no usable images: all %d were skipped (%s); fix or replace them, or remove the folder", cdir, n, detail)
	}
	return nil
}

// Len returns the number of images.
func (f *Folder) Len() int { return len(f.paths) }

// Get decodes image i (or takes it from the cache) and returns it as a
// float32 sample in [0,1] with Options.Channels channels, upright, at its
// own size. The caller owns the sample. A file that fails to decode (it
// changed since Open, or Open was Lazy) gives an error naming it.
func (f *Folder) Get(i int) (s data.Sample, err error) {
	if i < 0 || i >= len(f.paths) {
		return data.Sample{}, fmt.Errorf("imagefolder: Get: index %d out of range [0, %d)", i, len(f.paths))
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = data.Sample{}, fmt.Errorf("imagefolder: sample %d (%s): internal error: %v", i, f.paths[i], r)
		}
	}()
	p := f.cache.get(f.slots[i])
	if p == nil {
		if p, err = load(f.paths[i], f.c.Channels, f.c.MaxPixels); err != nil {
			var fe *fileError
			if errors.As(err, &fe) {
				return data.Sample{}, fmt.Errorf("imagefolder: sample %d: %s; %s, and open the folder again", i, fe, fe.skip().Advice())
			}
			return data.Sample{}, fmt.Errorf("imagefolder: sample %d: %w", i, err)
		}
		f.cache.put(f.slots[i], p)
	}
	return p.sample(f.labels[i]), nil
}

// Label returns the label of image i without decoding it.
func (f *Folder) Label(i int) (int, error) {
	if i < 0 || i >= len(f.paths) {
		return 0, fmt.Errorf("imagefolder: Label: index %d out of range [0, %d)", i, len(f.paths))
	}
	return f.labels[i], nil
}

// Path returns the file of image i.
func (f *Folder) Path(i int) (string, error) {
	if i < 0 || i >= len(f.paths) {
		return "", fmt.Errorf("imagefolder: Path: index %d out of range [0, %d)", i, len(f.paths))
	}
	return f.paths[i], nil
}

// Classes returns the class names; name k belongs to label k.
func (f *Folder) Classes() []string { return slices.Clone(f.classes) }

// ClassCounts returns the number of images of each label.
func (f *Folder) ClassCounts() []int { return slices.Clone(f.counts) }

// Root returns the folder given to Open.
func (f *Folder) Root() string { return f.root }

// Skipped returns the files and folders that Open left out, sorted by
// path: those ignored as expected (hidden, non-image) and those skipped
// with a warning (Reason.Warning: corrupt, unsupported, too large,
// unreadable).
func (f *Folder) Skipped() []Skip { return slices.Clone(f.skips) }

// Cached returns the number of decoded images in the cache and the bytes
// they hold.
func (f *Folder) Cached() (images int, bytes int64) {
	return int(f.cache.count.Load()), f.cache.used.Load()
}

// Summary describes the folder in one line, e.g.
// `120 images in 3 classes (cat 40, dog 40, fox 40); skipped 1 corrupt; ignored 2 hidden`.
func (f *Folder) Summary() string {
	parts := make([]string, len(f.classes))
	for k, name := range f.classes {
		parts[k] = fmt.Sprintf("%s %d", name, f.counts[k])
	}
	s := fmt.Sprintf("%d images in %d classes (%s)", len(f.paths), len(f.classes), strings.Join(parts, ", "))
	if w := countReasons(f.skips, true); w != "" {
		s += "; skipped " + w
	}
	if ig := countReasons(f.skips, false); ig != "" {
		s += "; ignored " + ig
	}
	return s
}
