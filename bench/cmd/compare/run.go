package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// config is the parsed command line.
type config struct {
	Reps   int
	Only   string
	Quick  bool
	Python string
	Script string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.IntVar(&c.Reps, "reps", 3, "repetitions; medians are printed")
	fs.StringVar(&c.Only, "only", "", "comma-separated workloads to run (a,b,c,d,e); empty means all")
	fs.BoolVar(&c.Quick, "quick", false, "small sizes, for a smoke test")
	fs.StringVar(&c.Python, "python", "/usr/bin/python3", "Python with torch and torchvision; empty skips PyTorch")
	fs.StringVar(&c.Script, "script", "", "path of bench/torch_compare.py; empty finds it from the module root")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Reps < 1 {
		return c, fmt.Errorf("-reps %d: need at least 1", c.Reps)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return c, nil
}

// selectWorkloads returns the rows chosen by only, and the rows to run
// (a memory row needs the row it measures).
func selectWorkloads(all []workload, only string) (rows []workload, runs []workload, err error) {
	want := map[string]bool{}
	if strings.TrimSpace(only) != "" {
		for _, k := range strings.Split(only, ",") {
			want[strings.TrimSpace(k)] = true
		}
	}
	byKey := map[string]workload{}
	for _, w := range all {
		byKey[w.Key] = w
	}
	for k := range want {
		if _, ok := byKey[k]; !ok {
			return nil, nil, fmt.Errorf("-only %q: unknown workload %q, want some of a,b,c,d,e", only, k)
		}
	}
	needed := map[string]bool{}
	for _, w := range all {
		if len(want) > 0 && !want[w.Key] {
			continue
		}
		rows = append(rows, w)
		if w.MemoryOf != "" {
			needed[w.MemoryOf] = true
		} else {
			needed[w.Key] = true
		}
	}
	for _, w := range all {
		if needed[w.Key] {
			runs = append(runs, w)
		}
	}
	return rows, runs, nil
}

// runner starts the worker processes.
type runner struct {
	exe    string // this binary, started as a tanren worker
	python string // "" when PyTorch is unavailable
	script string
}

func (r runner) tanren(a workerArgs) (measurement, error) {
	return runChild(exec.Command(r.exe, append([]string{workerFlag}, a.flags()...)...))
}

func (r runner) torch(a workerArgs, threads int) (measurement, error) {
	args := append([]string{r.script}, a.flags()...)
	args = append(args, "--threads", strconv.Itoa(threads))
	cmd := exec.Command(r.python, args...)
	cmd.Dir = filepath.Dir(r.script)
	// One thread setting per process; keep OpenMP from overriding it.
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+strconv.Itoa(threads))
	return runChild(cmd)
}

// runChild runs cmd and decodes the JSON measurement on its last line.
func runChild(cmd *exec.Cmd) (measurement, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("%s failed: %s: %w", strings.Join(cmd.Args, " "), tail(stderr.String(), 2000), err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var m measurement
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		return m, fmt.Errorf("%s printed %q, want a JSON measurement: %w", strings.Join(cmd.Args, " "), tail(stdout.String(), 500), err)
	}
	return m, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// findScript locates bench/torch_compare.py from the working directory up to
// the module root.
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "bench", "torch_compare.py"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from the tanren module or pass -script")
		}
		dir = parent
	}
}

// pytorchAvailable returns "" if python can import torch and torchvision
// and script exists, else why not.
func pytorchAvailable(python, script string) string {
	if python == "" {
		return "disabled by -python ''"
	}
	if _, err := os.Stat(script); err != nil {
		return fmt.Sprintf("script %s: %v", script, err)
	}
	out, err := exec.Command(python, "-c", "import torch, torchvision; print(torch.__version__)").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s cannot import torch and torchvision (%v): %s", python, err, tail(strings.TrimSpace(string(out)), 300))
	}
	return ""
}

// sides holds one workload's measurements of every repetition.
type sides struct {
	Tanren  []measurement
	Torch   []measurement // the faster thread setting of each repetition
	Threads []int         // which setting that was
}

func run(args []string, exe string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	p := newPlan(c.Quick)
	rows, runs, err := selectWorkloads(p.Workloads, c.Only)
	if err != nil {
		return err
	}
	r := runner{exe: exe, python: c.Python, script: c.Script}
	if r.script == "" {
		if r.script, err = findScript(); err != nil && r.python != "" {
			return err
		}
	}
	unavailable := pytorchAvailable(r.python, r.script)
	if unavailable != "" {
		r.python = ""
		logf(stderr, "PyTorch unavailable: %s\n", unavailable)
	}
	for i, w := range runs {
		if w.Args.Workload != "finetune" {
			continue
		}
		dir, err := os.MkdirTemp("", "tanren-compare-")
		if err != nil {
			return fmt.Errorf("creating a temporary directory for the fine-tune images: %w", err)
		}
		defer os.RemoveAll(dir)
		if err := writeFolder(dir, p.Folder, 1); err != nil {
			return err
		}
		runs[i].Args.Dir = dir
	}
	results := map[string]*sides{}
	for rep := 0; rep < c.Reps; rep++ {
		for _, w := range runs {
			s := results[w.Key]
			if s == nil {
				s = &sides{}
				results[w.Key] = s
			}
			if err := measureRep(r, w, rep, c.Reps, s, stderr); err != nil {
				return err
			}
		}
	}
	printTable(stdout, rows, results, c.Reps, unavailable)
	return nil
}

// measureRep runs one repetition of w on both sides, tanren first in even
// repetitions and PyTorch first in odd ones.
func measureRep(r runner, w workload, rep, reps int, s *sides, stderr io.Writer) error {
	doTanren := func() error {
		m, err := r.tanren(w.Args)
		if err != nil {
			return err
		}
		s.Tanren = append(s.Tanren, m)
		logf(stderr, "rep %d/%d (%s) tanren: %.4g (%.0f MiB)\n", rep+1, reps, w.Key, m.Value, float64(m.MaxRSSKB)/1024)
		return nil
	}
	doTorch := func() error {
		if r.python == "" {
			return nil
		}
		var best measurement
		bestThreads := 0
		for _, th := range []int{1, 2} {
			m, err := r.torch(w.Args, th)
			if err != nil {
				return err
			}
			logf(stderr, "rep %d/%d (%s) PyTorch %d thread(s): %.4g (%.0f MiB)\n", rep+1, reps, w.Key, th, m.Value, float64(m.MaxRSSKB)/1024)
			if bestThreads == 0 || (w.Seconds && m.Value < best.Value) || (!w.Seconds && m.Value > best.Value) {
				best, bestThreads = m, th
			}
		}
		s.Torch = append(s.Torch, best)
		s.Threads = append(s.Threads, bestThreads)
		return nil
	}
	first, second := doTanren, doTorch
	if rep%2 == 1 {
		first, second = doTorch, doTanren
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}
