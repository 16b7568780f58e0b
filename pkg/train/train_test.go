package train

import (
	"errors"
	"math"
	"testing"

	"github.com/rnn-course/bottleneck/internal/testutil"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// testBackend is the shared test helper (internal/testutil).
var testBackend = testutil.Backend

func sineBatch(t testing.TB, task *tasks.NoisySine, step, B int) (x, y *tensors.Tensor) {
	xs, ys, err := task.BatchAt(step, B)
	require.NoError(t, err)
	return tensors.FromFlatDataAndDimensions(xs, B, task.SeqLen, 1), tensors.FromFlatDataAndDimensions(ys, B, task.SeqLen, 1)
}

func sineModel(t testing.TB, kind recurrent.Kind, H int) *Model {
	m, err := NewModel(ModelConfig{
		Kind: CellKind(kind), InputSize: 1, HiddenSize: H, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: 1, Loss: MSE}, 1)
	require.NoError(t, err)
	return m
}

// TestTrainingReducesLoss trains each cell briefly on the noisy sine and requires the held-out
// MSE to fall below 0.1 (predicting zero costs 0.5 + noise² = 0.51; the noise floor is 0.01).
func TestTrainingReducesLoss(t *testing.T) {
	b := testBackend(t)
	task, err := tasks.NewNoisySine(32, 0.1, 42)
	require.NoError(t, err)
	for _, kind := range []recurrent.Kind{recurrent.RNNTanh, recurrent.LSTM, recurrent.GRU} {
		t.Run(string(kind), func(t *testing.T) {
			m := sineModel(t, kind, 16)
			tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.02, ClipNorm: 1})
			require.NoError(t, err)
			xv, yv := sineBatch(t, task, 1_000_000, 64) // a held-out batch
			before, err := tr.Evaluate(xv, yv)
			require.NoError(t, err)
			for step := range 150 {
				x, y := sineBatch(t, task, step, 16)
				_, err := tr.Step(x, y)
				require.NoError(t, err)
			}
			after, err := tr.Evaluate(xv, yv)
			require.NoError(t, err)
			t.Logf("%s: held-out MSE %.4f -> %.4f after 150 Adam steps", kind, before, after)
			require.Less(t, after, 0.1)
			require.Equal(t, 150, tr.Steps())
		})
	}
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		out[i] = float64(v[i])
	}
	return out
}

// TestSGDStepIsGradientStep checks the update rule and clipping against gradients computed
// independently with autodiff of the loss: p' = p - lr * g * min(1, clip/||g||).
func TestSGDStepIsGradientStep(t *testing.T) {
	b := testBackend(t)
	task, err := tasks.NewNoisySine(8, 0.1, 1)
	require.NoError(t, err)
	x, y := sineBatch(t, task, 0, 4)
	for _, clip := range []float64{0, 0.01} {
		m := sineModel(t, recurrent.GRU, 4)
		before := m.Params()
		mc := m.Config
		P := len(before)
		gradExec, err := NewExec(b, func(in []*Node) []*Node {
			pred, _, _, _ := mc.forwardGraph(in[:P], in[P], in[P+2], nil)
			return Gradient(mc.lossGraph(pred, in[P+1]), in[:P]...)
		})
		require.NoError(t, err)
		args := []any{}
		for _, p := range before {
			args = append(args, p)
		}
		grads, err := gradExec.Call(append(args, x, y, tensors.FromFlatDataAndDimensions(make([]float32, 16), 1, 4, 4))...)
		require.NoError(t, err)
		tr, err := New(b, m, Config{Optimizer: SGD, LearningRate: 0.5, ClipNorm: clip})
		require.NoError(t, err)
		st, err := tr.Step(x, y)
		require.NoError(t, err)
		norm := 0.0
		for _, g := range grads {
			for _, v := range tensors.MustCopyFlatData[float32](g) {
				norm += float64(v) * float64(v)
			}
		}
		norm = math.Sqrt(norm)
		require.InDelta(t, norm, st.GradNorm, 1e-5*norm)
		scale := 1.0
		if clip > 0 {
			scale = clip / (norm + 1e-6)
			require.True(t, st.Clipped)
		}
		for i, p := range m.Params() {
			old, g, nw := tensors.MustCopyFlatData[float32](before[i]), tensors.MustCopyFlatData[float32](grads[i]), tensors.MustCopyFlatData[float32](p)
			for j := range old {
				require.InDelta(t, float64(old[j])-0.5*scale*float64(g[j]), float64(nw[j]), 1e-6)
			}
		}
	}
}

// TestNaNStopsTraining: a loss that overflows stops training with an error naming the step,
// and the parameters of the last good step are kept.
func TestNaNStopsTraining(t *testing.T) {
	b := testBackend(t)
	m := sineModel(t, recurrent.RNNReLU, 8)
	tr, err := New(b, m, Config{Optimizer: SGD, LearningRate: 1e30})
	require.NoError(t, err)
	task, err := tasks.NewNoisySine(16, 0.1, 1)
	require.NoError(t, err)
	var nf *NonFiniteError
	var last []*tensors.Tensor
	for step := range 10 {
		last = nil
		for _, p := range m.Params() {
			c, err := p.LocalClone()
			require.NoError(t, err)
			last = append(last, c)
		}
		x, y := sineBatch(t, task, step, 4)
		_, err = tr.Step(x, y)
		if err != nil {
			require.True(t, errors.As(err, &nf), "want a NonFiniteError, got %v", err)
			break
		}
	}
	require.NotNil(t, nf, "a learning rate of 1e30 must blow up within 10 steps")
	require.Contains(t, nf.Error(), "step")
	t.Log(nf)
	for i, p := range m.Params() {
		require.Equal(t, tensors.MustCopyFlatData[float32](last[i]), tensors.MustCopyFlatData[float32](p),
			"parameters must be those of the last good step")
	}
	require.Equal(t, nf.Step-1, tr.Steps())
}

