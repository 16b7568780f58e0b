package recurrent_test

import (
	"fmt"
	"slices"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
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

// A 1-layer LSTM over a GoMLX model scope: its variables are PyTorch's parameters, here set from
// the course's seeded weights (recurrent.NewWeights), and the layer runs inside a model.Exec.
func ExampleLSTMLayer() {
	backend.Announce = nil
	cfg := recurrent.Config{Kind: recurrent.LSTM, InputSize: 2, HiddenSize: 3, NumLayers: 1, DType: dtypes.Float64}
	w, err := recurrent.NewWeights(cfg, 1)
	if err != nil {
		panic(err)
	}
	store := model.NewStore()
	if err := recurrent.SetScopeWeights(store.Scope("/lstm"), w); err != nil {
		panic(err)
	}
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *Node) (out, hn, cn *Node) {
		return recurrent.LSTMLayer(scope.In("lstm"), x, 3)
	})
	x := tensors.FromValue([][][]float64{{{1, 0}, {0, 1}, {1, 1}, {0, 0}}}) // [B=1, T=4, D=2]
	res := exec.MustCall(x)
	fmt.Println("out", res[0].Shape().Dimensions, "hn", res[1].Shape().Dimensions, "cn", res[2].Shape().Dimensions)
	fmt.Printf("h_T %.4f\n", tensors.MustCopyFlatData[float64](res[1]))
	r, err := recurrent.NewRunner(backend.MustNew(), cfg) // the same weights as explicit tensors
	if err != nil {
		panic(err)
	}
	ref, err := r.Run(w, x, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("the Runner's out is the same:", slices.Equal(tensors.MustCopyFlatData[float64](ref.Out),
		tensors.MustCopyFlatData[float64](res[0])))
	for v := range store.Scope("/lstm").IterVariables() {
		fmt.Println(v.Path(), v.Shape().Dimensions)
	}
	// Output:
	// out [1 4 3] hn [1 1 3] cn [1 1 3]
	// h_T [0.2025 0.1334 0.0803]
	// the Runner's out is the same: true
	// /lstm/weight_ih_l0 [12 2]
	// /lstm/weight_hh_l0 [12 3]
	// /lstm/bias_ih_l0 [12]
	// /lstm/bias_hh_l0 [12]
}

// A 2-layer GRU whose variables GoMLX creates on first use, with PyTorch's initialisation
// U(-1/sqrt(H), 1/sqrt(H)) drawn from the store's seeded generator; ScopeWeights reads them back
// in PyTorch's layout.
func ExampleGRULayer() {
	backend.Announce = nil
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(1))
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *Node) (out, hn *Node) {
		return recurrent.GRULayer(scope.In("gru"), x, 4, recurrent.WithLayers(2))
	})
	x := tensors.FromFlatDataAndDimensions(make([]float32, 3*5*2), 3, 5, 2) // [B=3, T=5, D=2]
	res := exec.MustCall(x)
	fmt.Println("out", res[0].Shape().Dimensions, "hn", res[1].Shape().Dimensions)
	cfg := recurrent.Config{Kind: recurrent.GRU, InputSize: 2, HiddenSize: 4, NumLayers: 2, DType: dtypes.Float32}
	w, err := recurrent.ScopeWeights(store.Scope("/gru"), cfg)
	if err != nil {
		panic(err)
	}
	inside := true
	for _, t := range w.Tensors {
		for _, v := range tensors.MustCopyFlatData[float32](t) {
			inside = inside && v >= -0.5 && v < 0.5 // 1/sqrt(4)
		}
	}
	fmt.Println(w.Names(), "all in [-0.5, 0.5):", inside)
	// Output:
	// out [3 5 4] hn [2 3 4]
	// [weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0 weight_ih_l1 weight_hh_l1 bias_ih_l1 bias_hh_l1] all in [-0.5, 0.5): true
}

// An Elman RNN with ReLU, torch.nn.RNN(nonlinearity="relu"), from given weights: h_t =
// relu(x_t + h_{t-1}), so h counts the ones seen so far.
func ExampleRNNLayer() {
	backend.Announce = nil
	cfg := recurrent.Config{Kind: recurrent.RNNReLU, InputSize: 1, HiddenSize: 1, NumLayers: 1, DType: dtypes.Float64}
	w, err := recurrent.NewWeightsFromSlices(cfg, []float64{1}, []float64{1}, []float64{0}, []float64{0})
	if err != nil {
		panic(err)
	}
	store := model.NewStore()
	if err := recurrent.SetScopeWeights(store.Scope("/rnn"), w); err != nil {
		panic(err)
	}
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *Node) (out, hn *Node) {
		return recurrent.RNNLayer(scope.In("rnn"), x, 1, recurrent.WithReLU())
	})
	res := exec.MustCall(tensors.FromValue([][][]float64{{{1}, {0}, {1}, {1}}})) // [B=1, T=4, D=1]
	fmt.Println("out", res[0].Value(), "hn", res[1].Value())
	// Output:
	// out [[[1] [1] [2] [3]]] hn [[[3]]]
}
