package recurrent

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

// TestGoMLXLSTMLayout checks the layout mapping against PyTorch's and ONNX's definitions, block
// by block on the host (GoMLX's block k = i, o, f, c is PyTorch's rows [p·H, (p+1)·H) with
// p = 0, 3, 1, 2), and that FromGoMLXLSTM undoes ToGoMLXLSTM bit for bit.
func TestGoMLXLSTMLayout(t *testing.T) {
	b := testBackend(t)
	cfg := Config{Kind: LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float64}
	w, err := NewWeights(cfg, 7)
	require.NoError(t, err)
	out, err := ExecOnceN(b, func(in []*Node) []*Node {
		iw, rw, bs := ToGoMLXLSTM(in[0], in[1], in[2], in[3])
		wih, whh, bih, bhh := FromGoMLXLSTM(iw, rw, bs)
		return []*Node{iw, rw, bs, wih, whh, bih, bhh}
	}, w.Tensors[0], w.Tensors[1], w.Tensors[2], w.Tensors[3])
	require.NoError(t, err)
	D, H := cfg.InputSize, cfg.HiddenSize
	require.Equal(t, []int{1, 4, H, D}, out[0].Shape().Dimensions)
	require.Equal(t, []int{1, 4, H, H}, out[1].Shape().Dimensions)
	require.Equal(t, []int{1, 8, H}, out[2].Shape().Dimensions)
	wih, whh := flat64(w.Tensors[0]), flat64(w.Tensors[1])
	bih, bhh := flat64(w.Tensors[2]), flat64(w.Tensors[3])
	iw, rw, bs := flat64(out[0]), flat64(out[1]), flat64(out[2])
	for k, p := range []int{0, 3, 1, 2} { // ONNX i, o, f, c <- PyTorch i, f, g, o
		for j := range H {
			for d := range D {
				require.Equal(t, wih[(p*H+j)*D+d], iw[(k*H+j)*D+d], "inputsW gate %d", k)
			}
			for h := range H {
				require.Equal(t, whh[(p*H+j)*H+h], rw[(k*H+j)*H+h], "recurrentW gate %d", k)
			}
			require.Equal(t, bih[p*H+j], bs[k*H+j], "Wb gate %d", k)
			require.Equal(t, bhh[p*H+j], bs[(4+k)*H+j], "Rb gate %d", k)
		}
	}
	for i := range 4 {
		require.Equal(t, flat64(w.Tensors[i]), flat64(out[3+i]), "round trip of %s", w.Names()[i])
	}
}

// goMLXLSTMParity runs the course's Forward and GoMLXLSTM on the same weights and inputs and
// returns the relative error (testutil.RelErr) of each output and of each gradient of
// L = Σ out·g + Σ hn·gh + Σ cn·gc, named.
func goMLXLSTMParity(t *testing.T, dtype dtypes.DType, B, T, D, H int, seed uint64) map[string]float64 {
	t.Helper()
	b := testBackend(t)
	cfg := Config{Kind: LSTM, InputSize: D, HiddenSize: H, NumLayers: 1, DType: dtype}
	w, err := NewWeights(cfg, seed)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, 6))
	x := randTensor(rng, dtype, 1, B, T, D)
	h0 := randTensor(rng, dtype, 0.5, 1, B, H)
	c0 := randTensor(rng, dtype, 0.5, 1, B, H)
	g := randTensor(rng, dtype, 1, B, T, H)
	gh := randTensor(rng, dtype, 1, 1, B, H)
	gc := randTensor(rng, dtype, 1, 1, B, H)
	run := func(gomlx bool) []*tensors.Tensor {
		res, err := ExecOnceN(b, func(in []*Node) []*Node {
			params, x, h0, c0, g, gh, gc := in[:4], in[4], in[5], in[6], in[7], in[8], in[9]
			var out, hn, cn *Node
			if gomlx {
				out, hn, cn = GoMLXLSTM(params, x, h0, c0)
			} else {
				out, hn, cn, _ = Forward(LSTM, params, x, h0, c0)
			}
			loss := Add(Add(ReduceAllSum(Mul(out, g)), ReduceAllSum(Mul(hn, gh))), ReduceAllSum(Mul(cn, gc)))
			return append([]*Node{out, hn, cn}, Gradient(loss, append(append([]*Node{}, params...), x, h0, c0)...)...)
		}, w.Tensors[0], w.Tensors[1], w.Tensors[2], w.Tensors[3], x, h0, c0, g, gh, gc)
		require.NoError(t, err)
		return res
	}
	ours, theirs := run(false), run(true)
	names := append([]string{"out", "hn", "cn"}, "d weight_ih", "d weight_hh", "d bias_ih", "d bias_hh", "d x", "d h0", "d c0")
	errs := map[string]float64{}
	for i, name := range names {
		errs[name] = relErr(flat64(theirs[i]), flat64(ours[i]))
	}
	return errs
}

