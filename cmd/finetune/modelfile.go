package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tanren-ml/tanren/internal/atomicfile"
	"github.com/tanren-ml/tanren/zoo"
)

// Files in the output folder.
const (
	modelJSON      = "model.json"
	runJSON        = "run.json"
	bestWeights    = "best.safetensors"
	lastWeights    = "last.safetensors"
	checkpointFile = "checkpoint.safetensors"
	historyCSV     = "history.csv"
	curvesPNG      = "curves.png"
	confusionPNG   = "confusion.png"
	reportTXT      = "report.txt"
)

// outputs lists every file a run writes, for -force and for tests.
var outputs = []string{modelJSON, runJSON, bestWeights, lastWeights, checkpointFile, historyCSV, curvesPNG, confusionPNG, reportTXT}

// modelFile is model.json: everything predict and eval need.
type modelFile struct {
	Version      int            `json:"version"`
	Architecture string         `json:"architecture"`
	Classes      []string       `json:"classes"`
	Channels     int            `json:"channels"`
	Size         int            `json:"size"`
	Preprocess   zoo.Preprocess `json:"preprocess"`
	Weights      string         `json:"weights"`
	Settings     options        `json:"settings"`
	Metrics      finalMetrics   `json:"metrics"`
}

type finalMetrics struct {
	ValAccuracy    float64 `json:"val_accuracy"`
	ValLoss        float64 `json:"val_loss"`
	ValTop5        float64 `json:"val_top5_accuracy,omitempty"`
	BeforeAccuracy float64 `json:"val_accuracy_before"`
	Epochs         int     `json:"epochs_run"`
	BestEpoch      int     `json:"best_epoch"`
	Stopped        string  `json:"stopped,omitempty"`
	TrainImages    int     `json:"train_images"`
	ValImages      int     `json:"val_images"`
	Skipped        int     `json:"skipped_files"`
}

// runFile is run.json, written when a run starts: what -resume checks.
type runFile struct {
	Settings options  `json:"settings"`
	Classes  []string `json:"classes"`
}

func writeJSON(path string, v any) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s is not valid: %w", path, err)
	}
	return nil
}

// readModel reads model.json from a model folder.
func readModel(dir string) (*modelFile, error) {
	var mf modelFile
	path := filepath.Join(dir, modelJSON)
	if err := readJSON(path, &mf); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no %s: is this a folder written by finetune, and did the run finish?", dir, modelJSON)
		}
		return nil, err
	}
	if mf.Version != 1 || mf.Architecture == "" || len(mf.Classes) < 2 {
		return nil, fmt.Errorf("%s: unsupported or incomplete model description", path)
	}
	return &mf, nil
}

func writeFileAtomic(path string, b []byte) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
