package bptt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// lstmCaseB, lstmCaseD, lstmCaseH are the shapes of the float64 correctness cases.
const lstmCaseB, lstmCaseD, lstmCaseH = 3, 4, 5

// lstmCase returns one-layer float64 LSTM weights (seed wSeed) and the arguments weights..., x
// [B, T, D], h0 [1, B, H], c0 [1, B, H] and a random cotangent of shape gDims, drawn from rngSeed.
func lstmCase(t *testing.T, T int, wSeed, rngSeed uint64, gDims ...int) (*recurrent.Weights, []any) {
	B, D, H := lstmCaseB, lstmCaseD, lstmCaseH
	w, err := recurrent.NewWeights(recurrent.Config{Kind: recurrent.LSTM, InputSize: D, HiddenSize: H,
		NumLayers: 1, DType: dtypes.Float64}, wSeed)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(rngSeed, uint64(T)))
	args := []any{}
	for _, tt := range w.Tensors {
		args = append(args, tt)
	}
	return w, append(args, randTensor(rng, 1, B, T, D), randTensor(rng, 0.5, 1, B, H),
		randTensor(rng, 0.5, 1, B, H), randTensor(rng, 1, gDims...))
}

// TestFastLSTMMatchesAutodiff compares FastLSTMForward/FastLSTMGrads with the existing forward
// (recurrent.Forward) and reverse-mode autodiff through it, in float64, for a loss on every step
// and nonzero initial states. T=70 also crosses SplitTime's two-level threshold.
func TestFastLSTMMatchesAutodiff(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	for _, T := range []int{1, 13, 70} {
		t.Run(fmt.Sprintf("T=%d", T), func(t *testing.T) {
			B, H := 3, 5
			w, args := lstmCase(t, T, 5, 7, B, T, H)
			build := func(fast int) func([]*Node) []*Node {
				return func(in []*Node) []*Node {
					params, x, h0, c0, g := in[:4], in[4], in[5], in[6], in[7]
					if fast == 2 {
						out, _, _, traces := recurrent.Forward(recurrent.LSTM, params, x, h0, c0)
						ft := FastLSTMTraceFrom(traces[0], recurrent.SplitParams(params)[0])
						return append(FastLSTMGrads(ft, g), out)
					}
					if fast == 1 {
						sq := func(s *Node) *Node { return Reshape(s, B, H) }
						tr := FastLSTMForward(recurrent.SplitParams(params)[0], x, sq(h0), sq(c0))
						return append(FastLSTMGrads(tr, g), tr.Out())
					}
					out, _, _, _ := recurrent.Forward(recurrent.LSTM, params, x, h0, c0)
					return append(Gradient(ReduceAllSum(Mul(out, g)), params...), out)
				}
			}
			auto, err := NewExec(b, build(0))
			require.NoError(t, err)
			ga, err := auto.Call(args...)
			require.NoError(t, err)
			names := append(w.Names(), "out")
			worst := 0.0
			for variant := 1; variant <= 2; variant++ { // FastLSTMForward; FastLSTMTraceFrom
				fast, err := NewExec(b, build(variant))
				require.NoError(t, err)
				gf, err := fast.Call(args...)
				require.NoError(t, err)
				for i := range ga {
					e := relErr(ga[i], gf[i])
					worst = math.Max(worst, e)
					require.Less(t, e, 1e-9, "variant %d, %s: fast vs autodiff", variant, names[i])
				}
			}
			t.Logf("T=%d: worst relative difference %.2g over %d outputs", T, worst, len(ga))
		})
	}
}

// TestFastLSTMLastStepGradient: with dH = ∂L/∂h_T only ([B, H]: a loss on the last state),
// FastLSTMGrads equals autodiff of ⟨h_T, g⟩ through recurrent.Forward (float64, T=1 and T=70);
// a dH of any other shape is refused with a message naming both accepted shapes.
func TestFastLSTMLastStepGradient(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	B, D, H := lstmCaseB, lstmCaseD, lstmCaseH
	for _, T := range []int{1, 70} {
		w, args := lstmCase(t, T, 9, 3, B, H)
		grads := func(fast bool) []*tensors.Tensor {
			e, err := NewExec(b, func(in []*Node) []*Node {
				params, x, h0, c0, g := in[:4], in[4], in[5], in[6], in[7]
				if fast {
					tr := FastLSTMForward(recurrent.SplitParams(params)[0], x, Reshape(h0, B, H), Reshape(c0, B, H))
					return FastLSTMGrads(tr, g)
				}
				_, hn, _, _ := recurrent.Forward(recurrent.LSTM, params, x, h0, c0)
				return Gradient(ReduceAllSum(Mul(Reshape(hn, B, H), g)), params...)
			})
			require.NoError(t, err)
			out, err := e.Call(args...)
			require.NoError(t, err)
			return out
		}
		auto, fast := grads(false), grads(true)
		for i, name := range w.Names() {
			e := relErr(auto[i], fast[i])
			require.Less(t, e, 1e-9, "T=%d, %s: fast vs autodiff", T, name)
		}
	}
	bad, err := NewExec(b, func(x *Node) []*Node {
		tr := FastLSTMForward(recurrent.LayerParams{
			WIH: Ones(x.Graph(), shapes.Make(dtypes.Float64, 4*H, D)), WHH: Ones(x.Graph(), shapes.Make(dtypes.Float64, 4*H, H)),
			BIH: Ones(x.Graph(), shapes.Make(dtypes.Float64, 4*H)), BHH: Ones(x.Graph(), shapes.Make(dtypes.Float64, 4*H)),
		}, x, nil, nil)
		return FastLSTMGrads(tr, Ones(x.Graph(), shapes.Make(dtypes.Float64, B, H, 2)))
	})
	require.NoError(t, err)
	_, err = bad.Call(tensors.FromShape(shapes.Make(dtypes.Float64, B, 2, D)))
	require.ErrorContains(t, err, "dH must be [B, T, H] = [3, 2, 5] or [B, H] = [3, 5]")
}

