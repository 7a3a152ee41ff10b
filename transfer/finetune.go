package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/solvers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// Config holds the knobs of FineTune. The zero value is fastai's
// fine_tune with its defaults (fastai 2.7: base_lr 2e-3, freeze_epochs 1,
// lr_mult 100, pct_start 0.3, div 5, and fit_one_cycle's div 25 and
// div_final 1e5 with pct_start 0.99 for the frozen phase, momentum
// 0.95→0.85→0.95, Adam with decoupled weight decay 0.01, train_bn).
type Config struct {
	// BaseLR is the head's peak learning rate in the frozen phase; the
	// unfrozen phase peaks at BaseLR/2. 0 means 2e-3.
	BaseLR float64
	// FreezeEpochs is the length of the frozen phase, in which only the
	// last layer group (the head) trains; 0 means 1, negative skips it.
	FreezeEpochs int
	// LRMult is the ratio of the head's rate to the first group's in the
	// unfrozen phase (fastai's slice(lr/LRMult, lr)); 0 means 100.
	LRMult float64
	// PctStart and Div shape the unfrozen phase's one-cycle schedule
	// (OneCycle.PctStart, OneCycle.Div); 0 means 0.3 and 5.
	PctStart, Div float64
	// FrozenPctStart and FrozenDiv shape the frozen phase's; 0 means 0.99
	// and 25.
	FrozenPctStart, FrozenDiv float64
	// DivFinal sets both phases' final rate, peak/DivFinal; 0 means 1e5.
	DivFinal float64
	// Moms are the one-cycle momenta (β1 for the Adam family); zero means
	// (0.95, 0.85, 0.95).
	Moms [3]float64
	// Solver trains both phases (its state carries over, as fastai keeps
	// its optimizer). It must implement solvers.LRScaler. nil means
	// fastai's default optimizer, Adam with decoupled weight decay:
	// solvers "adamw" with betas (0.9, 0.99), eps 1e-5, weight decay 0.01
	// (fastai exempts batch-norm and bias parameters from the decay; our
	// solvers decay every parameter they update).
	Solver solvers.Solver
	// FreezeBN freezes the batch norms' γ and β with their layers in the
	// frozen phase. The default keeps them trainable (fastai's train_bn).
	FreezeBN bool
	// NoCache turns frozen-feature caching off. By default the frozen
	// phase trains on cached features whenever CanCache allows it (no
	// trainable tensor below the head, no augmentation).
	NoCache bool
	// Loss, Penalties, Callbacks, Seed, Out and Quiet are passed to the
	// Trainer of each phase (see train.Trainer); the unfrozen phase's seed
	// is derived from Seed.
	Loss      graph.LossFunc
	Penalties []graph.Penalty
	Callbacks []train.Callback
	Seed      uint64
	Out       io.Writer
	Quiet     bool
}

// Phase records one phase of FineTune.
type Phase struct {
	// Name is "frozen" or "unfrozen".
	Name string
	// Rates are the peak learning rates of the layer groups.
	Rates []float64
	// Cached reports whether the phase trained on cached features.
	Cached bool
	// History is the phase's record.
	History *train.History
}

