package imagefolder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tanren-ml/tanren/data"
)

// TestOrderAndNames checks torchvision's order (classes sorted, files of a
// folder sorted, subfolders after by path), labels, Unicode and spaces in
// class names, and that everything that is not a class image is left out
// and counted.
func TestOrderAndNames(t *testing.T) {
	root := writeTree(t, map[string][]byte{
		"chat noir/b.png":              pngOf(t, 1),
		"chat noir/a.png":              pngOf(t, 2),
		"chat noir/sub/0.png":          pngOf(t, 3),
		"chat noir/a b/z.png":          pngOf(t, 4), // "a b" < "sub"
		"chat noir/notes.txt":          []byte("not an image"),
		"chat noir/.hidden.png":        pngOf(t, 5),
		"chat noir/.thumbs/x.png":      pngOf(t, 6),
		"café/1.PNG":                   pngOf(t, 7),
		"café/Thumbs.db":               []byte{0, 1, 2},
		"日本/犬.png":                     pngOf(t, 8),
		"日本/photo.heic":                []byte("heic"),
		".ipynb_checkpoints/x.png":     pngOf(t, 9),
		"__MACOSX/café/._1.PNG":        []byte("AppleDouble"),
		"stray.png":                    pngOf(t, 10),
		"README.md":                    []byte("# data"),
		"empty-but-hidden/.gitkeep":    []byte{},
		"empty-but-hidden/.DS_Store/x": []byte{},
	})
	// A class folder holding only hidden files has no images; remove it to
	// check the rest, after checking the error.
	_, err := Open(root, Options{})
	require.ErrorContains(t, err, `class folder "`+filepath.Join(root, "empty-but-hidden")+`" has no images (2 other files)`)
	require.NoError(t, os.RemoveAll(filepath.Join(root, "empty-but-hidden")))

	f, err := Open(root, Options{})
	require.NoError(t, err)
	assert.Equal(t, []string{"café", "chat noir", "日本"}, f.Classes())
	assert.Equal(t, []string{"café", "chat noir", "日本"}, data.ClassesOf(f))
	assert.Equal(t, []int{1, 4, 1}, f.ClassCounts())

	var got []string
	for i := range f.Len() {
		p, err := f.Path(i)
		require.NoError(t, err)
		rel, _ := filepath.Rel(root, p)
		l, err := f.Label(i)
		require.NoError(t, err)
		got = append(got, filepath.ToSlash(rel)+"="+f.Classes()[l])
	}
	assert.Equal(t, []string{
		"café/1.PNG=café",
		"chat noir/a.png=chat noir", "chat noir/b.png=chat noir",
		"chat noir/a b/z.png=chat noir", "chat noir/sub/0.png=chat noir",
		"日本/犬.png=日本",
	}, got)
	labels, err := data.Labels(f)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 1, 1, 1, 2}, labels)

	reasons := map[string]Reason{}
	for _, s := range f.Skipped() {
		rel, _ := filepath.Rel(root, s.Path)
		reasons[filepath.ToSlash(rel)] = s.Reason
	}
	assert.Equal(t, map[string]Reason{
		".ipynb_checkpoints":    Hidden,
		"__MACOSX":              Hidden,
		"README.md":             NotImage,
		"stray.png":             OutsideClass,
		"café/Thumbs.db":        NotImage,
		"chat noir/.hidden.png": Hidden,
		"chat noir/.thumbs":     Hidden,
		"chat noir/notes.txt":   NotImage,
		"日本/photo.heic":         Unsupported,
	}, reasons)
	assert.Equal(t, "6 images in 3 classes (café 1, chat noir 4, 日本 1); skipped 1 unsupported; ignored 4 hidden, 3 non-image, 1 outside class folders", f.Summary())

	s, err := f.Get(1)
	require.NoError(t, err)
	assert.Equal(t, u8(2, 2, 2), pixelAt(s.Image, 3, 2, 3, 0, 0), "chat noir/a.png")
	assert.Equal(t, 1, s.Label)
}

func TestSymlinks(t *testing.T) {
	root := writeTree(t, map[string][]byte{"a/1.png": pngOf(t, 1), "elsewhere/2.png": pngOf(t, 2)})
	data := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(root, "a"), filepath.Join(data, "a")))                           // linked class
	require.NoError(t, os.Mkdir(filepath.Join(data, "b"), 0o755))                                                //
	require.NoError(t, os.Symlink(filepath.Join(root, "elsewhere", "2.png"), filepath.Join(data, "b", "2.png"))) // linked file
	require.NoError(t, os.Symlink(filepath.Join(data, "b"), filepath.Join(data, "b", "loop")))                   // a loop
	require.NoError(t, os.Symlink(filepath.Join(root, "gone.png"), filepath.Join(data, "b", "broken.png")))

	f, err := Open(data, Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, f.Len())
	var reasons []string
	for _, s := range f.Skipped() {
		reasons = append(reasons, filepath.Base(s.Path)+": "+s.Reason.String())
	}
	assert.Equal(t, []string{"broken.png: unreadable", "loop: non-image"}, reasons)

	_, err = Open(data, Options{Strict: true})
	assert.ErrorContains(t, err, "broken.png: it does not exist (a broken link, or removed while reading); check its permissions, or remove it, or open without strict mode")
}

