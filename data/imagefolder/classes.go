package imagefolder

import (
	"fmt"
	"slices"
	"strings"
)

// checkClasses compares the class folders found under root with the
// expected classes and lists the differences in one line.
func checkClasses(root string, found []string, c config) error {
	if c.classIndex == nil {
		return nil
	}
	var missing, unexpected []string
	for _, name := range c.Classes {
		if _, ok := slices.BinarySearch(found, name); !ok {
			missing = append(missing, name)
		}
	}
	for _, name := range found {
		if _, ok := c.classIndex[name]; !ok {
			unexpected = append(unexpected, name)
		}
	}
	if len(missing) == 0 && len(unexpected) == 0 {
		return nil
	}
	var diffs []string
	if len(missing) > 0 {
		diffs = append(diffs, "missing "+quoteList(missing))
	}
	if len(unexpected) > 0 {
		diffs = append(diffs, "unexpected "+quoteList(unexpected))
	}
	return fmt.Errorf("imagefolder: the class folders of %q differ from the %d expected classes: %s; give it exactly one subfolder per expected class (%s)", root, len(c.Classes), strings.Join(diffs, "; "), quoteList(c.Classes))
}

// quoteList quotes up to 10 names, e.g. `"cat", "dog" and 3 more`.
func quoteList(names []string) string {
	const show = 10
	q := make([]string, 0, min(len(names), show))
	for _, n := range names[:min(len(names), show)] {
		q = append(q, fmt.Sprintf("%q", n))
	}
	s := strings.Join(q, ", ")
	if len(names) > show {
		s += fmt.Sprintf(" and %d more", len(names)-show)
	}
	return s
}