// FineTune fine-tunes a model as fastai's Learner.fine_tune does: first
// FreezeEpochs epochs with every layer group but the last (the head)
// frozen, by fastai's fit_one_cycle at BaseLR (the frozen groups' batch
// norm γ and β train at BaseLR/10 unless FreezeBN); then every group
// unfrozen for epochs epochs of one cycle peaking at BaseLR/2 on the head,
// spread over the groups by Slice(BaseLR/2/LRMult, BaseLR/2). The layer
// groups are m.Info.Groups; a new head (ReplaceHead) goes first.
//
// It returns the phases run, each with its history. The model ends with
// every tensor unfrozen, as fastai leaves it.
func FineTune(ctx context.Context, m *zoo.Model, trainSet, valSet *data.Loader, epochs int, cfg Config) ([]Phase, error) {
	switch {
	case m == nil || m.Store == nil || m.Layer == nil:
		return nil, errors.New("transfer: FineTune: nil model, store or layer")
	case trainSet == nil:
		return nil, errors.New("transfer: FineTune: no training data")
	case epochs < 0:
		return nil, fmt.Errorf("transfer: FineTune: epochs = %d must not be negative", epochs)
	case len(m.Info.Groups) < 2:
		return nil, fmt.Errorf("transfer: FineTune: model %s has %d layer groups; fine-tuning needs a body and a head (set Info.Groups)", m.Info.Name, len(m.Info.Groups))
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	nb := trainSet.NumBatches()
	if nb == 0 {
		// NumBatches is 0 for a misconfigured loader too; Epoch says why.
		it, err := trainSet.Epoch(ctx, 1)
		if err != nil {
			return nil, fmt.Errorf("transfer: FineTune: training loader: %w", err)
		}
		it.Close()
		return nil, errors.New("transfer: FineTune: the training loader yields no batches")
	}
	solver := cfg.Solver
	if solver == nil {
		var err error
		solver, err = solvers.New("adamw", solvers.WithBetas(0.9, 0.99), solvers.WithEps(1e-5), solvers.WithWeightDecay(0.01))
		if err != nil {
			return nil, err
		}
	}
	if _, ok := solver.(solvers.LRScaler); !ok {
		return nil, fmt.Errorf("transfer: FineTune: solver %T cannot scale learning rates per layer group: build it with solvers.New", solver)
	}
	groups := m.Info.Groups
	base := or(cfg.BaseLR, 2e-3)
	var phases []Phase

	if freeze := cfg.freezeEpochs(); freeze > 0 {
		if err := FreezeTo(m.Store, groups, -1, Options{TrainBN: !cfg.FreezeBN}); err != nil {
			return nil, fmt.Errorf("transfer: FineTune: %w", err)
		}
		sched := OneCycle{MaxLR: base, TotalSteps: freeze * nb, PctStart: or(cfg.FrozenPctStart, 0.99),
			Div: or(cfg.FrozenDiv, 25), DivFinal: cfg.DivFinal, Moms: cfg.Moms}
		ph, err := cfg.phase(ctx, "frozen", m, solver, sched, freeze, cfg.Seed, trainSet, valSet, base, sliceOf(0, base))
		if err != nil {
			return phases, err
		}
		phases = append(phases, ph)
	}
	if err := UnfreezeAll(m.Store); err != nil {
		return phases, err
	}
	if epochs == 0 {
		return phases, nil
	}
	lr := base / 2
	sched := OneCycle{MaxLR: lr, TotalSteps: epochs * nb, PctStart: or(cfg.PctStart, 0.3),
		Div: or(cfg.Div, 5), DivFinal: cfg.DivFinal, Moms: cfg.Moms}
	ph, err := cfg.phase(ctx, "unfrozen", m, solver, sched, epochs, cfg.Seed^0x5f3759df, trainSet, valSet, lr, sliceOf(lr/or(cfg.LRMult, 100), lr))
	if err != nil {
		return phases, err
	}
	return append(phases, ph), nil
}

// sliceOf defers Slice until the number of groups is known.
func sliceOf(lo, hi float64) func(n int) ([]float64, error) {
	return func(n int) ([]float64, error) { return Slice(lo, hi, n) }
}

func (c Config) freezeEpochs() int {
	if c.FreezeEpochs == 0 {
		return 1
	}
	return max(c.FreezeEpochs, 0)
}

func (c Config) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"BaseLR", c.BaseLR}, {"LRMult", c.LRMult}, {"Div", c.Div}, {"FrozenDiv", c.FrozenDiv}, {"DivFinal", c.DivFinal}} {
		if !(f.v >= 0) || f.v > 1e300 {
			return fmt.Errorf("transfer: FineTune: Config.%s = %v must be finite and ≥ 0 (0 means the default)", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"PctStart", c.PctStart}, {"FrozenPctStart", c.FrozenPctStart}} {
		if !(f.v >= 0 && f.v < 1) {
			return fmt.Errorf("transfer: FineTune: Config.%s = %v must be in [0, 1) (0 means the default)", f.name, f.v)
		}
	}
	if c.LRMult != 0 && c.LRMult < 1 {
		return fmt.Errorf("transfer: FineTune: Config.LRMult = %v must be ≥ 1: the head trains fastest", c.LRMult)
	}
	return nil
}

// phase sets the groups' rates and trains one phase.
func (c Config) phase(ctx context.Context, name string, m *zoo.Model, solver solvers.Solver, sched OneCycle, epochs int, seed uint64,
	trainSet, valSet *data.Loader, peak float64, spread func(int) ([]float64, error)) (Phase, error) {
	ph := Phase{Name: name}
	rates, err := spread(len(m.Info.Groups))
	if err != nil {
		return ph, fmt.Errorf("transfer: FineTune: %s phase: %w", name, err)
	}
	ph.Rates = rates
	if err := SetRates(m.Store, m.Info.Groups, solver, peak, rates); err != nil {
		return ph, fmt.Errorf("transfer: FineTune: %s phase: %w", name, err)
	}
	t := &train.Trainer{Model: m.Layer, Store: m.Store, Solver: solver, Schedule: sched, Loss: c.Loss, Penalties: c.Penalties,
		Epochs: epochs, Seed: seed, Callbacks: c.Callbacks, Out: c.Out, Quiet: c.Quiet}
	if !c.NoCache && CanCache(m, trainSet, valSet) == nil {
		ph.Cached = true
		ph.History, err = FitCached(ctx, t, m, trainSet, valSet)
	} else {
		ph.History, err = t.Fit(ctx, trainSet, valSet)
	}
	if err != nil {
		return ph, fmt.Errorf("transfer: FineTune: %s phase: %w", name, err)
	}
	return ph, nil
}
