package recurrent_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// TestScopedLayerEqualsForward runs every kind, with 1 and 2 layers and given initial states,
// through the scoped layer (variables under a model.Scope, model.Exec) and through Forward on
// the same weights as plain parameter nodes (graph.Exec), and requires the outputs, the final
// states and the gradients of sum(out ⊙ g) with respect to every weight to be bit-identical.
// The gradients must also equal package bptt's hand-written ones (pkg/train's default path) to
// rounding.
func TestScopedLayerEqualsForward(t *testing.T) {
	b := testutil.Backend(t)
	const B, T, D, H = 2, 5, 3, 4
	for _, kind := range recurrent.Kinds {
		for _, L := range []int{1, 2} {
			t.Run(string(kind)+"/L="+string(rune('0'+L)), func(t *testing.T) {
				cfg := recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: L, DType: dtypes.Float64}
				w, err := recurrent.NewWeights(cfg, 7)
				require.NoError(t, err)
				rng := rand.New(rand.NewPCG(3, uint64(L)))
				x := testutil.RandNormal(rng, dtypes.Float64, 1, B, T, D)
				h0 := testutil.RandNormal(rng, dtypes.Float64, 0.5, L, B, H)
				c0 := testutil.RandNormal(rng, dtypes.Float64, 0.5, L, B, H)
				g := testutil.RandNormal(rng, dtypes.Float64, 1, B, T, H)
				if !kind.HasCellState() {
					c0 = nil
				}
				n := 4 * L
				states := func(in []*Node) (h, c *Node) {
					if kind.HasCellState() {
						return in[2], in[3]
					}
					return in[2], nil
				}
				// outputs lays out out, hn, (cn,) then the gradients.
				outputs := func(out, hn, cn *Node, grads []*Node) []*Node {
					res := []*Node{out, hn}
					if cn != nil {
						res = append(res, cn)
					}
					return append(res, grads...)
				}
				args := []any{x, g, h0}
				if c0 != nil {
					args = append(args, c0)
				}

				store := model.NewStore()
				require.NoError(t, recurrent.SetScopeWeights(store.Scope("/rnn"), w))
				scoped, err := model.NewExec(b, store, func(scope *model.Scope, in []*Node) []*Node {
					h, c := states(in)
					out, hn, cn := recurrent.ScopedLayer(scope.In("rnn"), kind, in[0], H,
						recurrent.WithLayers(L), recurrent.WithState(h, c))
					loss := ReduceAllSum(Mul(out, in[1]))
					return outputs(out, hn, cn, scope.BuildTrainableVariablesGradientsGraph(loss))
				})
				require.NoError(t, err)
				got, err := scoped.Call(args...)
				require.NoError(t, err)

				plain := func(fast bool) []*tensors.Tensor {
					exec, err := NewExec(b, func(in []*Node) []*Node {
						params, rest := in[:n], in[n:]
						h, c := states(rest)
						if fast {
							st := bptt.FastForward(kind, params, rest[0], h, c)
							hn, cn := st.Final()
							return outputs(st.Out(), hn, cn, bptt.FastGrads(st, rest[1]))
						}
						out, hn, cn, _ := recurrent.Forward(kind, params, rest[0], h, c)
						return outputs(out, hn, cn, Gradient(ReduceAllSum(Mul(out, rest[1])), params...))
					})
					require.NoError(t, err)
					var all []any
					for _, p := range w.Tensors {
						all = append(all, p)
					}
					res, err := exec.Call(append(all, args...)...)
					require.NoError(t, err)
					return res
				}
				want := plain(false)
				require.Len(t, got, len(want))
				for i := range want {
					require.Equal(t, tensors.MustCopyFlatData[float64](want[i]), tensors.MustCopyFlatData[float64](got[i]),
						"output %d of the scoped layer differs from Forward's", i)
				}
				worst := 0.0
				for i, f := range plain(true) {
					worst = math.Max(worst, testutil.RelErr(testutil.Flat64(got[i]), testutil.Flat64(f)))
				}
				require.Less(t, worst, 1e-12, "the scoped layer against package bptt's hand-written gradients")
			})
		}
	}
}

// TestScopedLayerInit builds a fresh 2-layer LSTM: its variables are PyTorch's parameters,
// named and shaped as in its state_dict, in ParamNames order, drawn from U(-1/sqrt(H), 1/sqrt(H));
// ScopeWeights reads them back, and the Runner on those weights gives the scoped layer's output.
func TestScopedLayerInit(t *testing.T) {
	b := testutil.Backend(t)
	const B, T, D, H, L = 2, 4, 3, 5, 2
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(42))
	exec, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) (*Node, *Node, *Node) {
		return recurrent.LSTMLayer(scope.In("lstm"), x, H, recurrent.WithLayers(L))
	})
	require.NoError(t, err)
	x := testutil.RandNormal(rand.New(rand.NewPCG(1, 2)), dtypes.Float32, 1, B, T, D)
	res, err := exec.Call(x)
	require.NoError(t, err)

	cfg := recurrent.Config{Kind: recurrent.LSTM, InputSize: D, HiddenSize: H, NumLayers: L, DType: dtypes.Float32}
	var paths []string
	for v := range store.Scope("/lstm").IterVariables() {
		paths = append(paths, v.Path())
	}
	var want []string
	for _, n := range cfg.ParamNames() {
		want = append(want, "/lstm/"+n)
	}
	require.Equal(t, want, paths)
	w, err := recurrent.ScopeWeights(store.Scope("/lstm"), cfg)
	require.NoError(t, err)
	k := 1 / math.Sqrt(H)
	for i, p := range w.Tensors {
		vals := testutil.Flat64(p)
		lo, hi := vals[0], vals[0]
		for _, v := range vals {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		require.True(t, lo >= -k && hi <= k && hi-lo > k/2, "%s spans [%g, %g], want inside ±%g", w.Names()[i], lo, hi, k)
	}
	r, err := recurrent.NewRunner(b, cfg)
	require.NoError(t, err)
	ref, err := r.Run(w, x, nil, nil)
	require.NoError(t, err)
	require.Equal(t, tensors.MustCopyFlatData[float32](ref.Out), tensors.MustCopyFlatData[float32](res[0]))
	require.Equal(t, tensors.MustCopyFlatData[float32](ref.CN), tensors.MustCopyFlatData[float32](res[2]))
}