func TestClassesOption(t *testing.T) {
	root := writeTree(t, map[string][]byte{"cat/1.png": pngOf(t, 1), "dog/1.png": pngOf(t, 2), "fox/1.png": pngOf(t, 3)})

	// Labels follow the expected order, e.g. a model's class list.
	f, err := Open(root, Options{Classes: []string{"fox", "cat", "dog"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"fox", "cat", "dog"}, f.Classes())
	labels, err := data.Labels(f)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 0}, labels, "samples stay in folder order: cat, dog, fox")
	assert.Equal(t, []int{1, 1, 1}, f.ClassCounts())

	_, err = Open(root, Options{Classes: []string{"cat", "Dog", "fox", "owl"}})
	require.Error(t, err)
	assert.Equal(t, `imagefolder: the class folders of "`+root+`" differ from the 4 expected classes: missing "Dog", "owl"; unexpected "dog"; give it exactly one subfolder per expected class ("cat", "Dog", "fox", "owl")`, err.Error())

	_, err = Open(root, Options{Classes: []string{"cat", "dog"}})
	assert.ErrorContains(t, err, `differ from the 2 expected classes: unexpected "fox"`)
	_, err = Open(root, Options{Classes: []string{"cat", "cat"}})
	assert.ErrorContains(t, err, `Options.Classes lists "cat" twice`)
	_, err = Open(root, Options{Classes: []string{}})
	assert.ErrorContains(t, err, `unexpected "cat", "dog", "fox"`)
}

// TestFolderErrors checks that each bad folder gives a one-line error that
// names the folder and says what to do.
func TestFolderErrors(t *testing.T) {
	png := pngOf(t, 1)
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		path  string // relative to the folder; "" is the folder itself
		opts  Options
		want  string // %s is the folder
	}{
		{"missing", nil, "nope", Options{}, `imagefolder: data folder "%s/nope" does not exist; check the path`},
		{"a file", map[string][]byte{"f.png": png}, "f.png", Options{}, `imagefolder: "%s/f.png" is a file, not a folder; give the folder that holds one subfolder per class`},
		{"empty", nil, "", Options{}, `imagefolder: data folder "%s" is empty; put each class's images into a subfolder named after the class, e.g. %s/cat/1.jpg`},
		{"images without classes", map[string][]byte{"1.png": png, "2.jpg": png}, "", Options{}, `imagefolder: "%s" holds 2 images but no class subfolders; move each class's images into a subfolder named after the class, e.g. %s/cat/1.jpg`},
		{"only hidden", map[string][]byte{".git/x": png, "notes.txt": png}, "", Options{}, `imagefolder: "%s" has no class subfolders (only hidden or non-image entries); put each class's images`},
		{"one class", map[string][]byte{"cat/1.png": png}, "", Options{}, `imagefolder: "%s" has only one class folder, "cat"; a classifier needs at least two classes: add a subfolder of images for each other class`},
		{"empty class", map[string][]byte{"cat/1.png": png, "dog/notes.txt": png}, "", Options{}, `imagefolder: class folder "%s/dog" has no images (1 other files); add JPEG, PNG, GIF, BMP, WebP or TIFF images to it, or remove the folder`},
		{"empty classes", map[string][]byte{"cat/1.png": png, "dog": nil, "owl": nil}, "", Options{}, `imagefolder: class folders "%s/dog", "%s/owl" have no images; add JPEG, PNG, GIF, BMP, WebP or TIFF images to them, or remove them`},
		{"all corrupt", map[string][]byte{"cat/1.png": png, "dog/1.png": png[:30], "dog/2.jpg": []byte("<html>")}, "", Options{}, `imagefolder: class folder "%s/dog" has no usable images: all 2 were skipped (first: %s/dog/1.png: corrupt: truncated PNG: the file ends early (unexpected EOF)); fix or replace them, or remove the folder`},
		{"bad channels", map[string][]byte{"cat/1.png": png}, "", Options{Channels: 4}, `imagefolder: Options.Channels = 4; use 1 (grayscale) or 3 (RGB)`},
		{"bad workers", map[string][]byte{"cat/1.png": png}, "", Options{Workers: -1}, `imagefolder: Options.Workers = -1 must not be negative`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := writeTree(t, tc.files)
			dir := filepath.Join(root, tc.path)
			_, err := Open(dir, tc.opts)
			require.Error(t, err)
			msg := err.Error()
			assert.NotContains(t, msg, "\n", "one line")
			assert.Contains(t, msg, strings.ReplaceAll(tc.want, "%s", root))
		})
	}
}

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("permissions do not apply to root; broken links cover unreadable files in TestSymlinks")
	}
	root := writeTree(t, map[string][]byte{"a/1.png": pngOf(t, 1), "a/2.png": pngOf(t, 2), "b/1.png": pngOf(t, 3)})
	require.NoError(t, os.Chmod(filepath.Join(root, "a", "2.png"), 0))
	f, err := Open(root, Options{})
	require.NoError(t, err)
	assert.Equal(t, 2, f.Len())
	require.Len(t, f.Skipped(), 1)
	assert.Equal(t, Unreadable, f.Skipped()[0].Reason)
	_, err = Open(root, Options{Strict: true})
	assert.ErrorContains(t, err, "2.png: permission denied; check its permissions, or remove it")

	require.NoError(t, os.Chmod(filepath.Join(root, "b"), 0))
	defer os.Chmod(filepath.Join(root, "b"), 0o755)
	_, err = Open(root, Options{})
	assert.ErrorContains(t, err, `cannot read class folder "`+filepath.Join(root, "b")+`": permission denied; check its permissions`)
}

func TestIndexErrors(t *testing.T) {
	root := writeTree(t, map[string][]byte{"a/1.png": pngOf(t, 1), "b/1.png": pngOf(t, 2)})
	f, err := Open(root, Options{})
	require.NoError(t, err)
	_, err = f.Get(2)
	assert.ErrorContains(t, err, "index 2 out of range [0, 2)")
	_, err = f.Label(-1)
	assert.ErrorContains(t, err, "index -1 out of range")
	_, err = f.Path(5)
	assert.ErrorContains(t, err, "index 5 out of range")
	assert.Equal(t, root, f.Root())
}