// fastBench* are the shapes of the side-by-side comparison: one LSTM layer, B=32, D=8, H=64,
// float32, a gradient arriving at every h_t.
const fastBenchB, fastBenchD, fastBenchH, fastBenchT = 32, 8, 64, 256

var fastBenchVariants = []string{"current", "fast", "fast_fused", "fast_logistic", "hooked", "hooked_trace"}

// fastBenchGraph builds a train-step-like forward + backward; each variant returns the weight
// gradients and the sum of the output sequence:
//
//	current:    recurrent.Forward + the existing hand-written Adjoint;
//	fast:       FastLSTMForward + FastLSTMGrads;
//	fast_fused: the same with one [4H, K] x [K, B] forward matmul per step (fastFusedGates);
//	fast_logistic: the same with Sigmoid instead of (1 + tanh(a/2)) / 2 (fastSigmoidViaTanh off);
//	hooked:     recurrent.Forward (its output still used) + FastLSTMForward + FastLSTMGrads, i.e.
//	            what a drop-in hook in train.handWrittenGrads would run;
//	hooked_trace: recurrent.Forward + FastLSTMTraceFrom (its trace converted) + FastLSTMGrads.
func fastBenchGraph(variant string) func(in []*Node) []*Node {
	return func(in []*Node) []*Node {
		params, x, g := in[:4], in[4], in[5]
		fastFusedGates = variant == "fast_fused"
		fastSigmoidViaTanh = variant != "fast_logistic"
		defer func() { fastFusedGates, fastSigmoidViaTanh = false, true }()
		switch variant {
		case "current":
			out, _, _, traces := recurrent.Forward(recurrent.LSTM, params, x, nil, nil)
			wg, _, _, _ := StackAdjoint(traces, params, recurrent.SplitTime(g, 1), nil, nil)
			return append(wg, ReduceAllSum(out))
		case "fast", "fast_fused", "fast_logistic":
			tr := FastLSTMForward(recurrent.SplitParams(params)[0], x, nil, nil)
			return append(FastLSTMGrads(tr, g), ReduceAllSum(tr.Out()))
		case "hooked_trace":
			out, _, _, traces := recurrent.Forward(recurrent.LSTM, params, x, nil, nil)
			ft := FastLSTMTraceFrom(traces[0], recurrent.SplitParams(params)[0])
			return append(FastLSTMGrads(ft, g), ReduceAllSum(out))
		default:
			out, _, _, _ := recurrent.Forward(recurrent.LSTM, params, x, nil, nil)
			tr := FastLSTMForward(recurrent.SplitParams(params)[0], x, nil, nil)
			return append(FastLSTMGrads(tr, g), ReduceAllSum(out))
		}
	}
}

func fastBenchArgs(tb testing.TB) []any {
	const B, D, H, T = fastBenchB, fastBenchD, fastBenchH, fastBenchT
	w, err := recurrent.NewWeights(recurrent.Config{Kind: recurrent.LSTM, InputSize: D, HiddenSize: H,
		NumLayers: 1, DType: dtypes.Float32}, 1)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(dims ...int) *tensors.Tensor {
		n := 1
		for _, d := range dims {
			n *= d
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	args := []any{}
	for _, tt := range w.Tensors {
		args = append(args, tt)
	}
	return append(args, rnd(B, T, D), rnd(B, T, H))
}

// BenchmarkFastLSTM compares the variants of fastBenchGraph one after the other.
func BenchmarkFastLSTM(b *testing.B) {
	be, _, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	args := fastBenchArgs(b)
	for _, variant := range fastBenchVariants {
		b.Run(fmt.Sprintf("%s/T=%d", variant, fastBenchT), func(b *testing.B) {
			exec, err := NewExec(be, fastBenchGraph(variant))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := exec.Call(args...); err != nil { // compile + warm-up
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := exec.Call(args...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFastLSTMSideBySide (only with FASTLSTM_SIDE_BY_SIDE=N, N rounds) runs the variants of
// fastBenchGraph interleaved, round after round, so that machine noise hits all of them alike,
// and logs each variant's minimum and median time.
func TestFastLSTMSideBySide(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("FASTLSTM_SIDE_BY_SIDE"))
	if rounds <= 0 {
		t.Skip("set FASTLSTM_SIDE_BY_SIDE=<rounds> to run")
	}
	be, _, err := backend.New()
	require.NoError(t, err)
	args := fastBenchArgs(t)
	execs := make([]*Exec, len(fastBenchVariants))
	for i, v := range fastBenchVariants {
		execs[i], err = NewExec(be, fastBenchGraph(v))
		require.NoError(t, err)
		_, err = execs[i].Call(args...) // compile + warm-up
		require.NoError(t, err)
	}
	times := make([][]float64, len(execs))
	for range rounds {
		for i, e := range execs {
			start := time.Now()
			_, err := e.Call(args...)
			require.NoError(t, err)
			times[i] = append(times[i], float64(time.Since(start).Microseconds())/1000)
		}
	}
	for i, v := range fastBenchVariants {
		sort.Float64s(times[i])
		t.Logf("%-10s T=%d: min %6.1f ms, median %6.1f ms over %d rounds", v, fastBenchT,
			times[i][0], times[i][len(times[i])/2], rounds)
	}
}
