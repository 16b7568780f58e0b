package cost

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/scan"
)

// MinGRU is one minGRU layer (package mingru: z_t = σ(W_z x_t + b_z), h̃_t = W_h x_t + b_h,
// h_t = (1 - z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t) whose linear recurrence is evaluated by the named form
// of package scan: sequential (the linear-cost loop), naive (the loop with per-step slices,
// O(T²) backward), hillis-steele, blelloch or chunked. Its name is "mingru_<form>".
func MinGRU(form scan.Form) (Model, error) {
	if _, err := scan.ParseForm(string(form)); err != nil {
		return Model{}, err
	}
	fn := form.Func()
	order := 1
	if form == scan.FormNaive || form == scan.FormHillisSteele {
		order = 2 // naive's backward is O(T²); Hillis-Steele's work is O(T log T): a safe over-estimate
	}
	return Model{
		Name: "mingru_" + string(form), Sequential: form == scan.FormSequential || form == scan.FormNaive, WorkOrder: order,
		Params: func(D, H int) ([]Param, error) {
			// The names and shapes of mingru's Spec; Build below runs the recurrence by the
			// form itself, since the naive form is this package's alone (not a mingru form).
			return SpecParams(mingru.Layer{Config: mingru.Config{Kind: mingru.MinGRU, InputSize: D, HiddenSize: H,
				DType: dtypes.Float32}, Form: mingru.Sequential})
		},
		Build: func(params []*Node, x *Node) *Node {
			cfg := mingru.Config{Kind: mingru.MinGRU, InputSize: x.Shape().Dim(2), HiddenSize: params[0].Shape().Dim(0), DType: x.DType()}
			a, b := mingru.Coefficients(cfg, params, x) // [B, T, H] each: the parallel part
			return fn(a, b, nil)                        // the recurrence, by the chosen form
		},
	}, nil
}

// MinGRUModels returns the minGRU layer for every scan form, the loop first.
func MinGRUModels() []Model {
	var ms []Model
	for _, f := range scan.Forms {
		m, err := MinGRU(f)
		if err != nil {
			panic(fmt.Sprintf("cost: %v", err)) // every scan.Forms entry parses
		}
		ms = append(ms, m)
	}
	return ms
}
