// Package tensornpz converts between GoMLX host tensors and the arrays of package npz, the one
// place where the course's .npz files (PyTorch weights and parity cases, saved models,
// checkpoints) meet tensors. Only float32 and float64 tensors are converted: they are what the
// models hold.
package tensornpz

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
)

// Array returns a copy of a float32 or float64 tensor as an npz array called name.
func Array(name string, t *tensors.Tensor) (*npz.Array, error) {
	if t == nil {
		return nil, fmt.Errorf("%s is a nil tensor, want a float32 or float64 tensor", name)
	}
	if !t.Ok() {
		return nil, fmt.Errorf("%s is a finalized tensor (its data was freed), want a live float32 or float64 tensor", name)
	}
	dims := t.Shape().Dimensions
	switch t.DType() {
	case dtypes.Float32:
		return npz.NewFloat32(name, tensors.MustCopyFlatData[float32](t), dims...), nil
	case dtypes.Float64:
		return npz.NewFloat64(name, tensors.MustCopyFlatData[float64](t), dims...), nil
	}
	return nil, fmt.Errorf("%s has dtype %s, want float32 or float64", name, t.DType())
}

// Want says what Tensor must find.
type Want struct {
	DType dtypes.DType // Float32 or Float64
	Shape []int        // the exact shape
	// Convert accepts a float array of the other width and converts it (PyTorch files may hold
	// either); otherwise the array's dtype must be DType. A finite float64 value outside the
	// float32 range (|v| > math.MaxFloat32) is refused, never turned into ±Inf; values below
	// float32's smallest denormal become ±0, as in every float64 -> float32 conversion.
	Convert bool
	// Finite refuses NaN and ±Inf values (saved parameters and optimizer state).
	Finite bool
}

// Tensor reads the array called name from f as a tensor, checking it against want. Errors name
// the array and say what was found and what was wanted.
func Tensor(f *npz.File, name string, want Want) (*tensors.Tensor, error) {
	a, err := f.Get(name)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(a.Shape, want.Shape) {
		return nil, fmt.Errorf("%s has shape %v, want %v", name, a.Shape, want.Shape)
	}
	var f32 []float32
	var f64 []float64
	switch {
	case a.DType == npz.Float32 && (want.DType == dtypes.Float32 || want.Convert):
		f32 = a.F32
	case a.DType == npz.Float64 && (want.DType == dtypes.Float64 || want.Convert):
		f64 = a.F64
	default:
		return nil, fmt.Errorf("%s has dtype %s, want %s", name, a.DType, strings.ToLower(want.DType.String()))
	}
	if want.Finite {
		for i := range max(len(f32), len(f64)) {
			v := 0.0
			if f32 != nil {
				v = float64(f32[i])
			} else {
				v = f64[i]
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s has a non-finite value at flat index %d", name, i)
			}
		}
	}
	switch want.DType {
	case dtypes.Float32:
		if f32 == nil {
			f32 = make([]float32, len(f64))
			for i, v := range f64 {
				f32[i] = float32(v)
				if math.IsInf(float64(f32[i]), 0) && !math.IsInf(v, 0) {
					return nil, fmt.Errorf("%s has the value %g at flat index %d, outside the float32 range (±%g): "+
						"it cannot be read as float32 (read it as float64, or rescale it)", name, v, i, float32(math.MaxFloat32))
				}
			}
		} else {
			f32 = slices.Clone(f32)
		}
		return tensors.FromFlatDataAndDimensions(f32, want.Shape...), nil
	case dtypes.Float64:
		if f64 == nil {
			f64 = make([]float64, len(f32))
			for i, v := range f32 {
				f64[i] = float64(v)
			}
		} else {
			f64 = slices.Clone(f64)
		}
		return tensors.FromFlatDataAndDimensions(f64, want.Shape...), nil
	}
	return nil, fmt.Errorf("%s: cannot make a %s tensor, want float32 or float64", name, want.DType)
}
