package transfer

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/tanren-ml/tanren/graph"
	"github.com/tanren-ml/tanren/zoo"
)

// assignment maps a store's entries to layer groups.
type assignment struct {
	// members[i] are the entries of group i, in store order.
	members [][]*graph.Var
}

// assign puts every entry of s into the group whose patterns match its
// name. Every parameter must be in exactly one group (a parameter in none
// would silently keep its old state and learning rate, which is almost
// always a mistake in the patterns); buffers may be in none. A pattern
// matching nothing is an error.
func assign(s *graph.Store, groups []zoo.Group) (assignment, error) {
	var a assignment
	if s == nil {
		return a, errors.New("nil store")
	}
	if len(groups) == 0 {
		return a, errors.New("no layer groups (a zoo model has them in Info.Groups)")
	}
	a.members = make([][]*graph.Var, len(groups))
	hits := make([][]int, len(groups))
	for i, g := range groups {
		if len(g.Patterns) == 0 {
			return a, fmt.Errorf("group %q has no patterns", g.Name)
		}
		hits[i] = make([]int, len(g.Patterns))
	}
	for _, v := range s.Vars() {
		owner := -1
		for i, g := range groups {
			for j, p := range g.Patterns {
				ok, err := match(p, v.Name)
				if err != nil {
					return a, fmt.Errorf("group %q: %w", g.Name, err)
				}
				if !ok {
					continue
				}
				hits[i][j]++
				if owner >= 0 && owner != i {
					return a, fmt.Errorf("%q is in groups %q and %q: make the patterns disjoint", v.Name, groups[owner].Name, g.Name)
				}
				owner = i
			}
		}
		if owner < 0 {
			if v.Kind == graph.Parameter {
				return a, fmt.Errorf("parameter %q is in no group (groups: %s)", v.Name, groupNames(groups))
			}
			continue
		}
		a.members[owner] = append(a.members[owner], v)
	}
	for i, g := range groups {
		for j, p := range g.Patterns {
			if hits[i][j] == 0 {
				return a, fmt.Errorf("group %q: pattern %q matches no tensor (names look like %q)", g.Name, p, exampleName(s))
			}
		}
	}
	return a, nil
}

func groupIndex(groups []zoo.Group, name string) int {
	for i, g := range groups {
		if g.Name == name {
			return i
		}
	}
	return -1
}

func groupNames(groups []zoo.Group) string {
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.Name
	}
	return strings.Join(names, ", ")
}

// match is the Store's glob: path.Match, where '*' also matches dots
// because names contain no '/'.
func match(pattern, name string) (bool, error) {
	ok, err := path.Match(pattern, name)
	if err != nil {
		return ok, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	return ok, nil
}
