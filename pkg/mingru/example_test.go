package mingru_test

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/scan"
)

// A one-unit minGRU whose update gate is always z = σ(0) = 1/2 and whose candidate is the
// input: h_t = h_{t-1}/2 + x_t/2, an exponential moving average. Every mode gives the same h.
func ExampleRunner() {
	cfg := mingru.Config{Kind: mingru.MinGRU, InputSize: 1, HiddenSize: 1, DType: dtypes.Float64}
	w := &mingru.Weights{Config: cfg, Tensors: []*tensors.Tensor{
		tensors.FromValue([][]float64{{0}}), tensors.FromValue([]float64{0}), // linear_z: k = 0
		tensors.FromValue([][]float64{{1}}), tensors.FromValue([]float64{0}), // linear_h: h̃ = x
	}}
	x := tensors.FromValue([][][]float64{{{1}, {1}, {1}, {1}}}) // [B=1, T=4, D=1]
	for _, mode := range []scan.Form{mingru.Sequential, mingru.Blelloch} {
		r, err := mingru.NewRunner(backend.MustNew(), cfg, mode)
		if err != nil {
			panic(err)
		}
		h, err := r.Run(w, x, nil)
		if err != nil {
			panic(err)
		}
		fmt.Println(mode, h.Value())
	}
	// Output:
	// sequential [[[0.5] [0.75] [0.875] [0.9375]]]
	// blelloch [[[0.5] [0.75] [0.875] [0.9375]]]
}
