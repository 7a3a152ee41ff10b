package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
)

// prepareOut checks the output folder before anything is written: a folder
// holding another run is refused unless -resume (same settings) or -force;
// an unwritable folder is an error. It creates the folder only when
// create is true (after every input has been checked).
func prepareOut(o options, classes []string, create bool) error {
	entries, err := os.ReadDir(o.Out)
	switch {
	case os.IsNotExist(err):
		if o.Resume {
			return fmt.Errorf("-resume: %s does not exist: nothing to resume", o.Out)
		}
		if !create {
			return checkParentWritable(o.Out)
		}
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return fmt.Errorf("cannot create the output folder %s: %w", o.Out, err)
		}
		return nil
	case err != nil:
		if err != nil {
			return fmt.Errorf("output folder %s: %w", o.Out, err)
		}
		return nil
	}
	if o.Resume {
		var prev runFile
		if err := readJSON(filepath.Join(o.Out, runJSON), &prev); err != nil {
			return fmt.Errorf("-resume: %s holds no run to resume (%v)", o.Out, err)
		}
		if diff := settingsDiff(prev.Settings, o); diff != "" {
			return fmt.Errorf("-resume: %s was started with other settings (%s): resume with the same flags, or use -force to start over", o.Out, diff)
		}
		if !reflect.DeepEqual(prev.Classes, classes) {
			return fmt.Errorf("-resume: the classes in %s changed since the run started (%v → %v)", o.Data, prev.Classes, classes)
		}
		if _, err := os.Stat(filepath.Join(o.Out, checkpointFile)); err != nil {
			if _, done := os.Stat(filepath.Join(o.Out, modelJSON)); done == nil {
				return fmt.Errorf("-resume: the run in %s already finished (model.json is there); use -force to train again", o.Out)
			}
		}
		return checkWritable(o.Out)
	}
	if len(entries) > 0 {
		if !o.Force {
			what := "files"
			if hasOurs(entries) {
				what = "another run"
			}
			return fmt.Errorf("output folder %s already holds %s: use -resume to continue that run, -force to replace it, or another -out", o.Out, what)
		}
		if create {
			for _, name := range outputs {
				if err := os.Remove(filepath.Join(o.Out, name)); err != nil && !os.IsNotExist(err) {
					return fmt.Errorf("-force: cannot remove %s: %w", name, err)
				}
			}
		}
	}
	return checkWritable(o.Out)
}

func hasOurs(entries []os.DirEntry) bool {
	for _, e := range entries {
		for _, n := range outputs {
			if e.Name() == n {
				return true
			}
		}
	}
	return false
}

// checkWritable proves a folder writable by creating and removing a file.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".finetune-write-test-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable (%v): choose another -out", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// checkParentWritable checks that a folder that does not exist yet can be
// created, without creating it.
func checkParentWritable(dir string) error {
	parent := filepath.Dir(filepath.Clean(dir))
	for {
		st, err := os.Stat(parent)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("output folder %s: %s is not a folder", dir, parent)
			}
			return checkWritable(parent)
		}
		if !os.IsNotExist(err) {
			if err != nil {
				return fmt.Errorf("output folder %s: %w", dir, err)
			}
			return nil
		}
		next := filepath.Dir(parent)
		if next == parent {
			return fmt.Errorf("output folder %s cannot be created", dir)
		}
		parent = next
	}
}

// settingsDiff lists the settings that differ between two runs.
func settingsDiff(a, b options) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var diffs []string
	for i := 0; i < va.NumField(); i++ {
		f := va.Type().Field(i)
		if f.Tag.Get("json") == "-" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			diffs = append(diffs, fmt.Sprintf("%s: %v then, %v now", name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return strings.Join(diffs, "; ")
}
