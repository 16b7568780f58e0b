package cost

import (
	"context"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// Generation, one token at a time: the flip side of the parallel layers.
//
// A trained model generates text one token after another in both families. A recurrence does
// the same work for every new token: h_t = f(h_{t-1}, x_t) reads the fixed-size state, O(H²)
// per token. Causal self-attention with a key-value cache computes the new token's query, key
// and value, appends the key and value to the cache of the t earlier positions, and attends over
// all of them:
//
//	o_t = softmax(q_t K_{1..t}ᵀ / √d) V_{1..t}
//
// so the t-th token costs O(t·H + H²): it grows with the position, and so does the cache's
// memory. DecodeStep builds both steps as graphs; the notebooks time them against t.

// DecodeKind names a decoding step: DecodeRNN (a tanh RNN step) or DecodeAttention (one
// single-head causal attention step over a cache of t positions, with its projections).
type DecodeKind string

// The decoding steps.
const (
	DecodeRNN       DecodeKind = "rnn"
	DecodeAttention DecodeKind = "attention"
)

// DecodeStep builds the graph of one generation step for a batch of B sequences at position t
// (the number of earlier positions, >= 1; the RNN's step ignores it), input width D, hidden H,
// float32. The inputs are the weights, x_t [B, D] and the state: h [B, H] for the RNN, the
// cache K, V [B, t, H] for attention. The output is the new state h_t, or o_t [B, H].
func DecodeStep(b compute.Backend, kind DecodeKind, B, t, D, H int) (*Built, error) {
	if B < 1 || t < 1 || D < 1 || H < 1 {
		return nil, fmt.Errorf("cost: decode step needs B, t, D, H >= 1, got %d, %d, %d, %d", B, t, D, H)
	}
	g := NewGraph(b, fmt.Sprintf("decode_%s_t%d_B%d", kind, t, B))
	f32 := func(name string, dims ...int) *Node { return Parameter(g, name, shapes.Make(dtypes.Float32, dims...)) }
	built := &Built{Graph: g, FirstBackward: -1}
	param := func(name string, dims ...int) *Node {
		built.Params = append(built.Params, Param{name, dims})
		n := f32(name, dims...)
		built.Inputs = append(built.Inputs, n)
		return n
	}
	// matvec is x Wᵀ + b for x [B, C], w [H, C], b [H] -> [B, H].
	matvec := func(x, w, bias *Node) *Node {
		y := DotGeneral(x, []int{1}, nil, w, []int{1}, nil) // [B, H]
		return Add(y, BroadcastToDims(ExpandAxes(bias, 0), B, w.Shape().Dim(0)))
	}
	switch kind {
	case DecodeRNN:
		wih, whh, bias := param("weight_ih", H, D), param("weight_hh", H, H), param("bias", H)
		x, h := f32("x", B, D), f32("h", B, H)
		built.Inputs = append(built.Inputs, x, h)
		built.Outputs = []*Node{Tanh(Add(matvec(x, wih, bias), DotGeneral(h, []int{1}, nil, whh, []int{1}, nil)))} // [B, H]
	case DecodeAttention:
		wq, bq, wk, bk := param("q.weight", H, D), param("q.bias", H), param("k.weight", H, D), param("k.bias", H)
		wv, bv, wo, bo := param("v.weight", H, D), param("v.bias", H), param("out.weight", H, H), param("out.bias", H)
		x, K, V := f32("x", B, D), f32("k_cache", B, t, H), f32("v_cache", B, t, H)
		built.Inputs = append(built.Inputs, x, K, V)
		q, k, v := matvec(x, wq, bq), matvec(x, wk, bk), matvec(x, wv, bv)                   // [B, H] each
		keys := Concatenate([]*Node{K, ExpandAxes(k, 1)}, 1)                                 // [B, t+1, H]: the cache and the new key
		vals := Concatenate([]*Node{V, ExpandAxes(v, 1)}, 1)                                 // [B, t+1, H]
		scores := DotGeneral(keys, []int{2}, []int{0}, ExpandAxes(q, 2), []int{1}, []int{0}) // [B, t+1, 1]
		a := Softmax(MulScalar(scores, 1/math.Sqrt(float64(H))), 1)                          // [B, t+1, 1]
		o := DotGeneral(a, []int{1}, []int{0}, vals, []int{1}, []int{0})                     // [B, 1, H]
		built.Outputs = []*Node{matvec(Reshape(o, B, H), wo, bo)}                            // [B, H]
	default:
		return nil, fmt.Errorf("cost: unknown decode step %q, want %q or %q", kind, DecodeRNN, DecodeAttention)
	}
	return built, nil
}

// MeasureDecode builds, walks and times one decoding step (median over opts' repeats after a
// warm-up; compile time apart). The row's Model is "<kind>_decode" and its T is t.
func MeasureDecode(ctx context.Context, b compute.Backend, kind DecodeKind, B, t, D, H int, opts TimingOptions) (Row, error) {
	built, err := DecodeStep(b, kind, B, t, D, H)
	if err != nil {
		return Row{}, err
	}
	p := &Prepared{Model: string(kind) + "_decode", Pass: Fwd, Shape: Shape{B: B, T: t, D: D, H: H}, Built: built}
	p.Stats = Walk(built.Outputs...)
	defer p.Release()
	return p.Run(ctx, opts)
}
