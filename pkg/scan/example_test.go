package scan_test

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/scan"
)

// A leaky accumulator h_t = 0.5 h_{t-1} + 1 from h0 = 0, computed as a Blelloch scan: every
// form gives the same numbers.
func ExampleBlelloch() {
	a := tensors.FromValue([][]float32{{0.5, 0.5, 0.5, 0.5, 0.5}}) // [B=1, T=5]
	b := tensors.FromValue([][]float32{{1, 1, 1, 1, 1}})
	exec, err := graph.NewExec(backend.MustNew(), func(a, b *graph.Node) *graph.Node {
		return scan.Blelloch(a, b, nil)
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(exec.MustCall1(a, b).Value())
	// Output: [[1 1.5 1.75 1.875 1.9375]]
}

// The gradient of a linear scan is a linear scan run backwards: for L = Σ_t h_t, ∂L/∂b_t is the
// number of later steps that b_t still reaches, discounted by a: 1 + a + a² + … .
func ExampleReverseAdjoint() {
	a := tensors.FromValue([][]float64{{0.5, 0.5, 0.5}}) // [B=1, T=3]
	b := tensors.FromValue([][]float64{{1, 1, 1}})
	exec, err := graph.NewExec(backend.MustNew(), func(a, b *graph.Node) *graph.Node {
		h := scan.Sequential(a, b, nil)
		_, db, _ := scan.ReverseAdjoint(scan.Blelloch, a, h, nil, graph.OnesLike(h))
		return db
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(exec.MustCall1(a, b).Value())
	// Output: [[1.75 1.5 1]]
}
