package transfer

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/zoo"
)

// Slice spreads learning rates over n layer groups, from the input to the
// head, as fastai's lr=slice(lo, hi) does: with lo > 0 the rates grow
// geometrically from lo (first group) to hi (last group); with lo = 0
// (fastai's slice(hi)) every group but the last gets hi/10 and the last
// gets hi. With one group the rate is hi.
func Slice(lo, hi float64, n int) ([]float64, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("transfer: Slice: %d groups; need at least one", n)
	case !(hi > 0) || math.IsInf(hi, 0):
		return nil, fmt.Errorf("transfer: Slice(%v, %v): the top rate must be finite and > 0", lo, hi)
	case !(lo >= 0) || lo > hi:
		return nil, fmt.Errorf("transfer: Slice(%v, %v): the bottom rate must be in [0, top] (0 means top/10 below the head)", lo, hi)
	}
	out := make([]float64, n)
	if n == 1 {
		out[0] = hi
		return out, nil
	}
	if lo == 0 {
		for i := range out {
			out[i] = hi / 10
		}
		out[n-1] = hi
		return out, nil
	}
	// fastai's even_mults: lo·step^i with step = (hi/lo)^(1/(n−1)).
	step := math.Pow(hi/lo, 1/float64(n-1))
	for i := range out {
		out[i] = lo * math.Pow(step, float64(i))
	}
	return out, nil
}

// SetRates gives the parameters of group i the learning rate rates[i]
// while the solver's own rate is base: each gets the multiplier
// rates[i]/base through solvers.LRScaler (so a schedule that moves the
// solver's rate moves every group's in proportion, as fastai's per-group
// schedules do), and records the group and multiplier in the Store
// (Var.Group, Var.LRScale). Frozen parameters get theirs too, for when
// they are unfrozen. Every parameter must be in exactly one group.
//
// The solver must implement solvers.LRScaler (every solver of package
// solvers does; Gorgonia's built-ins cannot scale rates per parameter).
func SetRates(s *graph.Store, groups []zoo.Group, solver G.Solver, base float64, rates []float64) error {
	scaler, ok := solver.(solvers.LRScaler)
	if !ok {
		return fmt.Errorf("transfer: SetRates: solver %T cannot scale learning rates per parameter: build it with solvers.New", solver)
	}
	if !(base > 0) || math.IsInf(base, 0) {
		return fmt.Errorf("transfer: SetRates: base rate %v must be finite and > 0", base)
	}
	if len(rates) != len(groups) {
		return fmt.Errorf("transfer: SetRates: %d rates for %d groups (%s)", len(rates), len(groups), groupNames(groups))
	}
	for i, r := range rates {
		if !(r > 0) || math.IsInf(r, 0) {
			return fmt.Errorf("transfer: SetRates: rate %v of group %q must be finite and > 0 (freeze a group to stop it)", r, groups[i].Name)
		}
	}
	a, err := assign(s, groups)
	if err != nil {
		return fmt.Errorf("transfer: SetRates: %w", err)
	}
	for i, g := range groups {
		scale := rates[i] / base
		for _, v := range a.members[i] {
			if v.Kind != graph.Parameter {
				continue
			}
			if err := scaler.SetLRScale(v.Value, scale); err != nil {
				return fmt.Errorf("transfer: SetRates: %q: %w", v.Name, err)
			}
			v.Group, v.LRScale = g.Name, scale
		}
	}
	return nil
}
