package scan

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// RandomCoefficients draws the coefficients of a linear recurrence h_t = a_t h_{t-1} + b_t with
// a ∈ (0.5, 1) uniform and b ~ N(0, 1), as float64 tensors [B, T, H].
func RandomCoefficients(B, T, H int, seed uint64) (a, b *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 1))
	av, bv := make([]float64, B*T*H), make([]float64, B*T*H)
	for i := range av {
		av[i], bv[i] = 0.5+0.5*rng.Float64(), rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(av, B, T, H), tensors.FromFlatDataAndDimensions(bv, B, T, H)
}

// Difference is how far one form's h is from the loop's: max_i |h_i − h_i(loop)| / |h_i(loop)|.
type Difference struct {
	Form   Form
	MaxRel float64
}

// AgreeWithLoop evaluates every form of Forms on the same coefficients a, b [B, T, H] (h_0 = 0)
// and returns each form's largest relative difference to the loop (FormSequential), in the
// order of Forms after the loop. Graph errors come back as errors.
func AgreeWithLoop(backend compute.Backend, a, b *tensors.Tensor) (diffs []Difference, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("scan: AgreeWithLoop: %v", r)
		}
	}()
	run := func(f Form) []float64 {
		out := MustExecOnce(backend, func(a, b *Node) *Node { return f.Func()(a, b, nil) }, a, b)
		return tensors.MustCopyFlatData[float64](out)
	}
	ref := run(FormSequential)
	for _, f := range Forms[1:] {
		got := run(f)
		d := Difference{Form: f}
		for i := range ref {
			d.MaxRel = math.Max(d.MaxRel, math.Abs(got[i]-ref[i])/math.Max(math.Abs(ref[i]), 1e-300))
		}
		diffs = append(diffs, d)
	}
	return diffs, nil
}
