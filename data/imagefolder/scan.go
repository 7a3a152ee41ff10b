package imagefolder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// rootScan is what the data folder holds at its top level.
type rootScan struct {
	classes    []string // class folder names, sorted
	images     int      // image files outside class folders
	skips      []Skip
	hasEntries bool // anything at all, hidden or not
}

// scanRoot lists the class folders of root: its subfolders (symbolic links
// followed), sorted by name, as torchvision's find_classes does, minus
// hidden ones.
func scanRoot(root string) (*rootScan, error) {
	st, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("imagefolder: data folder %q does not exist; check the path", root)
	case err != nil:
		return nil, fmt.Errorf("imagefolder: cannot read data folder %q: %s; check its path and permissions", root, errText(err))
	case !st.IsDir():
		return nil, fmt.Errorf("imagefolder: %q is a file, not a folder; give the folder that holds one subfolder per class", root)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("imagefolder: cannot read data folder %q: %s; check its permissions", root, errText(err))
	}
	s := &rootScan{hasEntries: len(entries) > 0}
	for _, e := range entries { // ReadDir sorts by name
		path := filepath.Join(root, e.Name())
		if isHidden(e.Name()) {
			s.skips = append(s.skips, Skip{Path: path, Reason: Hidden})
			continue
		}
		mode, err := entryMode(path, e)
		if err != nil {
			s.skips = append(s.skips, readError(path, err).skip())
			continue
		}
		switch isImage, _ := classify(e.Name()); {
		case mode.IsDir():
			s.classes = append(s.classes, e.Name())
		case isImage && mode.IsRegular():
			s.images++
			s.skips = append(s.skips, Skip{Path: path, Reason: OutsideClass, Detail: "an image outside every class folder has no class"})
		default:
			s.skips = append(s.skips, Skip{Path: path, Reason: NotImage})
		}
	}
	return s, nil
}

// classScan is what one class folder holds.
type classScan struct {
	files  []string // image files, in torchvision's order
	others int      // files that are not images (hidden ones included)
	skips  []Skip
}

// scanClass lists the image files under a class folder, recursively and
// following symbolic links like torchvision's make_dataset: files of each
// folder sorted by name, folders sorted by path.
func scanClass(dir string) (*classScan, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("imagefolder: cannot read class folder %q: %s; check its permissions", dir, errText(err))
	}
	type folder struct {
		path  string
		files []string
	}
	var (
		folders []folder
		s       = &classScan{}
		walk    func(dir string, ancestors []fs.FileInfo) error
	)
	walk = func(dir string, ancestors []fs.FileInfo) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		f := folder{path: dir}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			if isHidden(e.Name()) {
				s.skips = append(s.skips, Skip{Path: path, Reason: Hidden})
				s.others++
				continue
			}
			mode, err := entryMode(path, e)
			if err != nil {
				s.skips = append(s.skips, readError(path, err).skip())
				continue
			}
			if mode.IsDir() {
				sub, err := os.Stat(path)
				if err != nil {
					s.skips = append(s.skips, readError(path, err).skip())
					continue
				}
				if slices.ContainsFunc(ancestors, func(a fs.FileInfo) bool { return os.SameFile(a, sub) }) {
					// A link to a folder above: following it would loop.
					s.skips = append(s.skips, Skip{Path: path, Reason: NotImage, Detail: "a link to a folder that contains it, not followed"})
					continue
				}
				if err := walk(path, append(ancestors, sub)); err != nil {
					s.skips = append(s.skips, Skip{Path: path, Reason: Unreadable, Detail: "cannot read the folder: " + errText(err)})
				}
				continue
			}
			isImage, unsupported := classify(e.Name())
			switch {
			case !mode.IsRegular():
				s.skips = append(s.skips, Skip{Path: path, Reason: NotImage, Detail: "not a regular file"})
				s.others++
			case isImage:
				f.files = append(f.files, path)
			case unsupported != "":
				s.skips = append(s.skips, Skip{Path: path, Reason: Unsupported, Detail: unsupported + " images cannot be decoded"})
			default:
				s.skips = append(s.skips, Skip{Path: path, Reason: NotImage})
				s.others++
			}
		}
		folders = append(folders, f)
		return nil
	}
	if err := walk(dir, []fs.FileInfo{st}); err != nil {
		return nil, fmt.Errorf("imagefolder: cannot read class folder %q: %s; check its permissions", dir, errText(err))
	}
	slices.SortFunc(folders, func(a, b folder) int { return strings.Compare(a.path, b.path) })
	for _, f := range folders {
		s.files = append(s.files, f.files...)
	}
	return s, nil
}

// entryMode returns the mode of a directory entry, following a symbolic
// link.
func entryMode(path string, e fs.DirEntry) (fs.FileMode, error) {
	if e.Type()&fs.ModeSymlink == 0 {
		return e.Type(), nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Mode(), nil
}

// errText is the part of a file-system error after the path, which the
// messages here state themselves: "permission denied", not
// "open /x: permission denied".
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
