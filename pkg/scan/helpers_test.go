package scan

import (
	"math"
	"math/rand/v2"

	"github.com/rnn-course/bottleneck/internal/testutil"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Shared test helpers (internal/testutil).
var (
	testBackend = testutil.Backend
	fill        = testutil.Fill
	flat64      = testutil.Flat64
	relErr      = testutil.RelErr
)

// inputs draws a in (0.5, 1), b ~ N(0, 1) and h0 ~ N(0, 1) (h0 nil unless withH0), so that h
// stays bounded for any T. dims is [B, T, ...].
func inputs(rng *rand.Rand, dtype dtypes.DType, dims []int, withH0 bool) (a, b, h0 *tensors.Tensor) {
	a = fill(dtype, dims, func() float64 { return 0.5 + 0.5*rng.Float64() })
	b = fill(dtype, dims, rng.NormFloat64)
	if withH0 {
		h0 = fill(dtype, append([]int{dims[0]}, dims[2:]...), rng.NormFloat64)
	}
	return a, b, h0
}

// refScan is the recurrence in plain Go, float64: the oracle. a, b are [B, T, F] row-major,
// h0 is [B, F] or nil.
func refScan(a, b, h0 []float64, B, T, F int) []float64 {
	h := make([]float64, len(a))
	for i := range B {
		for f := range F {
			prev := 0.0
			if h0 != nil {
				prev = h0[i*F+f]
			}
			for t := range T {
				k := (i*T+t)*F + f
				prev = a[k]*prev + b[k]
				h[k] = prev
			}
		}
	}
	return h
}

// refLoss is sum(h * g) for the oracle.
func refLoss(a, b, h0, g []float64, B, T, F int) float64 {
	s := 0.0
	for i, h := range refScan(a, b, h0, B, T, F) {
		s += h * g[i]
	}
	return s
}

// worst keeps the largest error seen per label, for the test log.
type worst map[string]float64

func (w worst) see(label string, e float64) {
	if old, ok := w[label]; !ok || e > old || math.IsNaN(e) { // a NaN error is kept, and shows
		w[label] = e
	}
}

// namedFunc is a scan function with a label, for tests and benchmarks that add variants of the
// exported forms (other chunk lengths, the adjoint gradient).
type namedFunc struct {
	Name string
	Func Func
}

// namedForms returns every exported form as a namedFunc.
func namedForms() []namedFunc {
	var out []namedFunc
	for _, f := range Forms {
		out = append(out, namedFunc{string(f), f.Func()})
	}
	return out
}
