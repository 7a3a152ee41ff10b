package solvers

import (
	"fmt"

	"gorgonia.org/tensor"
)

// SetLRScale sets the learning-rate multiplier of one parameter: from the
// next Step on it is updated as if the learning rate were scale·lr wherever
// the solver uses the learning rate (decoupled weight decay and AdaBound's
// bounds included, so its whole step scales). scale must be finite and ≥ 0;
// 0 keeps the parameter's weights still while its moments keep updating.
// Callers set scales from the Store by name pattern or layer group.
func (c *core) SetLRScale(param *tensor.Dense, scale float64) error {
	if param == nil {
		return fmt.Errorf("solvers: %s: SetLRScale: parameter is nil", c.kind)
	}
	if !finite(scale) || scale < 0 {
		return fmt.Errorf("solvers: %s: SetLRScale: scale %v for parameter %v is invalid: give a finite value ≥ 0", c.kind, scale, param.Shape())
	}
	if scale == 1 {
		delete(c.scales, param)
		return nil
	}
	c.scales[param] = scale
	return nil
}

// LRScale returns the learning-rate multiplier of param (1 unless set).
func (c *core) LRScale(param *tensor.Dense) float64 { return c.scale(param) }

// ResetLRScales sets every parameter's multiplier back to 1.
func (c *core) ResetLRScales() { c.scales = make(map[*tensor.Dense]float64) }

func (c *core) scale(param *tensor.Dense) float64 {
	if s, ok := c.scales[param]; ok {
		return s
	}
	return 1
}
