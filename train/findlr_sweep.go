package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
)

// findLRSalt separates the dropout masks of the sweep from those of Fit.
const findLRSalt = 0x4c52_4649_4e44 // "LRFIND"

// sweep runs the steps of FindLR and records them in out. compiled is
// called in every step once its program exists, before it runs.
func (t *Trainer) sweep(ctx context.Context, solver solvers.Solver, trainSet *data.Loader, cfg FindLRConfig, out *LRSweep, compiled func()) error {
	ratio := cfg.EndLR / cfg.StartLR
	var avg, best float64
	best = math.Inf(1)
	step := 0
	for epoch := 1; step < cfg.NumIter; epoch++ {
		it, err := trainSet.Epoch(ctx, epoch)
		if err != nil {
			return fmt.Errorf("find lr: %w", err)
		}
		batches := 0
		for step < cfg.NumIter {
			if ctx.Err() != nil {
				it.Close()
				return fmt.Errorf("find lr: interrupted at step %d: %w", step, ctx.Err())
			}
			batch, err := it.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				it.Close()
				return fmt.Errorf("find lr: epoch %d of the loader: %w", epoch, err)
			}
			batches++
			lr := cfg.StartLR * math.Pow(ratio, float64(step)/float64(cfg.NumIter))
			solver.SetLearnRate(lr)
			why, stepErr := t.sweepStep(solver, batch, step, compiled, func(raw float64) (bool, string) {
				avg = cfg.Beta*avg + (1-cfg.Beta)*raw
				smooth := avg / (1 - math.Pow(cfg.Beta, float64(step+1)))
				out.LRs = append(out.LRs, lr)
				out.RawLosses = append(out.RawLosses, raw)
				out.Losses = append(out.Losses, smooth)
				switch {
				case math.IsNaN(raw) || math.IsInf(raw, 0):
					return true, fmt.Sprintf("the loss is not finite (%v) at lr %.3g, step %d", raw, lr, step)
				case math.IsNaN(smooth):
					return true, fmt.Sprintf("the smoothed loss is NaN at lr %.3g, step %d", lr, step)
				}
				best = math.Min(best, smooth)
				if !cfg.NoStop && smooth > cfg.StopFactor*best {
					return true, fmt.Sprintf("diverged: smoothed loss %.4g > %g × best %.4g at lr %.3g, step %d", smooth, cfg.StopFactor, best, lr, step)
				}
				return false, ""
			})
			if stepErr != nil {
				it.Close()
				return fmt.Errorf("find lr: step %d (lr %.3g): %w", step, lr, stepErr)
			}
			step++
			if why != "" {
				out.Stopped = why
				it.Close()
				return nil
			}
		}
		it.Close()
		if batches == 0 {
			return fmt.Errorf("find lr: the loader gave no batches in epoch %d: its dataset is empty (or DropLast drops its only, partial batch)", epoch)
		}
	}
	return nil
}

// sweepStep runs one batch forward and backward, hands the loss to record
// (which says whether the sweep must stop, and why), and, unless it stops,
// applies the solver. It returns the reason to stop ("" to go on).
func (t *Trainer) sweepStep(solver solvers.Solver, batch *data.Batch, step int, compiled func(), record func(raw float64) (stop bool, why string)) (string, error) {
	p, err := t.program(graph.Train, batch.X)
	if err != nil {
		return "", err
	}
	compiled()
	learn := p.Learnables()
	if len(learn) == 0 {
		return "", errors.New("every parameter is frozen: there is nothing to sweep")
	}
	target, err := targets(batch, p.OutputShape())
	if err != nil {
		return "", err
	}
	p.Reseed(mix(t.Seed^findLRSalt, uint64(step)))
	res, err := p.Run(batch.X, target)
	if err != nil {
		return "", err
	}
	if stop, why := record(res.Loss); stop {
		zeroGrads(learn)
		return why, nil
	}
	if name, ok := nonFiniteGrad(learn); !ok {
		zeroGrads(learn)
		return fmt.Sprintf("the gradient of %s is not finite at lr %.3g, step %d", name, solver.LearnRate(), step), nil
	}
	if err := stepSolver(solver, learn); err != nil {
		return "", err
	}
	if name, ok := nonFiniteValue(learn); !ok {
		return fmt.Sprintf("the weights of %s are no longer finite after the step at lr %.3g, step %d", name, solver.LearnRate(), step), nil
	}
	return "", nil
}

// stepSolver applies the solver, turning a panic into an error.
func stepSolver(s G.Solver, learn []G.ValueGrad) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("solver %T panicked: %v", s, r)
		}
	}()
	if err := s.Step(learn); err != nil {
		return fmt.Errorf("solver %T: %w", s, err)
	}
	return nil
}

// nodeName names a learnable for messages.
func nodeName(vg G.ValueGrad) string {
	if n, ok := vg.(G.Namer); ok {
		return n.Name()
	}
	return "a parameter"
}

// nonFiniteGrad returns the name of the first parameter whose gradient has
// a NaN or ±Inf, and false; or "", true if all are finite.
func nonFiniteGrad(learn []G.ValueGrad) (string, bool) {
	for _, vg := range learn {
		g, err := vg.Grad()
		if err != nil {
			continue // the solver reports a missing gradient
		}
		if d, ok := g.(*tensor.Dense); ok && !allFinite(d) {
			return nodeName(vg), false
		}
	}
	return "", true
}

// nonFiniteValue is nonFiniteGrad for the weights themselves.
func nonFiniteValue(learn []G.ValueGrad) (string, bool) {
	for _, vg := range learn {
		if d, ok := vg.Value().(*tensor.Dense); ok && !allFinite(d) {
			return nodeName(vg), false
		}
	}
	return "", true
}

// zeroGrads clears the gradients of a step that is not taken, as a solver
// step would have, so they cannot leak into the next run.
func zeroGrads(learn []G.ValueGrad) {
	for _, vg := range learn {
		g, err := vg.Grad()
		if err != nil {
			continue
		}
		if d, ok := g.(*tensor.Dense); ok {
			d.Zero()
		}
	}
}

func allFinite(d *tensor.Dense) bool {
	switch v := d.Data().(type) {
	case []float32:
		return finiteSlice(v)
	case []float64:
		return finiteSlice(v)
	}
	return true
}

func finiteSlice[T float32 | float64](v []T) bool {
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}
