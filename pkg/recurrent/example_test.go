package recurrent_test

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// A 2-layer GRU over a batch of 3 sequences of 5 steps, with PyTorch's default initialisation.
func ExampleRunner() {
	backend.Announce = nil
	b := backend.MustNew()
	cfg := recurrent.Config{Kind: recurrent.GRU, InputSize: 4, HiddenSize: 8, NumLayers: 2, DType: dtypes.Float32}
	w, err := recurrent.NewWeights(cfg, 1)
	if err != nil {
		panic(err)
	}
	r, err := recurrent.NewRunner(b, cfg)
	if err != nil {
		panic(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, 3*5*4), 3, 5, 4) // [B, T, D]
	res, err := r.Run(w, x, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("parameters:", cfg.NumParams())
	fmt.Println("out:", res.Out.Shape().Dimensions, "hn:", res.HN.Shape().Dimensions)
	_, err = r.Run(w, tensors.FromFlatDataAndDimensions(make([]float32, 3*5*6), 3, 5, 6), nil, nil)
	fmt.Println(err)
	// Output:
	// parameters: 768
	// out: [3 5 8] hn: [2 3 8]
	// recurrent: x has 6 features per step (shape (Float32)[3, 5, 6]), but the weights expect input size 4
}
