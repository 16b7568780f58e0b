package mingru_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/require"
)

// TestScopedLayerEqualsForward runs both kinds in three forms, from a given h0, through the
// scoped layer (variables under a model.Scope, model.Exec) and through Forward on the same
// weights as parameter nodes (graph.Exec), and requires the outputs and the gradients of
// sum(out ⊙ g) with respect to every weight to be bit-identical.
func TestScopedLayerEqualsForward(t *testing.T) {
	b := testutil.Backend(t)
	const B, T, D, H = 2, 6, 3, 4
	for _, kind := range []mingru.Kind{mingru.MinGRU, mingru.MinLSTM} {
		for _, form := range []scan.Form{mingru.Sequential, mingru.Chunked, mingru.LogSpace} {
			t.Run(string(kind)+"/"+string(form), func(t *testing.T) {
				positive := form == mingru.LogSpace
				cfg := mingru.Config{Kind: kind, InputSize: D, HiddenSize: H, DType: dtypes.Float64, PositiveCandidate: positive, Chunk: 4}
				w, err := mingru.NewWeights(cfg, 5)
				require.NoError(t, err)
				rng := rand.New(rand.NewPCG(1, 9))
				x := testutil.RandNormal(rng, dtypes.Float64, 1, B, T, D)
				g := testutil.RandNormal(rng, dtypes.Float64, 1, B, T, H)
				h0 := testutil.Fill(dtypes.Float64, []int{B, H}, func() float64 { return 0.1 + rng.Float64() })
				n := len(cfg.ParamNames())

				store := model.NewStore()
				require.NoError(t, mingru.SetScopeWeights(store.Scope("/min"), w))
				opts := []mingru.LayerOption{mingru.WithForm(form), mingru.WithChunk(4), mingru.WithState(nil)}
				if positive {
					opts = append(opts, mingru.WithPositiveCandidate())
				}
				scoped, err := model.NewExec(b, store, func(scope *model.Scope, in []*Node) []*Node {
					out, hn := mingru.ScopedLayer(scope.In("min"), kind, in[0], H, append(opts, mingru.WithState(in[2]))...)
					grads := scope.BuildTrainableVariablesGradientsGraph(ReduceAllSum(Mul(out, in[1])))
					return append([]*Node{out, hn}, grads...)
				})
				require.NoError(t, err)
				got, err := scoped.Call(x, g, h0)
				require.NoError(t, err)

				plain, err := NewExec(b, func(in []*Node) []*Node {
					params, rest := in[:n], in[n:]
					out := mingru.Forward(cfg, params, rest[0], rest[2], form)
					hn := Squeeze(SliceAxis(out, 1, AxisElem(T-1)), 1)
					return append([]*Node{out, hn}, Gradient(ReduceAllSum(Mul(out, rest[1])), params...)...)
				})
				require.NoError(t, err)
				var args []any
				for _, p := range w.Tensors {
					args = append(args, p)
				}
				want, err := plain.Call(append(args, x, g, h0)...)
				require.NoError(t, err)
				require.Len(t, got, len(want))
				for i := range want {
					require.Equal(t, tensors.MustCopyFlatData[float64](want[i]), tensors.MustCopyFlatData[float64](got[i]),
						"output %d of the scoped layer differs from Forward's", i)
				}
			})
		}
	}
}

// TestScopedLayerInit builds a fresh minLSTM: its variables are the paper's nn.Linear
// parameters (linear_f, linear_i, linear_h; weight and bias each), in ParamNames order, drawn
// from U(-1/sqrt(D), 1/sqrt(D)); ScopeWeights reads them back, and the Runner on those weights
// gives the scoped layer's output.
func TestScopedLayerInit(t *testing.T) {
	b := testutil.Backend(t)
	const B, T, D, H = 2, 5, 4, 3
	store := model.NewStore()
	store.SetParam(model.ParamInitialSeed, int64(3))
	exec, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
		out, _ := mingru.MinLSTMLayer(scope.In("minlstm"), x, H, mingru.WithForm(mingru.Blelloch))
		return out
	})
	require.NoError(t, err)
	x := testutil.RandNormal(rand.New(rand.NewPCG(4, 4)), dtypes.Float32, 1, B, T, D)
	res, err := exec.Call(x)
	require.NoError(t, err)
	var paths []string
	for v := range store.Scope("/minlstm").IterVariables() {
		paths = append(paths, v.Path())
	}
	require.Equal(t, []string{"/minlstm/linear_f/weight", "/minlstm/linear_f/bias", "/minlstm/linear_i/weight",
		"/minlstm/linear_i/bias", "/minlstm/linear_h/weight", "/minlstm/linear_h/bias"}, paths)
	cfg := mingru.Config{Kind: mingru.MinLSTM, InputSize: D, HiddenSize: H, DType: dtypes.Float32}
	w, err := mingru.ScopeWeights(store.Scope("/minlstm"), cfg)
	require.NoError(t, err)
	k := 1 / math.Sqrt(D)
	for i, p := range w.Tensors {
		for _, v := range testutil.Flat64(p) {
			require.True(t, v >= -k && v <= k, "%s has %g, want inside ±%g", cfg.ParamNames()[i], v, k)
		}
	}
	r, err := mingru.NewRunner(b, cfg, mingru.Sequential)
	require.NoError(t, err)
	ref, err := r.Run(w, x, nil)
	require.NoError(t, err)
	require.Less(t, testutil.RelErr(testutil.Flat64(ref), testutil.Flat64(res[0])), 1e-6,
		"the Blelloch-form scoped layer against the sequential Runner")

	// A form that needs the positive candidate, without it.
	bad, err := model.NewExec(b, store, func(scope *model.Scope, x *Node) *Node {
		out, _ := mingru.MinLSTMLayer(scope.In("minlstm"), x, H, mingru.WithForm(mingru.LogSpace))
		return out
	})
	require.NoError(t, err)
	_, err = bad.Call(x)
	require.ErrorContains(t, err, "PositiveCandidate")
}
