// Command compare runs tanren and PyTorch on the same workloads in the same
// run and prints the medians and their ratio (issue 7's bench):
//
//	go run ./bench/cmd/compare [-reps 3] [-only a,b,c,d,e] [-quick] [-python /usr/bin/python3]
//
// Workloads: (a) LeNet-5 training throughput, batch 64; (b) ResNet-18
// training step, batch 16, 112×112; (c) ResNet-18 inference, batch 16,
// 224×224; (d) a 5-epoch fine-tune of ResNet-18 with a frozen backbone on a
// generated folder of 1,000 PNGs at 112×112 (tanren with
// transfer.FitCached, PyTorch with the usual loop), wall time; (e) the peak
// memory (VmHWM) of (b)'s processes.
//
// Every measurement runs in its own process, so timings and peak memory are
// isolated: tanren's in this binary started again as a worker (its first
// argument is -worker), PyTorch's in bench/torch_compare.py, once with 1
// and once with 2 threads, the faster counting (on a shared 2-core machine
// PyTorch with 2 threads collapses when another process is busy). The two
// sides alternate within each repetition, and which goes first alternates
// between repetitions. Ratios are tanren/PyTorch for throughput and memory,
// PyTorch/tanren for the fine-tune's wall time, so above 1 means tanren is
// faster (and, for memory, uses more).
//
// tanren's side needs only Go. If the Python interpreter cannot import torch
// and torchvision, tanren's numbers are printed and PyTorch is reported
// unavailable. -quick shrinks every workload for a smoke test.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == workerFlag {
		if err := workerMain(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "compare:", err)
			os.Exit(1)
		}
		return
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare: cannot find this binary to start workers:", err)
		os.Exit(1)
	}
	if err := run(os.Args[1:], exe, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

// logf writes progress to w, ignoring write errors (progress is advisory).
func logf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}
