package mingru_test

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
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

// The same moving average as a minGRU layer over a GoMLX model scope: the weights are set in the
// scope's variables (linear_z/weight, ...), and the layer runs inside a model.Exec in the
// Blelloch scan form.
func ExampleMinGRULayer() {
	cfg := mingru.Config{Kind: mingru.MinGRU, InputSize: 1, HiddenSize: 1, DType: dtypes.Float64}
	w := &mingru.Weights{Config: cfg, Tensors: []*tensors.Tensor{
		tensors.FromValue([][]float64{{0}}), tensors.FromValue([]float64{0}), // linear_z: k = 0
		tensors.FromValue([][]float64{{1}}), tensors.FromValue([]float64{0}), // linear_h: h̃ = x
	}}
	store := model.NewStore()
	if err := mingru.SetScopeWeights(store.Scope("/mingru"), w); err != nil {
		panic(err)
	}
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *Node) (out, hn *Node) {
		return mingru.MinGRULayer(scope.In("mingru"), x, 1, mingru.WithForm(mingru.Blelloch))
	})
	res := exec.MustCall(tensors.FromValue([][][]float64{{{1}, {1}, {1}, {1}}})) // [B=1, T=4, D=1]
	fmt.Println("out", res[0].Value(), "hn", res[1].Value())
	for v := range store.IterVariables() {
		fmt.Println(v.Path(), v.Shape().Dimensions)
	}
	// Output:
	// out [[[0.5] [0.75] [0.875] [0.9375]]] hn [[0.9375]]
	// /mingru/linear_z/weight [1 1]
	// /mingru/linear_z/bias [1]
	// /mingru/linear_h/weight [1 1]
	// /mingru/linear_h/bias [1]
}

// A fresh minLSTM layer in the log-space form: GoMLX creates its six variables with nn.Linear's
// initialisation, drawn from the store's seeded generator; the positive candidate keeps every
// h_t > 0.
func ExampleMinLSTMLayer() {
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(1))
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *Node) (out, hn *Node) {
		return mingru.MinLSTMLayer(scope.In("minlstm"), x, 8,
			mingru.WithForm(mingru.LogSpace), mingru.WithPositiveCandidate())
	})
	x := tensors.FromFlatDataAndDimensions(make([]float32, 2*16*3), 2, 16, 3) // [B=2, T=16, D=3]
	res := exec.MustCall(x)
	positive := true
	for _, v := range tensors.MustCopyFlatData[float32](res[0]) {
		positive = positive && v > 0
	}
	fmt.Println("out", res[0].Shape().Dimensions, "hn", res[1].Shape().Dimensions, "all h_t > 0:", positive)
	fmt.Println("variables:", store.Scope("/minlstm").NumVariables(), "parameters:", store.Scope("/minlstm").NumParameters())
	// Output:
	// out [2 16 8] hn [2 8] all h_t > 0: true
	// variables: 6 parameters: 96
}
