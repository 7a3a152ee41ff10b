package regularize

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/tanren-ml/tanren/graph"
)

// Selector chooses the parameters a penalty or a constraint applies to.
//
// The zero value selects the weights of convolution and linear layers:
// parameters whose name is "weight" or ends in ".weight" and that have at
// least two dimensions. Biases and normalization parameters (γ, β) are 1-D
// and are not selected, because shrinking them does not reduce the
// capacity of the model and hurts batch norm (the usual practice, see
// Goodfellow et al., Deep Learning §7.1).
type Selector struct {
	// Include, when not empty, replaces the default rule: a parameter is
	// selected when its name matches one of these glob patterns
	// (path.Match syntax, where '*' also matches dots, so "fc*.weight" or
	// "layer4.*"), whatever its shape.
	Include []string
	// Exclude removes parameters whose name matches one of these patterns
	// from the selection (default or Include), e.g. "fc3.*" to leave a
	// classifier head unregularized.
	Exclude []string
}

// Patterns returns a Selector of the parameters matching any of the glob
// patterns.
func Patterns(patterns ...string) Selector { return Selector{Include: patterns} }

// Match reports whether the selector selects v. Buffers are never
// selected. A malformed pattern is an error.
func (s Selector) Match(v *graph.Var) (bool, error) {
	if v == nil || v.Kind != graph.Parameter {
		return false, nil
	}
	in := isWeight(v)
	if len(s.Include) > 0 {
		var err error
		if in, err = matchAny(v.Name, s.Include); err != nil {
			return false, err
		}
	}
	if !in {
		return false, nil
	}
	out, err := matchAny(v.Name, s.Exclude)
	return in && !out, err
}

// Validate checks the patterns against a store: every pattern must be well
// formed and every Include pattern must match at least one parameter,
// because a pattern that matches nothing is almost always a typo (and would
// silently regularize nothing).
func (s Selector) Validate(store *graph.Store) error {
	if store == nil {
		return errors.New("selector: nil store")
	}
	for _, p := range append(append([]string(nil), s.Include...), s.Exclude...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("selector: bad pattern %q: %w", p, err)
		}
	}
	params := store.Params()
	for _, p := range s.Include {
		hit := false
		for _, v := range params {
			if ok, _ := path.Match(p, v.Name); ok {
				hit = true
				break
			}
		}
		if !hit {
			example := "(store has no parameters)"
			if len(params) > 0 {
				example = params[0].Name
			}
			return fmt.Errorf("selector: pattern %q matches no parameter of the store (names look like %q)", p, example)
		}
	}
	return nil
}

// String describes the selection, for logs and errors.
func (s Selector) String() string {
	sel := "conv/linear weights"
	if len(s.Include) > 0 {
		sel = strings.Join(s.Include, ", ")
	}
	if len(s.Exclude) > 0 {
		sel += " except " + strings.Join(s.Exclude, ", ")
	}
	return sel
}

// isWeight is the default rule: a weight matrix or filter bank.
func isWeight(v *graph.Var) bool {
	return (v.Name == "weight" || strings.HasSuffix(v.Name, ".weight")) && v.Value != nil && v.Value.Dims() >= 2
}

func matchAny(name string, patterns []string) (bool, error) {
	for _, p := range patterns {
		ok, err := path.Match(p, name)
		if err != nil {
			return false, fmt.Errorf("selector: bad pattern %q: %w", p, err)
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}
