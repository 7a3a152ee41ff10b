package main

import (
	"context"
	"fmt"
	"time"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/train"
)

// point is one point of a loss curve.
type point struct {
	steps, examples int
	// cpu is the CPU time of the training steps so far, in seconds.
	cpu  float64
	loss float64
}

// probe is a Trainer callback that measures the loss on a fixed probe set
// (evaluation mode) before training and then every `every` examples seen,
// so that curves of runs with different batch sizes share one x axis. A
// batch loss would not do: with batch 1 it is one example's loss.
type probe struct {
	ctx    context.Context
	loader *data.Loader
	batch  int
	every  int
	next   int
	points []point
	// seconds and cpuSeconds are the time spent probing, which the run's
	// times exclude.
	seconds, cpuSeconds float64
	cpuStart            float64 // CPU time when Fit began
}

var (
	_ train.FitBeginner = (*probe)(nil)
	_ train.StepEnder   = (*probe)(nil)
)

func (p *probe) OnFitBegin(t *train.Trainer) error {
	p.next = p.every
	p.cpuStart = cpuTime()
	return p.measure(t, 0)
}

func (p *probe) OnStepEnd(t *train.Trainer, step int, _ float64) error {
	seen := (step + 1) * p.batch
	if seen < p.next {
		return nil
	}
	for p.next <= seen {
		p.next += p.every
	}
	return p.measure(t, step+1)
}

func (p *probe) measure(t *train.Trainer, steps int) error {
	start, cpuStart := time.Now(), cpuTime()
	trainCPU := cpuStart - p.cpuStart - p.cpuSeconds
	m, err := t.Evaluate(p.ctx, p.loader)
	if err != nil {
		return fmt.Errorf("probe after %d steps: %w", steps, err)
	}
	p.points = append(p.points, point{steps: steps, examples: steps * p.batch, cpu: trainCPU, loss: m.Loss})
	p.seconds += time.Since(start).Seconds()
	p.cpuSeconds += cpuTime() - cpuStart
	return nil
}
