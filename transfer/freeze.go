package transfer

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/zoo"
)

// Options configures freezing. The zero value freezes everything a pattern
// or group matches.
type Options struct {
	// TrainBN keeps the affine parameters (γ "weight" and β "bias") of the
	// batch norms in frozen layers trainable, fastai's train_bn. Their
	// running statistics stay frozen, so those batch norms still normalize
	// with the pretrained statistics (Keras's rule) and only rescale and
	// shift. (fastai also lets such batch norms normalize with batch
	// statistics; here a frozen layer never changes its statistics.)
	TrainBN bool
}

// Freeze freezes every Store entry whose name matches one of the glob
// patterns ("layer1.*", "conv1.weight"; '*' also matches dots): parameters
// stop receiving gradients and updates, and batch-norm buffers stop
// updating, so a frozen batch norm normalizes with its running statistics
// (with an exact gradient, unlike Gorgonia's eval-mode batch norm). With
// opt.TrainBN the γ and β of frozen batch norms stay trainable. It returns
// the number of entries frozen. A pattern that matches nothing is an
// error.
//
// Programs are fixed when compiled: call Trainer.Invalidate (or compile
// anew) after freezing.
func Freeze(s *graph.Store, opt Options, patterns ...string) (int, error) {
	if s == nil {
		return 0, errors.New("transfer: Freeze: nil store")
	}
	if len(patterns) == 0 {
		return 0, errors.New("transfer: Freeze: no patterns (use \"*\" for every tensor)")
	}
	vars, err := matching(s, patterns)
	if err != nil {
		return 0, fmt.Errorf("transfer: Freeze: %w", err)
	}
	setFrozen(s, vars, true, opt)
	return len(vars), nil
}

// Unfreeze makes every Store entry matching one of the glob patterns
// trainable again: parameters receive gradients, batch-norm buffers
// update (batch norm trains with batch statistics). It returns the number
// of entries unfrozen; a pattern that matches nothing is an error. Call
// Trainer.Invalidate afterwards.
func Unfreeze(s *graph.Store, patterns ...string) (int, error) {
	if s == nil {
		return 0, errors.New("transfer: Unfreeze: nil store")
	}
	if len(patterns) == 0 {
		return 0, errors.New("transfer: Unfreeze: no patterns (use \"*\" for every tensor)")
	}
	vars, err := matching(s, patterns)
	if err != nil {
		return 0, fmt.Errorf("transfer: Unfreeze: %w", err)
	}
	setFrozen(s, vars, false, Options{})
	return len(vars), nil
}

// UnfreezeAll makes every entry of the store trainable (fastai's
// unfreeze).
func UnfreezeAll(s *graph.Store) error {
	if s == nil {
		return errors.New("transfer: UnfreezeAll: nil store")
	}
	setFrozen(s, s.Vars(), false, Options{})
	return nil
}

// FreezeBody freezes every tensor of the model except its classifier
// (Info.Head): "everything but the head", with its batch-norm statistics.
// The head is made trainable.
func FreezeBody(m *zoo.Model, opt Options) error {
	if m == nil || m.Store == nil {
		return errors.New("transfer: FreezeBody: nil model or store")
	}
	head, err := headSet(m)
	if err != nil {
		return fmt.Errorf("transfer: FreezeBody: %w", err)
	}
	var body, top []*graph.Var
	for _, v := range m.Store.Vars() {
		if head[v.Name] {
			top = append(top, v)
		} else {
			body = append(body, v)
		}
	}
	setFrozen(m.Store, body, true, opt)
	setFrozen(m.Store, top, false, Options{})
	return nil
}

// FreezeGroups freezes the named layer groups (names from groups, such as
// a zoo model's Info.Groups), batch-norm statistics included.
func FreezeGroups(s *graph.Store, groups []zoo.Group, opt Options, names ...string) error {
	return setGroups(s, groups, names, true, opt)
}

// UnfreezeGroups makes the named layer groups trainable.
func UnfreezeGroups(s *graph.Store, groups []zoo.Group, names ...string) error {
	return setGroups(s, groups, names, false, Options{})
}