func TestTBPTTChunks(t *testing.T) {
	b := testBackend(t)
	task, err := tasks.NewNoisySine(20, 0.1, 1)
	require.NoError(t, err)
	x, y := sineBatch(t, task, 0, 4)
	m := sineModel(t, recurrent.LSTM, 6)
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.01, TBPTT: 8})
	require.NoError(t, err)
	st, err := tr.Step(x, y)
	require.NoError(t, err)
	require.Equal(t, 3, st.Updates, "20 steps in chunks of 8: 3 updates")
	require.Equal(t, 3, tr.Steps())
}

func TestInvalidTrainingInput(t *testing.T) {
	b := testBackend(t)
	m := sineModel(t, recurrent.GRU, 4)
	for name, cfg := range map[string]Config{
		"no optimizer":      {LearningRate: 0.1},
		"zero lr":           {Optimizer: Adam},
		"negative clip":     {Optimizer: Adam, LearningRate: 0.1, ClipNorm: -1},
		"negative k":        {Optimizer: Adam, LearningRate: 0.1, TBPTT: -1},
		"unknown gradients": {Optimizer: Adam, LearningRate: 0.1, Gradients: "fast"},
		"momentum 1":        {Optimizer: SGD, LearningRate: 0.1, Momentum: 1},
	} {
		_, err := New(b, m, cfg)
		require.Error(t, err, name)
	}
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.1})
	require.NoError(t, err)
	_, err = tr.Step(tensors.FromFlatDataAndDimensions(make([]float32, 6), 2, 3, 1), tensors.FromFlatDataAndDimensions(make([]float32, 4), 2, 2, 1))
	require.ErrorContains(t, err, "y has shape")
	_, err = tr.Step(tensors.FromFlatDataAndDimensions(make([]float32, 12), 2, 3, 2), nil)
	require.ErrorContains(t, err, "x must be")
	_, err = NewModel(func() ModelConfig { c := m.Config; c.Loss = "hinge"; return c }(), 1)
	require.ErrorContains(t, err, "unknown loss")
}

// TestFastStepMatchesAutodiff: the classic cells train on bptt's hand-written fast path by
// default; one SGD step (2 TBPTT chunks, so a carried state too) must give the same parameters
// as with Autodiff, for every classic cell, 1 and 2 layers and every loss (float64).
func TestFastStepMatchesAutodiff(t *testing.T) {
	b := testBackend(t)
	for _, kind := range recurrent.Kinds {
		for _, layers := range []int{1, 2} {
			for _, loss := range []LossKind{MSE, MSELast, CrossEntropy} {
				D, O := 2, 1
				if loss == CrossEntropy {
					D, O = 5, 5
				}
				mc := ModelConfig{Kind: CellKind(kind), InputSize: D, HiddenSize: 6, NumLayers: layers,
					DType: dtypes.Float64, OutputSize: O, Loss: loss}
				run := func(autodiff bool) []*tensors.Tensor {
					m, err := NewModel(mc, 3)
					require.NoError(t, err)
					cfg := Config{Optimizer: SGD, LearningRate: 0.1, Gradients: gradientsOf(autodiff), TBPTT: 5}
					require.Equal(t, !autodiff, cfg.handWritten(mc))
					tr, err := New(b, m, cfg)
					require.NoError(t, err)
					var x, y *tensors.Tensor
					if loss == CrossEntropy {
						ids := make([]int32, 3*10)
						for i := range ids {
							ids[i] = int32((i * 7) % D)
						}
						x, y = tensors.FromFlatDataAndDimensions(ids, 3, 10), tensors.FromFlatDataAndDimensions(append(ids[1:], 0), 3, 10)
					} else {
						v := make([]float64, 3*10*D)
						for i := range v {
							v[i] = float64((i*37)%11)/11 - 0.5
						}
						x, y = tensors.FromFlatDataAndDimensions(v, 3, 10, D), tensors.FromFlatDataAndDimensions(v[:30], 3, 10, 1)
						if loss == MSELast {
							y = tensors.FromFlatDataAndDimensions(v[:3], 3, 1)
						}
					}
					_, err = tr.Step(x, y)
					require.NoError(t, err)
					return m.Params()
				}
				auto, fast := run(true), run(false)
				changed := false
				init, err := NewModel(mc, 3)
				require.NoError(t, err)
				for i := range auto {
					a, f := tensors.MustCopyFlatData[float64](auto[i]), tensors.MustCopyFlatData[float64](fast[i])
					p0 := tensors.MustCopyFlatData[float64](init.Params()[i])
					for j := range a {
						require.InDelta(t, a[j], f[j], 1e-12, "%s/L=%d/%s param %d", kind, layers, loss, i)
						changed = changed || a[j] != p0[j]
					}
				}
				require.True(t, changed, "%s/L=%d/%s: the step changed no parameter", kind, layers, loss)
			}
		}
	}
}
