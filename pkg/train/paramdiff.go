package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"
)

// MaxRelParamDiff is the largest relative difference between the parameters of two models of the
// same configuration: the maximum over parameter tensors p of max|a_p − b_p| / max|a_p| (a is
// the reference). 04 uses it to compare the course's trainer with GoMLX's after the same steps.
func MaxRelParamDiff(a, b *Model) (float64, error) {
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		return 0, fmt.Errorf("train: MaxRelParamDiff: %d and %d parameter tensors", len(pa), len(pb))
	}
	worst := 0.0
	for i := range pa {
		if !slices.Equal(pa[i].Shape().Dimensions, pb[i].Shape().Dimensions) || pa[i].DType() != pb[i].DType() {
			return 0, fmt.Errorf("train: MaxRelParamDiff: parameter %d is %s in one model and %s in the other", i, pa[i].Shape(), pb[i].Shape())
		}
		want, got := toFloat64(pa[i]), toFloat64(pb[i])
		d, ref := 0.0, 0.0
		for j := range want {
			d, ref = max(d, math.Abs(got[j]-want[j])), max(ref, math.Abs(want[j]))
		}
		if ref > 0 {
			worst = max(worst, d/ref)
		} else if d > 0 {
			worst = math.Inf(1)
		}
	}
	return worst, nil
}

// toFloat64 copies a float32 or float64 tensor's values.
func toFloat64(t *tensors.Tensor) []float64 {
	var out []float64
	t.MustConstFlatData(func(flat any) {
		switch f := flat.(type) {
		case []float32:
			for _, x := range f {
				out = append(out, float64(x))
			}
		case []float64:
			out = append(out, f...)
		}
	})
	return out
}
