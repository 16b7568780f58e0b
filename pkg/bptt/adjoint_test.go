package bptt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/seq"
	"github.com/stretchr/testify/require"
)

func randTensor(rng *rand.Rand, scale float64, dims ...int) *tensors.Tensor {
	data := make([]float64, shapes.Make(dtypes.Float64, dims...).Size())
	for i := range data {
		data[i] = scale * rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

func relErr(a, b *tensors.Tensor) float64 {
	x, y := tensors.MustCopyFlatData[float64](a), tensors.MustCopyFlatData[float64](b)
	var d, n float64
	for i := range x {
		d += (x[i] - y[i]) * (x[i] - y[i])
		n = math.Max(n, math.Max(x[i]*x[i], y[i]*y[i]))
	}
	return math.Sqrt(d) / math.Max(math.Sqrt(n), 1e-300)
}

// TestAdjointMatchesAutodiff compares the hand-written adjoint recursion with reverse-mode
// autodiff through the unrolled graph, in float64, for a 2-layer stack: gradients with respect
// to every weight, the input sequence and the initial states.
func TestAdjointMatchesAutodiff(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	for _, kind := range []recurrent.Kind{recurrent.RNNTanh, recurrent.RNNReLU, recurrent.LSTM, recurrent.GRU} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := recurrent.Config{Kind: kind, InputSize: 3, HiddenSize: 5, NumLayers: 2, DType: dtypes.Float64}
			w, err := recurrent.NewWeights(cfg, 3)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(9, 9))
			B, T, L, H := 2, 13, 2, 5
			args := []any{}
			for _, tt := range w.Tensors {
				args = append(args, tt)
			}
			args = append(args, randTensor(rng, 1, B, T, 3), randTensor(rng, 0.5, L, B, H), randTensor(rng, 0.5, L, B, H),
				randTensor(rng, 1, B, T, H), randTensor(rng, 1, L, B, H), randTensor(rng, 1, L, B, H))
			n := 4 * L
			build := func(handWritten bool) func([]*Node) []*Node {
				return func(in []*Node) []*Node {
					params, x, h0, c0, g, gh, gc := in[:n], in[n], in[n+1], in[n+2], in[n+3], in[n+4], in[n+5]
					if !kind.HasCellState() {
						c0 = nil
					}
					out, hn, cn, traces := recurrent.Forward(kind, params, x, h0, c0)
					if !handWritten {
						loss := Add(ReduceAllSum(Mul(out, g)), ReduceAllSum(Mul(hn, gh)))
						wrt := append(append([]*Node{}, params...), x, h0)
						if cn != nil {
							loss = Add(loss, ReduceAllSum(Mul(cn, gc)))
							wrt = append(wrt, c0)
						}
						return Gradient(loss, wrt...)
					}
					unstack := func(s *Node) []*Node {
						var r []*Node
						for l := range L {
							r = append(r, Squeeze(SliceAxis(s, 0, AxisElem(l)), 0))
						}
						return r
					}
					var dcn []*Node
					if cn != nil {
						dcn = unstack(gc)
					}
					wg, dX, dh0, dc0 := StackAdjoint(traces, params, seq.SplitTime(g, 1), unstack(gh), dcn)
					res := append(wg, seq.StackTime(dX, 1), Stack(dh0, 0))
					if cn != nil {
						res = append(res, Stack(dc0, 0))
					}
					return res
				}
			}
			auto, err := NewExec(b, build(false))
			require.NoError(t, err)
			hand, err := NewExec(b, build(true))
			require.NoError(t, err)
			ga, err := auto.Call(args...)
			require.NoError(t, err)
			gh, err := hand.Call(args...)
			require.NoError(t, err)
			require.Equal(t, len(ga), len(gh))
			names := append(w.Names(), "x", "h0", "c0")
			worst := 0.0
			for i := range ga {
				e := relErr(ga[i], gh[i])
				worst = math.Max(worst, e)
				require.Less(t, e, 1e-9, "%s: gradient of %s: hand-written vs autodiff", kind, names[i])
			}
			t.Logf("%s: worst relative difference %.2g over %d gradients", kind, worst, len(ga))
		})
	}
}

func TestCheckSupported(t *testing.T) {
	for _, k := range recurrent.Kinds {
		require.NoError(t, CheckSupported(k))
	}
	require.ErrorContains(t, CheckSupported("mingru"), "autodiff")
}
