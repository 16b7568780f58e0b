package deer_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/deer"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// Newton's method over the whole sequence reproduces the sequential GRU: DEER in a handful of
// iterations, quasi-DEER (diagonal Jacobian) in more.
func ExampleSolve() {
	b := backend.MustNew()
	cfg := recurrent.Config{Kind: recurrent.GRU, InputSize: 2, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float64}
	w, err := recurrent.NewWeights(cfg, 1)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1*200*2)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	x := tensors.FromFlatDataAndDimensions(xs, 1, 200, 2) // [B=1, T=200, D=2]
	want, err := deer.Sequential(b, w, x, nil)
	if err != nil {
		panic(err)
	}
	for _, m := range []deer.Method{deer.Full, deer.Quasi} {
		res, err := deer.Solve(context.Background(), b, deer.Config{Method: m}, w, x, nil, deer.Options{Tol: 1e-12})
		if err != nil {
			panic(err)
		}
		got, ref := tensors.MustCopyFlatData[float64](res.H), tensors.MustCopyFlatData[float64](want)
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, math.Abs(got[i]-ref[i]))
		}
		fmt.Printf("%-5s %2d iterations, matches the loop to 1e-12: %v\n", m, res.Iterations, worst < 1e-12)
	}
	// Output:
	// deer   6 iterations, matches the loop to 1e-12: true
	// quasi 17 iterations, matches the loop to 1e-12: true
}

// One Newton iteration has a critical path of O(log T); the loop's grows like T.
func ExampleIterationCost() {
	b := backend.MustNew()
	cell := recurrent.Config{Kind: recurrent.RNNTanh, InputSize: 8, HiddenSize: 16, NumLayers: 1, DType: dtypes.Float32}
	for _, T := range []int{64, 256, 1024} {
		it, err := deer.IterationCost(b, cell, deer.Config{}, 4, T)
		if err != nil {
			panic(err)
		}
		seq, err := deer.SequentialCost(b, cell, 4, T)
		if err != nil {
			panic(err)
		}
		fmt.Printf("T=%-4d depth of one DEER iteration %2d, of the loop %4d\n", T, it.Depth, seq.Depth)
	}
	// Output:
	// T=64   depth of one DEER iteration 30, of the loop  193
	// T=256  depth of one DEER iteration 38, of the loop  769
	// T=1024 depth of one DEER iteration 46, of the loop 3073
}
