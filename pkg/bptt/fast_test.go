package bptt

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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
	"github.com/rnn-course/bottleneck/pkg/seq"
	"github.com/stretchr/testify/require"
)

// fastCaseB, fastCaseD, fastCaseH are the shapes of the float64 correctness cases.
const fastCaseB, fastCaseD, fastCaseH = 3, 4, 5

// fastCase returns float64 weights of an L-layer stack (seed wSeed) and the arguments
// weights..., x [B, T, D], h0 [L, B, H], c0 [L, B, H] (LSTM only) and a random cotangent of
// shape gDims, drawn from rngSeed.
func fastCase(t *testing.T, kind recurrent.Kind, L, T int, wSeed, rngSeed uint64, gDims ...int) (*recurrent.Weights, []any) {
	B, D, H := fastCaseB, fastCaseD, fastCaseH
	w, err := recurrent.NewWeights(recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H,
		NumLayers: L, DType: dtypes.Float64}, wSeed)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(rngSeed, uint64(T)))
	args := []any{}
	for _, tt := range w.Tensors {
		args = append(args, tt)
	}
	args = append(args, randTensor(rng, 1, B, T, D), randTensor(rng, 0.5, L, B, H))
	if kind.HasCellState() {
		args = append(args, randTensor(rng, 0.5, L, B, H))
	}
	return w, append(args, randTensor(rng, 1, gDims...))
}

// fastOrAutodiff builds, for a stack of kind with n parameters, either the fast path
// (FastForward + FastGrads) or recurrent.Forward with reverse-mode autodiff of ⟨o, g⟩, where o
// is the output sequence [B, T, H] or, when g is [B, H], the top layer's h_T. Both return the
// weight gradients, then out, hn (and cn).
func fastOrAutodiff(kind recurrent.Kind, n int, fast bool) func([]*Node) []*Node {
	return func(in []*Node) []*Node {
		params, x, h0 := in[:n], in[n], in[n+1]
		var c0 *Node
		if kind.HasCellState() {
			c0 = in[n+2]
		}
		g := in[len(in)-1]
		L, B, H := h0.Shape().Dim(0), h0.Shape().Dim(1), h0.Shape().Dim(2)
		var out, hn, cn *Node
		var grads []*Node
		if fast {
			st := FastForward(kind, params, x, h0, c0)
			out = st.Out()
			hn, cn = st.Final()
			grads = FastGrads(st, g)
		} else {
			out, hn, cn, _ = recurrent.Forward(kind, params, x, h0, c0)
			read := out
			if g.Rank() == 2 {
				read = Reshape(SliceAxis(hn, 0, AxisElem(L-1)), B, H)
			}
			grads = Gradient(ReduceAllSum(Mul(read, g)), params...)
		}
		res := append(grads, out, hn)
		if cn != nil {
			res = append(res, cn)
		}
		return res
	}
}

// TestFastMatchesAutodiff compares the fast path with recurrent.Forward and reverse-mode
// autodiff through it, in float64, for every classic cell, 1 and 2 layers, nonzero initial
// states, and a gradient at every step ([B, T, H]) or at h_T only ([B, H]). T=70 also crosses
// SplitTime's two-level threshold.
func TestFastMatchesAutodiff(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	Ts := []int{1, 13, 70}
	if testing.Short() {
		Ts = []int{1, 13}
	}
	for _, kind := range recurrent.Kinds {
		for _, L := range []int{1, 2} {
			for _, T := range Ts {
				for _, last := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/L=%d/T=%d/last=%v", kind, L, T, last), func(t *testing.T) {
						gDims := []int{fastCaseB, T, fastCaseH}
						if last {
							gDims = []int{fastCaseB, fastCaseH}
						}
						w, args := fastCase(t, kind, L, T, 5, 7, gDims...)
						names := append(w.Names(), "out", "hn", "cn")
						run := func(fast bool) []*tensors.Tensor {
							e, err := NewExec(b, fastOrAutodiff(kind, len(w.Tensors), fast))
							require.NoError(t, err)
							res, err := e.Call(args...)
							require.NoError(t, err)
							return res
						}
						auto, fast := run(false), run(true)
						require.Len(t, fast, len(auto))
						for i := range auto {
							require.Less(t, relErr(auto[i], fast[i]), 1e-9, "%s: fast vs autodiff", names[i])
						}
					})
				}
			}
		}
	}
}

// TestFastGradsShape: a dH of any shape other than [B, T, H] or [B, H] is refused with a
// message naming both accepted shapes.
func TestFastGradsShape(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	B, D, H := fastCaseB, fastCaseD, fastCaseH
	bad, err := NewExec(b, func(x *Node) []*Node {
		g := x.Graph()
		ones := func(dims ...int) *Node { return Ones(g, shapes.Make(dtypes.Float64, dims...)) }
		st := FastForward(recurrent.LSTM, []*Node{ones(4*H, D), ones(4*H, H), ones(4 * H), ones(4 * H)}, x, nil, nil)
		return FastGrads(st, ones(B, H, 2))
	})
	require.NoError(t, err)
	_, err = bad.Call(tensors.FromShape(shapes.Make(dtypes.Float64, B, 2, D)))
	require.ErrorContains(t, err, "dH must be [B, T, H] = [3, 2, 5] or [B, H] = [3, 5]")
}

// fastBench* are the shapes of the side-by-side comparison: one layer, B=32, D=8, H=64,
// float32, a gradient arriving at every h_t.
const fastBenchB, fastBenchD, fastBenchH, fastBenchT = 32, 8, 64, 256

