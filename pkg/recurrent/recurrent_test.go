package recurrent

import (
	"math/rand/v2"
	"testing"

	"github.com/rnn-course/bottleneck/internal/testutil"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

// Shared test helpers (internal/testutil).
var (
	testBackend = testutil.Backend
	randTensor  = testutil.RandNormal
	flat64      = testutil.Flat64
	relErr      = testutil.RelErr
)

// lossFn builds sum(out*g) + sum(hn*gh) (+ sum(cn*gc)) for a configuration.
func lossGraph(cfg Config, in []*Node) *Node {
	n := 4 * cfg.NumLayers
	params, x, h0, g, gh := in[:n], in[n], in[n+1], in[n+2], in[n+3]
	var c0, gc *Node
	if cfg.Kind.HasCellState() {
		c0, gc = in[n+4], in[n+5]
	}
	out, hn, cn, _ := Forward(cfg.Kind, params, x, h0, c0)
	loss := Add(ReduceAllSum(Mul(out, g)), ReduceAllSum(Mul(hn, gh)))
	if cn != nil {
		loss = Add(loss, ReduceAllSum(Mul(cn, gc)))
	}
	return loss
}

// TestGradientsFiniteDifferences checks autodiff BPTT through every cell against central finite
// differences in float64, for every weight and for x.
func TestGradientsFiniteDifferences(t *testing.T) {
	b := testBackend(t)
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			cfg := Config{Kind: kind, InputSize: 3, HiddenSize: 4, NumLayers: 2, DType: dtypes.Float64}
			w, err := NewWeights(cfg, 7)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(1, 2))
			B, T := 2, 6
			x := randTensor(rng, cfg.DType, 1, B, T, cfg.InputSize)
			args := []*tensors.Tensor{}
			args = append(args, w.Tensors...)
			args = append(args, x, randTensor(rng, cfg.DType, 0.5, 2, B, 4),
				randTensor(rng, cfg.DType, 1, B, T, 4), randTensor(rng, cfg.DType, 1, 2, B, 4))
			if kind.HasCellState() {
				args = append(args, randTensor(rng, cfg.DType, 0.5, 2, B, 4), randTensor(rng, cfg.DType, 1, 2, B, 4))
			}
			nWrt := len(w.Tensors) + 1 // weights and x
			gradExec, err := NewExec(b, func(in []*Node) []*Node {
				return Gradient(lossGraph(cfg, in), in[:nWrt]...)
			})
			require.NoError(t, err)
			lossExec, err := NewExec(b, func(in []*Node) *Node { return lossGraph(cfg, in) })
			require.NoError(t, err)
			anyArgs := func() []any {
				a := make([]any, len(args))
				for i := range args {
					a[i] = args[i]
				}
				return a
			}
			grads, err := gradExec.Call(anyArgs()...)
			require.NoError(t, err)
			names := append(w.Names(), "x")
			const eps = 1e-6
			for i := range nWrt {
				ad := flat64(grads[i])
				fd := make([]float64, len(ad))
				for j := range fd {
					var orig float64
					args[i].MustMutableFlatData(func(f any) { orig = f.([]float64)[j]; f.([]float64)[j] = orig + eps })
					lp := tensors.ToScalar[float64](lossExec.MustCall1(anyArgs()...))
					args[i].MustMutableFlatData(func(f any) { f.([]float64)[j] = orig - eps })
					lm := tensors.ToScalar[float64](lossExec.MustCall1(anyArgs()...))
					args[i].MustMutableFlatData(func(f any) { f.([]float64)[j] = orig })
					fd[j] = (lp - lm) / (2 * eps)
				}
				e := relErr(ad, fd)
				t.Logf("%s %-14s relative error %.2g", kind, names[i], e)
				require.Less(t, e, 1e-6, "%s: d loss / d %s: relative error %.3g between autodiff and finite differences", kind, names[i], e)
			}
		})
	}
}

func TestInvalidInputs(t *testing.T) {
	b := testBackend(t)
	good := Config{Kind: GRU, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}
	for name, cfg := range map[string]Config{
		"hidden size 0":   {Kind: GRU, InputSize: 3, HiddenSize: 0, NumLayers: 1, DType: dtypes.Float32},
		"hidden size < 0": {Kind: GRU, InputSize: 3, HiddenSize: -2, NumLayers: 1, DType: dtypes.Float32},
		"unknown kind":    {Kind: "transformer", InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32},
		"no layers":       {Kind: GRU, InputSize: 3, HiddenSize: 4, NumLayers: 0, DType: dtypes.Float32},
		"int dtype":       {Kind: GRU, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Int32},
	} {
		_, err := NewWeights(cfg, 1)
		require.Error(t, err, name)
		_, err = NewRunner(b, cfg)
		require.Error(t, err, name)
	}
	_, err := ParseKind("lstmm")
	require.ErrorContains(t, err, "lstmm")

	w, err := NewWeights(good, 1)
	require.NoError(t, err)
	r, err := NewRunner(b, good)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		x, h0, c0 *tensors.Tensor
		want      string
	}{
		"wrong features": {x: tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 7)), want: "input size 3"},
		"empty sequence": {x: tensors.FromShape(shapes.Make(dtypes.Float32, 2, 0, 3)), want: "empty sequence"},
		"batch of zero":  {x: tensors.FromShape(shapes.Make(dtypes.Float32, 0, 5, 3)), want: "batch of zero"},
		"rank 2":         {x: tensors.FromShape(shapes.Make(dtypes.Float32, 5, 3)), want: "[batch, time, features]"},
		"float64 x":      {x: tensors.FromShape(shapes.Make(dtypes.Float64, 2, 5, 3)), want: "dtype"},
		"bad h0": {x: tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3)),
			h0: tensors.FromShape(shapes.Make(dtypes.Float32, 1, 3, 4)), want: "h0"},
		"c0 for gru": {x: tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3)),
			c0: tensors.FromShape(shapes.Make(dtypes.Float32, 1, 2, 4)), want: "no cell state"},
	} {
		_, err := r.Run(w, tc.x, tc.h0, tc.c0)
		require.ErrorContains(t, err, tc.want, name)
	}
	bad, err := w.Clone()
	require.NoError(t, err)
	bad.Tensors[1] = tensors.FromShape(shapes.Make(dtypes.Float32, 12, 5))
	_, err = r.Run(bad, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3)), nil, nil)
	require.ErrorContains(t, err, "weight_hh_l0 has shape")
	_, err = NewWeightsFromSlices(good, []float32{1, 2})
	require.Error(t, err)
}
