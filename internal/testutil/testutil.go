// Package testutil holds the helpers that the packages' tests share: the course backend, random
// tensors, and the relative-error measures that tests compare against their oracles.
package testutil

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
)

// Backend returns the course backend (package backend), failing the test if it cannot be made.
func Backend(t testing.TB) compute.Backend {
	t.Helper()
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Fill returns a Float32 or Float64 tensor of the given shape with values from f, row-major.
func Fill(dtype dtypes.DType, dims []int, f func() float64) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtype, dims...))
	t.MustMutableFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for i := range v {
				v[i] = float32(f())
			}
		case []float64:
			for i := range v {
				v[i] = f()
			}
		}
	})
	return t
}

// RandNormal returns a tensor with entries scale·N(0, 1) drawn from rng.
func RandNormal(rng *rand.Rand, dtype dtypes.DType, scale float64, dims ...int) *tensors.Tensor {
	return Fill(dtype, dims, func() float64 { return scale * rng.NormFloat64() })
}

// Flat64 copies a Float32 or Float64 tensor's values as float64.
func Flat64(t *tensors.Tensor) []float64 {
	var out []float64
	t.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for _, x := range v {
				out = append(out, float64(x))
			}
		case []float64:
			out = append(out, v...)
		}
	})
	return out
}

// RelErr is ||a - b|| / max(||a||, ||b||) (Inf for different lengths).
func RelErr(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	var d, na, nb float64
	for i := range a {
		d += (a[i] - b[i]) * (a[i] - b[i])
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(max(na, nb)), 1e-300)
}