var fastBenchVariants = []string{"autodiff", "adjoint", "fast", "fast_unfused"}

// fastBenchGraph builds a train-step-like forward + backward; each variant returns the weight
// gradients and the sum of the output sequence:
//
//	autodiff:      recurrent.Forward + reverse-mode autodiff;
//	adjoint:       recurrent.Forward + the [B, H]-layout hand-written Adjoint (RNN, LSTM);
//	fast:          FastForward + FastGrads;
//	fast_unfused:  the same without the backend's fused ops (fastUseFused off).
func fastBenchGraph(kind recurrent.Kind, variant string) func(in []*Node) []*Node {
	return func(in []*Node) []*Node {
		params, x, g := in[:4], in[4], in[5]
		fastUseFused = variant != "fast_unfused"
		defer func() { fastUseFused = true }()
		switch variant {
		case "autodiff":
			out, _, _, _ := recurrent.Forward(kind, params, x, nil, nil)
			return append(Gradient(ReduceAllSum(Mul(out, g)), params...), ReduceAllSum(out))
		case "adjoint":
			out, _, _, traces := recurrent.Forward(kind, params, x, nil, nil)
			wg, _, _, _ := StackAdjoint(traces, params, seq.SplitTime(g, 1), nil, nil)
			return append(wg, ReduceAllSum(out))
		default:
			st := FastForward(kind, params, x, nil, nil)
			return append(FastGrads(st, g), ReduceAllSum(st.Out()))
		}
	}
}

func fastBenchArgs(tb testing.TB, kind recurrent.Kind) []any {
	const B, D, H, T = fastBenchB, fastBenchD, fastBenchH, fastBenchT
	w, err := recurrent.NewWeights(recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H,
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

// fastBenchCases lists (kind, variant) pairs: the adjoint exists for the RNN and the LSTM.
func fastBenchCases() (kinds []recurrent.Kind, variants []string) {
	for _, kind := range []recurrent.Kind{recurrent.RNNTanh, recurrent.LSTM, recurrent.GRU} {
		for _, v := range fastBenchVariants {
			if v == "adjoint" && kind == recurrent.GRU {
				continue
			}
			kinds, variants = append(kinds, kind), append(variants, v)
		}
	}
	return kinds, variants
}

// BenchmarkFast compares the variants of fastBenchGraph one after the other.
func BenchmarkFast(b *testing.B) {
	be, _, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	kinds, variants := fastBenchCases()
	for i, kind := range kinds {
		args := fastBenchArgs(b, kind)
		b.Run(fmt.Sprintf("cell=%s/%s/T=%d", kind, variants[i], fastBenchT), func(b *testing.B) {
			exec, err := NewExec(be, fastBenchGraph(kind, variants[i]))
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

// TestFastSideBySide (only with FAST_SIDE_BY_SIDE=N, N rounds) runs the cases of BenchmarkFast
// interleaved, round after round, so that machine noise hits all of them alike, and logs each
// case's minimum and median time.
func TestFastSideBySide(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("FAST_SIDE_BY_SIDE"))
	if rounds <= 0 {
		t.Skip("set FAST_SIDE_BY_SIDE=<rounds> to run")
	}
	be, _, err := backend.New()
	require.NoError(t, err)
	kinds, variants := fastBenchCases()
	execs := make([]*Exec, len(kinds))
	args := make([][]any, len(kinds))
	for i, kind := range kinds {
		args[i] = fastBenchArgs(t, kind)
		execs[i], err = NewExec(be, fastBenchGraph(kind, variants[i]))
		require.NoError(t, err)
		_, err = execs[i].Call(args[i]...) // compile + warm-up
		require.NoError(t, err)
	}
	times := make([][]float64, len(execs))
	for range rounds {
		for i, e := range execs {
			start := time.Now()
			_, err := e.Call(args[i]...)
			require.NoError(t, err)
			times[i] = append(times[i], float64(time.Since(start).Microseconds())/1000)
		}
	}
	for i := range execs {
		sort.Float64s(times[i])
		t.Logf("%-9s %-14s T=%d: min %6.1f ms, median %6.1f ms over %d rounds", kinds[i], variants[i], fastBenchT,
			times[i][0], times[i][len(times[i])/2], rounds)
	}
}

// TestFastPyTorchParity runs the PyTorch case files of package recurrent (every classic cell,
// 1 and 2 layers, nonzero initial states) through the fast path in float32: outputs, final
// states and the weight gradients of sum(out*g) must equal PyTorch's within the tolerance of
// recurrent.TestPyTorchParity.
func TestFastPyTorchParity(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join("..", "recurrent", "testdata", "pytorch", "*.npz"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	kinds := map[recurrent.Kind]bool{}
	for _, path := range files {
		res, err := recurrent.CheckParityWith(b, path, func(kind recurrent.Kind, params []*Node, x, h0, c0, g *Node) (
			out, hn, cn *Node, grads []*Node, gradX *Node) {
			st := FastForward(kind, params, x, h0, c0)
			hn, cn = st.Final()
			return st.Out(), hn, cn, FastGrads(st, g), nil
		})
		require.NoError(t, err)
		require.NotContains(t, res.Arrays, "grad_x")
		require.Contains(t, res.Arrays, "grad_weight_hh_l0")
		for _, arr := range res.Arrays {
			require.LessOrEqual(t, res.RelDiff[arr], 1e-4, "%s: %s differs from PyTorch", res.Case, arr)
		}
		kinds[res.Config.Kind] = true
	}
	for _, k := range recurrent.Kinds {
		require.True(t, kinds[k], "no PyTorch case for %s", k)
	}
}