// TestScopedPyTorchFile loads a PyTorch state_dict (.npz) into a scope, checks the scoped layer's
// output against PyTorch's, and writes the variables back as a state_dict that reads bit for bit
// the same.
func TestScopedPyTorchFile(t *testing.T) {
	b := testutil.Backend(t)
	path := filepath.Join("testdata", "pytorch", "gru_l2_b3_t7_d5_h6.npz")
	w, err := recurrent.FromPyTorchFile(path, recurrent.GRU, dtypes.Float32)
	require.NoError(t, err)
	cfg := w.Config
	f, err := npz.ReadFile(path)
	require.NoError(t, err)
	x, err := recurrent.ArrayTensor(f, "x", dtypes.Float32, 3, 7, cfg.InputSize)
	require.NoError(t, err)
	h0, err := recurrent.ArrayTensor(f, "h0", dtypes.Float32, cfg.NumLayers, 3, cfg.HiddenSize)
	require.NoError(t, err)
	wantOut, _, err := f.Float32("out")
	require.NoError(t, err)

	store := model.NewStore()
	require.NoError(t, recurrent.SetScopeWeights(store.Scope("/gru"), w))
	exec, err := model.NewExec(b, store, func(scope *model.Scope, x, h0 *Node) *Node {
		out, _ := recurrent.GRULayer(scope.In("gru"), x, cfg.HiddenSize, recurrent.WithLayers(cfg.NumLayers),
			recurrent.WithState(h0, nil))
		return out
	})
	require.NoError(t, err)
	out, err := exec.Call(x, h0)
	require.NoError(t, err)
	got := testutil.Flat64(out[0])
	want := make([]float64, len(wantOut))
	for i, v := range wantOut {
		want[i] = float64(v)
	}
	require.Less(t, testutil.RelErr(got, want), 1e-4, "the scoped GRU against PyTorch's nn.GRU")

	back, err := recurrent.ScopeWeights(store.Scope("/gru"), cfg)
	require.NoError(t, err)
	saved := filepath.Join(t.TempDir(), "gru.npz")
	require.NoError(t, back.WritePyTorchFile(saved))
	again, err := recurrent.FromPyTorchFile(saved, recurrent.GRU, dtypes.Float32)
	require.NoError(t, err)
	for i := range w.Tensors {
		require.Equal(t, tensors.MustCopyFlatData[float32](w.Tensors[i]), tensors.MustCopyFlatData[float32](again.Tensors[i]),
			"%s after scope -> .npz -> Weights", w.Names()[i])
	}
}

// TestScopedLayerErrors: misuse is an error that says what was expected.
func TestScopedLayerErrors(t *testing.T) {
	b := testutil.Backend(t)
	x := tensors.FromFlatDataAndDimensions(make([]float32, 2*3*4), 2, 3, 4)
	call := func(fn func(scope *model.Scope, x *Node) *Node, store *model.Store) error {
		exec, err := model.NewExec(b, store, fn)
		require.NoError(t, err)
		_, err = exec.Call(x)
		return err
	}
	err := call(func(scope *model.Scope, x *Node) *Node {
		out, _, _ := recurrent.LSTMLayer(scope, x, 3, recurrent.WithReLU())
		return out
	}, model.NewStore())
	require.ErrorContains(t, err, "WithReLU is an option of the RNN")
	err = call(func(scope *model.Scope, x *Node) *Node {
		out, _ := recurrent.GRULayer(scope, x, 3, recurrent.WithLayers(0))
		return out
	}, model.NewStore())
	require.ErrorContains(t, err, "number of layers must be >= 1")

	// Weights for input size 4 put where a layer with input size 3 reads them.
	cfg := recurrent.Config{Kind: recurrent.RNNTanh, InputSize: 3, HiddenSize: 3, NumLayers: 1, DType: dtypes.Float32}
	w, err := recurrent.NewWeights(cfg, 1)
	require.NoError(t, err)
	store := model.NewStore()
	require.NoError(t, recurrent.SetScopeWeights(store.RootScope(), w))
	err = call(func(scope *model.Scope, x *Node) *Node {
		out, _ := recurrent.RNNLayer(scope, x, 3)
		return out
	}, store)
	require.ErrorContains(t, err, "weight_ih_l0")
	cfg.InputSize = 4
	w4, err := recurrent.NewWeights(cfg, 1)
	require.NoError(t, err)
	require.ErrorContains(t, recurrent.SetScopeWeights(store.RootScope(), w4), "has shape")
	_, err = recurrent.ScopeWeights(store.Scope("/nothing"), cfg)
	require.ErrorContains(t, err, "no value for variable /nothing/weight_ih_l0")
}
