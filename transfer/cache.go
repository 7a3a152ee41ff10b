package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tanren-ml/tanren/data"
	"github.com/tanren-ml/tanren/graph"
	L "github.com/tanren-ml/tanren/layers"
	"github.com/tanren-ml/tanren/train"
	"github.com/tanren-ml/tanren/zoo"
)

// Deterministic marks a transform as free of augmentation: the caller
// promises that it maps each sample to the same result every epoch
// (resizing, cropping the centre, normalizing), so features computed from
// its output may be cached. Loader transforms of the types data.Normalize,
// data.Resize, data.ResizeShorter, data.CenterCrop and
// data.ResizeCenterCrop are known to be deterministic without it; a
// data.Compose of them needs it.
func Deterministic(t data.Transform) data.Transform {
	if t == nil {
		return nil
	}
	return deterministic{t}
}

type deterministic struct{ data.Transform }

// augments says why a loader's batches may differ between epochs, or "".
func augments(l *data.Loader) string {
	if l.BatchTransform != nil {
		return "it has a BatchTransform"
	}
	switch t := l.Transform.(type) {
	case nil, deterministic, data.Normalize, data.Resize, data.ResizeShorter, data.CenterCrop, data.ResizeCenterCrop:
		return ""
	default:
		return "its Transform " + typeName(t) + " may augment (wrap it in transfer.Deterministic if it does not)"
	}
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// split is a model cut where the cache goes: the longest run of
// top-level layers from the input whose tensors (parameters and
// batch-norm buffers) are all frozen, and the rest.
type split struct {
	frozen, top []L.Named
}

// cachePoint finds the cut. The frozen run stops before a top-level
// Dropout, which draws masks in training and is the identity in the
// evaluation-mode forward that computes the features.
func cachePoint(m *zoo.Model) (split, error) {
	var sp split
	layers, err := m.Layers()
	if err != nil {
		return sp, err
	}
	k := 0
	for ; k < len(layers); k++ {
		if isDropout(layers[k].Layer) || !allFrozen(m.Store, layers[k].Name) {
			break
		}
	}
	// Trailing parameter-free layers (ReLU, pooling) are cheaper to keep
	// in the cache than to recompute, so they stay in the frozen run.
	switch {
	case k == 0:
		return sp, fmt.Errorf("model %s: its first layer %q has trainable tensors: nothing to cache (freeze the body first)", m.Info.Name, layers[0].Name)
	case k == len(layers):
		return sp, fmt.Errorf("model %s: every tensor is frozen: nothing to train", m.Info.Name)
	}
	return split{frozen: layers[:k], top: layers[k:]}, nil
}

func isDropout(l graph.Layer) bool {
	switch l.(type) {
	case L.Dropout, *L.Dropout:
		return true
	}
	return false
}

// allFrozen reports whether every tensor under the top-level name is
// frozen (true for a layer without tensors).
func allFrozen(s *graph.Store, name string) bool {
	for _, v := range s.Vars() {
		if strings.HasPrefix(v.Name, name+".") && !v.Frozen {
			return false
		}
	}
	return true
}

// CanCache returns nil when the model's frozen layers can be computed once
// for the loaders' datasets: the model starts with frozen layers (batch-norm
// statistics included) and has trainable ones after them, and no loader
// augments. Otherwise the error says why not.
func CanCache(m *zoo.Model, loaders ...*data.Loader) error {
	if err := canCache(m, loaders); err != nil {
		return fmt.Errorf("transfer: cannot cache features: %w", err)
	}
	return nil
}

func canCache(m *zoo.Model, loaders []*data.Loader) error {
	if m == nil || m.Store == nil {
		return errors.New("nil model or store")
	}
	if _, err := cachePoint(m); err != nil {
		return err
	}
	for _, l := range loaders {
		if l == nil {
			continue
		}
		if why := augments(l); why != "" {
			return fmt.Errorf("the loader of %d samples augments: %s", datasetLen(l), why)
		}
	}
	return nil
}

func datasetLen(l *data.Loader) int {
	if l.Dataset == nil {
		return 0
	}
	return l.Dataset.Len()
}

// FitCached is Trainer.Fit with frozen-feature caching. The model's
// leading frozen layers (see CanCache) run once over each loader's
// dataset, in evaluation mode, and the trainable layers after them train
// on the stored outputs, batch for batch as Fit would feed them (the same
// shuffles, the same steps, the same schedule), so the weights end up as
// Fit's would, up to float rounding, in a fraction of the time.
//
// t is set up as for Fit with Model m.Layer and Store m.Store; for the
// duration of the call its Model is the trainable layers (restored
// afterwards, with its programs invalidated), and its History and
// position advance as with Fit. A callback that unfreezes
// a cached layer makes the next epoch fail: use Fit for that.
//
// Features are kept in memory as float32 (Batch.X's dtype follows the
// loaders). Frozen layers compute in evaluation mode, which equals
// training mode for frozen batch norms; dropout inside a frozen top-level
// layer would be switched off (a top-level Dropout ends the cached run).
func FitCached(ctx context.Context, t *train.Trainer, m *zoo.Model, trainSet, valSet *data.Loader) (*train.History, error) {
	switch {
	case t == nil || m == nil:
		return nil, errors.New("transfer: FitCached: nil trainer or model")
	case t.Store != m.Store:
		return nil, errors.New("transfer: FitCached: the trainer's Store is not the model's")
	case trainSet == nil:
		return nil, errors.New("transfer: FitCached: no training data")
	}
	if err := canCache(m, []*data.Loader{trainSet, valSet}); err != nil {
		return nil, fmt.Errorf("transfer: FitCached: cannot cache features: %w", err)
	}
	sp, err := cachePoint(m)
	if err != nil {
		return nil, err
	}
	feats := newFeatures(m, sp)
	ftrain, err := feats.loader(ctx, trainSet)
	if err != nil {
		return nil, fmt.Errorf("transfer: FitCached: training features: %w", err)
	}
	var fval *data.Loader
	if valSet != nil {
		if fval, err = feats.loader(ctx, valSet); err != nil {
			return nil, fmt.Errorf("transfer: FitCached: validation features: %w", err)
		}
	}
	model, callbacks := t.Model, t.Callbacks
	t.Invalidate()
	t.Model = feats.topLayer()
	t.Callbacks = append(append([]train.Callback(nil), callbacks...), cacheGuard{m: m, frozen: sp.frozen})
	defer func() {
		t.Invalidate()
		t.Model, t.Callbacks = model, callbacks
	}()
	return t.Fit(ctx, ftrain, fval)
}

// cacheGuard fails an epoch whose cached layers are no longer frozen.
type cacheGuard struct {
	m      *zoo.Model
	frozen []L.Named
}

func (g cacheGuard) OnEpochBegin(_ *train.Trainer, epoch int) error {
	for _, l := range g.frozen {
		if !allFrozen(g.m.Store, l.Name) {
			return fmt.Errorf("transfer: FitCached: epoch %d: layer %q was unfrozen, but its outputs are cached: train with Fit instead", epoch, l.Name)
		}
	}
	return nil
}

// features computes and stores the outputs of a model's frozen layers.
type features struct {
	store  *graph.Store
	frozen graph.Layer
	top    graph.Layer
	// shape is the frozen layers' output shape without the batch axis.
	shape tensor.Shape
}

func newFeatures(m *zoo.Model, sp split) *features {
	return &features{store: m.Store, frozen: L.Sequential(asLayers(sp.frozen)), top: L.Sequential(asLayers(sp.top))}
}

// setShape records the frozen layers' output shape from a batch's
// output: every batch of every loader must agree.
func (f *features) setShape(out tensor.Shape) error {
	if len(out) < 2 || len(out) > 4 {
		return fmt.Errorf("the frozen layers output %v: only 2- to 4-D outputs can be cached", out)
	}
	if f.shape == nil {
		f.shape = out[1:].Clone()
		return nil
	}
	if !f.shape.Eq(out[1:]) {
		return fmt.Errorf("the frozen layers output %v for one batch and (N, %v) for another: images of different sizes cannot share a cache", out, f.shape)
	}
	return nil
}

func asLayers(ns []L.Named) []graph.Layer {
	out := make([]graph.Layer, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

// topLayer is the trainable layers on cached features: samples are stored
// as C×H×W images, so batches are reshaped back to the frozen layers'
// output shape first.
func (f *features) topLayer() graph.Layer {
	shape := f.shape
	return graph.LayerFunc(func(s *graph.Scope, x *G.Node) (*G.Node, error) {
		want := append(tensor.Shape{x.Shape()[0]}, shape...)
		if !x.Shape().Eq(want) {
			r, err := G.Reshape(x, want)
			if err != nil {
				return nil, err
			}
			x = r
		}
		return f.top.Forward(s, x)
	})
}

// loader computes the features of l's dataset and returns a loader over
// them that batches exactly as l does (same batch size, shuffling and
// seed, hence the same batches in the same order).
func (f *features) loader(ctx context.Context, l *data.Loader) (*data.Loader, error) {
	ds, err := f.compute(ctx, l)
	if err != nil {
		return nil, err
	}
	return &data.Loader{
		Dataset: ds, BatchSize: l.BatchSize, Shuffle: l.Shuffle, DropLast: l.DropLast, Seed: l.Seed,
		Workers: l.Workers, Prefetch: l.Prefetch, Dtype: l.Dtype, NumClasses: l.NumClasses,
	}, nil
}

func (f *features) compute(ctx context.Context, l *data.Loader) (*data.InMemory, error) {
	if l.Dataset == nil {
		return nil, errors.New("loader has no Dataset")
	}
	// The same samples, transformed the same way, in dataset order.
	pass := &data.Loader{
		Dataset: l.Dataset, BatchSize: l.BatchSize, Workers: l.Workers, Prefetch: l.Prefetch,
		Transform: l.Transform, Dtype: l.Dtype, NumClasses: l.NumClasses, Seed: l.Seed,
	}
	samples := make([]data.Sample, l.Dataset.Len())
	progs := map[int]*graph.Program{}
	defer func() {
		for _, p := range progs {
			p.Close()
		}
	}()
	it, err := pass.Epoch(ctx, 1)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for {
		b, err := it.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		n := b.Len()
		p, ok := progs[n]
		if !ok {
			if p, err = graph.Compile(f.store, f.frozen, graph.Spec{Mode: graph.Eval, Input: b.X.Shape().Clone()}); err != nil {
				return nil, err
			}
			progs[n] = p
		}
		out, err := p.Forward(b.X)
		if err != nil {
			return nil, err
		}
		if err := f.setShape(out.Shape()); err != nil {
			return nil, err
		}
		c, h, w := f.chw()
		vals := float32s(out)
		var targets []float32
		if b.Targets != nil {
			targets = float32s(b.Targets)
		}
		per := len(vals) / n
		for i := 0; i < n; i++ {
			s := data.Sample{Image: vals[i*per : (i+1)*per : (i+1)*per], C: c, H: h, W: w, Label: b.Labels[i]}
			if targets != nil {
				k := len(targets) / n
				s.Target = targets[i*k : (i+1)*k : (i+1)*k]
			}
			samples[b.Indices[i]] = s
		}
	}
	return &data.InMemory{Samples: samples, ClassNames: data.ClassesOf(l.Dataset)}, nil
}

// chw lays the feature shape out as a sample's C×H×W.
func (f *features) chw() (c, h, w int) {
	c, h, w = 1, 1, 1
	switch len(f.shape) {
	case 1:
		c = f.shape[0]
	case 2:
		c, h = f.shape[0], f.shape[1]
	case 3:
		c, h, w = f.shape[0], f.shape[1], f.shape[2]
	}
	return c, h, w
}

// float32s returns a new float32 copy of t's values.
func float32s(t *tensor.Dense) []float32 {
	vals := graph.Float64s(t)
	out := make([]float32, len(vals))
	for i, v := range vals {
		out[i] = float32(v)
	}
	return out
}