func setGroups(s *graph.Store, groups []zoo.Group, names []string, frozen bool, opt Options) error {
	verb := "FreezeGroups"
	if !frozen {
		verb = "UnfreezeGroups"
	}
	a, err := assign(s, groups)
	if err != nil {
		return fmt.Errorf("transfer: %s: %w", verb, err)
	}
	if len(names) == 0 {
		return fmt.Errorf("transfer: %s: no group names (groups: %s)", verb, groupNames(groups))
	}
	for _, name := range names {
		i := groupIndex(groups, name)
		if i < 0 {
			return fmt.Errorf("transfer: %s: no group %q (groups: %s)", verb, name, groupNames(groups))
		}
		setFrozen(s, a.members[i], frozen, opt)
	}
	return nil
}

// FreezeTo freezes the groups before index n and makes the groups from n
// on trainable, as fastai's freeze_to: a negative n counts from the end,
// so FreezeTo(s, groups, -1, opt) trains only the last group (fastai's
// freeze) and FreezeTo(s, groups, 0, opt) trains everything (unfreeze).
// Entries in no group are left as they are.
func FreezeTo(s *graph.Store, groups []zoo.Group, n int, opt Options) error {
	a, err := assign(s, groups)
	if err != nil {
		return fmt.Errorf("transfer: FreezeTo: %w", err)
	}
	k := len(groups)
	if n < -k || n > k {
		return fmt.Errorf("transfer: FreezeTo(%d): the model has %d groups (%s); use -%d … %d", n, k, groupNames(groups), k, k)
	}
	if n < 0 {
		n += k
	}
	for i := range groups {
		if i < n {
			setFrozen(s, a.members[i], true, opt)
		} else {
			setFrozen(s, a.members[i], false, Options{})
		}
	}
	return nil
}

// setFrozen sets the Frozen flag of vars, keeping the batch-norm affine
// parameters among them trainable when freezing with TrainBN.
func setFrozen(s *graph.Store, vars []*graph.Var, frozen bool, opt Options) {
	for _, v := range vars {
		v.Frozen = frozen && !(opt.TrainBN && IsBatchNormAffine(s, v))
	}
}

// IsBatchNormAffine reports whether v is the γ ("weight") or β ("bias")
// of a batch norm: a 1-D parameter named prefix.weight or prefix.bias
// next to a buffer prefix.running_mean. (Names are PyTorch's, so the rule
// also holds for weights loaded from torchvision.)
func IsBatchNormAffine(s *graph.Store, v *graph.Var) bool {
	if s == nil || v == nil || v.Kind != graph.Parameter || v.Value == nil || v.Value.Dims() != 1 {
		return false
	}
	var prefix string
	switch {
	case strings.HasSuffix(v.Name, ".weight"):
		prefix = strings.TrimSuffix(v.Name, ".weight")
	case strings.HasSuffix(v.Name, ".bias"):
		prefix = strings.TrimSuffix(v.Name, ".bias")
	default:
		return false
	}
	rm, ok := s.Lookup(prefix + ".running_mean")
	return ok && rm.Kind == graph.Buffer
}

// matching returns the entries matching any pattern, in store order; a
// pattern matching nothing is an error (it is almost always a typo).
func matching(s *graph.Store, patterns []string) ([]*graph.Var, error) {
	hit := make([]int, len(patterns))
	var out []*graph.Var
	for _, v := range s.Vars() {
		in := false
		for i, p := range patterns {
			ok, err := match(p, v.Name)
			if err != nil {
				return nil, err
			}
			if ok {
				hit[i]++
				in = true
			}
		}
		if in {
			out = append(out, v)
		}
	}
	for i, p := range patterns {
		if hit[i] == 0 {
			return nil, fmt.Errorf("pattern %q matches no tensor (names look like %q)", p, exampleName(s))
		}
	}
	return out, nil
}

func exampleName(s *graph.Store) string {
	if vs := s.Vars(); len(vs) > 0 {
		return vs[0].Name
	}
	return "(store is empty)"
}

// headSet returns the model's classifier parameter names, checking that
// the store has them.
func headSet(m *zoo.Model) (map[string]bool, error) {
	if len(m.Info.Head) == 0 {
		return nil, fmt.Errorf("model %s: Info.Head lists no classifier parameters", m.Info.Name)
	}
	head := make(map[string]bool, len(m.Info.Head))
	for _, n := range m.Info.Head {
		if _, ok := m.Store.Lookup(n); !ok {
			return nil, fmt.Errorf("model %s: head parameter %q is not in the store", m.Info.Name, n)
		}
		head[n] = true
	}
	return head, nil
}