// TestGoMLXLSTMMatchesForward checks that GoMLX's own ml/layers/lstm, given this package's
// weights through ToGoMLXLSTM, computes the course's LSTM: outputs, final states and every
// gradient. The tolerances are 10× the largest relative errors measured (2026-12-07, Go
// backend, these 3 seeds, B=3 T=9 D=5 H=6): 4.3e-16 in float64, 2.1e-7 in float32, over the
// outputs and all gradients. The two group their matmuls and sums differently, so they agree to
// rounding, not bit for bit.
func TestGoMLXLSTMMatchesForward(t *testing.T) {
	for _, tc := range []struct {
		dtype     dtypes.DType
		tolerance float64
	}{{dtypes.Float64, 4.3e-15}, {dtypes.Float32, 2.1e-6}} {
		for _, seed := range []uint64{1, 2, 3} {
			errs := goMLXLSTMParity(t, tc.dtype, 3, 9, 5, 6, seed)
			for name, e := range errs {
				t.Logf("%s seed %d %-12s %.2g", tc.dtype, seed, name, e)
				require.Less(t, e, tc.tolerance, "%s seed %d: %s", tc.dtype, seed, name)
			}
		}
	}
}

func TestGoMLXLSTMBadInput(t *testing.T) {
	b := testBackend(t)
	two := Config{Kind: LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 2, DType: dtypes.Float32}
	w2, err := NewWeights(two, 1)
	require.NoError(t, err)
	gru := Config{Kind: GRU, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}
	wg, err := NewWeights(gru, 1)
	require.NoError(t, err)
	x := randTensor(rand.New(rand.NewPCG(1, 2)), dtypes.Float32, 1, 2, 5, 3)
	for name, tc := range map[string]struct {
		w    *Weights
		want string
	}{
		"two layers":    {w2, "one layer"},
		"GRU's weights": {wg, "weight_ih_l0"},
	} {
		err := catch(func() error {
			_, err := ExecOnceN(b, func(in []*Node) []*Node {
				out, _, _ := GoMLXLSTM(in[:len(in)-1], in[len(in)-1], nil, nil)
				return []*Node{out}
			}, append(append([]any{}, anySlice(tc.w.Tensors)...), x)...)
			return err
		})
		require.ErrorContains(t, err, tc.want, name)
	}
	err = catch(func() error {
		_, err := ExecOnceN(b, func(in []*Node) []*Node {
			iw, _, _ := ToGoMLXLSTM(in[0], in[1], in[2], in[3]) // a GRU's [3H, ·] blocks
			return []*Node{iw}
		}, wg.Tensors[0], wg.Tensors[1], wg.Tensors[2], wg.Tensors[3])
		return err
	})
	require.ErrorContains(t, err, "ToGoMLXLSTM wants")
	err = catch(func() error {
		_, err := ExecOnceN(b, func(in []*Node) []*Node {
			wih, _, _, _ := FromGoMLXLSTM(Reshape(in[0], 1, 3, 4, 3), Reshape(in[1], 1, 3, 4, 4), Reshape(in[2], 1, 3, 4))
			return []*Node{wih}
		}, wg.Tensors[0], wg.Tensors[1], wg.Tensors[2])
		return err
	})
	require.ErrorContains(t, err, "FromGoMLXLSTM wants one direction")
}

func anySlice(ts []*tensors.Tensor) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}
