package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// median of xs (the mean of the middle two for an even count); xs is not
// modified.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// column returns each measurement's value, or its peak memory in MiB.
func column(ms []measurement, memory bool) []float64 {
	v := make([]float64, len(ms))
	for i, m := range ms {
		if memory {
			v[i] = float64(m.MaxRSSKB) / 1024
		} else {
			v[i] = m.Value
		}
	}
	return v
}

// printTable writes one row per workload: the medians of both sides, the
// ratio, and which PyTorch thread setting won in each repetition.
func printTable(w io.Writer, rows []workload, res map[string]*sides, reps int, unavailable string) {
	fmt.Fprintf(w, "tanren vs PyTorch, medians of %d repetitions; PyTorch: the faster of 1 and 2 threads in each repetition\n", reps)
	if unavailable != "" {
		fmt.Fprintf(w, "PyTorch unavailable: %s\n", unavailable)
	}
	fmt.Fprintf(w, "%-68s %10s %10s %8s  %s\n", "workload", "tanren", "PyTorch", "ratio", "PyTorch threads")
	for _, row := range rows {
		key, memory := row.Key, row.MemoryOf != ""
		if memory {
			key = row.MemoryOf
		}
		s := res[key]
		t := median(column(s.Tanren, memory))
		if len(s.Torch) == 0 {
			fmt.Fprintf(w, "%-68s %10s %10s %8s  %s\n", row.Title, num(t), "-", "-", "-")
			continue
		}
		p := median(column(s.Torch, memory))
		ratio, how := t/p, "tanren/PyTorch"
		if row.Seconds {
			ratio, how = p/t, "PyTorch/tanren"
		}
		th := make([]string, len(s.Threads))
		for i, n := range s.Threads {
			th[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(w, "%-68s %10s %10s %8.3f  %s (ratio %s)\n", row.Title, num(t), num(p), ratio, strings.Join(th, ","), how)
	}
}

// num formats a median with three decimals below 10 (short wall times) and
// one above.
func num(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
