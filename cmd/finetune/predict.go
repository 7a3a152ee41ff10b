package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/data/imagefolder"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/train"
)

type prediction struct {
	File        string   `json:"file"`
	Predictions []scored `json:"predictions,omitempty"`
	Error       string   `json:"error,omitempty"`
}

type scored struct {
	Class       string  `json:"class"`
	Probability float64 `json:"probability"`
}

func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("finetune predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("model-dir", "", "folder written by a finetune run (required)")
	top := fs.Int("top", 5, "how many classes to show per image")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: finetune predict -model-dir DIR [-top 5] [-json] IMAGE|FOLDER...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *dir == "" || fs.NArg() == 0 {
		fs.Usage()
		return errUsage
	}
	if *top < 1 {
		return fmt.Errorf("-top %d: need at least 1", *top)
	}
	mf, m, pre, err := loadModel(*dir)
	if err != nil {
		return err
	}
	files, err := imageFiles(fs.Args())
	if err != nil {
		return err
	}
	eval := pre.eval()
	results := make([]prediction, len(files))
	const chunk = 32
	failed := 0
	for start := 0; start < len(files); start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		var batch []data.Sample
		var idx []int
		for i := start; i < min(start+chunk, len(files)); i++ {
			results[i].File = files[i]
			s, err := imagefolder.LoadFile(files[i], imagefolder.Options{Channels: pre.channels})
			if err == nil {
				s, err = eval.Apply(nil, s)
			}
			if err != nil {
				results[i].Error = err.Error()
				failed++
				continue
			}
			batch = append(batch, s)
			idx = append(idx, i)
		}
		if len(batch) == 0 {
			continue
		}
		x := stack(batch)
		logits, err := m.Predict(x)
		if err != nil {
			return err
		}
		probs := softmaxRows(logits)
		k := len(mf.Classes)
		for r, i := range idx {
			row := probs[r*k : (r+1)*k]
			for _, c := range train.TopIndices(row, *top) {
				results[i].Predictions = append(results[i].Predictions, scored{Class: mf.Classes[c], Probability: row[c]})
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			if r.Error != "" {
				fmt.Fprintf(stdout, "%s: error: %s\n", r.File, r.Error)
				continue
			}
			parts := make([]string, len(r.Predictions))
			for i, p := range r.Predictions {
				parts[i] = fmt.Sprintf("%s %.1f%%", p.Class, 100*p.Probability)
			}
			fmt.Fprintf(stdout, "%s: %s\n", r.File, strings.Join(parts, ", "))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images could not be read", failed, len(files))
	}
	return nil
}

// imageFiles expands folders (recursively) into their image files, sorted;
// hidden files and folders are skipped, as in training.
func imageFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", a, err)
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != a && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && imagefolder.IsImageName(d.Name()) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", a, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s holds no image files", a)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// stack makes an NCHW batch from equally sized samples.
func stack(samples []data.Sample) *tensor.Dense {
	s0 := samples[0]
	per := s0.C * s0.H * s0.W
	buf := make([]float32, 0, per*len(samples))
	for _, s := range samples {
		buf = append(buf, s.Image...)
	}
	return tensor.New(tensor.WithShape(len(samples), s0.C, s0.H, s0.W), tensor.WithBacking(buf))
}

// softmaxRows turns (N, K) logits into probabilities, stably.
func softmaxRows(logits *tensor.Dense) []float64 {
	v := graph.Float64s(logits)
	k := logits.Shape()[1]
	for r := 0; r < len(v)/k; r++ {
		row := v[r*k : (r+1)*k]
		mx := math.Inf(-1)
		for _, x := range row {
			mx = math.Max(mx, x)
		}
		sum := 0.0
		for i, x := range row {
			row[i] = math.Exp(x - mx)
			sum += row[i]
		}
		for i := range row {
			row[i] /= sum
		}
	}
	return v
}
