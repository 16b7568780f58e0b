package train

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// The kernels of the pure-Go backend squash non-finite values (tanh(NaN) = -1, logistic(NaN) =
// 1), so a NaN need not reach the loss. These tests put one where it hides and require a
// *NonFiniteError anyway, with the parameters (and the update count) of before the step.

// paramBits copies the parameters' bits (float32 or float64 alike, NaN included).
func paramBits(m *Model) [][]uint64 {
	var out [][]uint64
	for _, p := range m.Params() {
		out = append(out, bits64(p))
	}
	return out
}

// bits64 copies a float tensor's bits.
func bits64(x *tensors.Tensor) []uint64 {
	var bits []uint64
	x.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			for _, x := range v {
				bits = append(bits, uint64(math.Float32bits(x)))
			}
		case []float64:
			for _, x := range v {
				bits = append(bits, math.Float64bits(x))
			}
		}
	})
	return bits
}

// setElem sets element i of a float tensor in place.
func setElem(x *tensors.Tensor, i int, v float64) {
	x.MustMutableFlatData(func(flat any) {
		switch f := flat.(type) {
		case []float32:
			f[i] = float32(v)
		case []float64:
			f[i] = v
		}
	})
}

// allFinite reports whether every parameter of m is finite.
func allFinite(m *Model) bool {
	for _, p := range m.Params() {
		for _, v := range flat64(p) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

func flat64(x *tensors.Tensor) []float64 {
	var out []float64
	x.MustConstFlatData(func(flat any) {
		switch v := flat.(type) {
		case []float32:
			out = to64(v)
		case []float64:
			out = append(out, v...)
		}
	})
	return out
}

// sineTrainer is a trainer of a one-input, one-output model on the noisy sine, and a batch of B
// sequences of T steps (y [B, 1] for mse_last).
func sineTrainer(t *testing.T, mc ModelConfig, cfg Config, T, B int) (*Trainer, *tensors.Tensor, *tensors.Tensor) {
	m, err := NewModel(mc, 1)
	require.NoError(t, err)
	tr, err := New(testBackend(t), m, cfg)
	require.NoError(t, err)
	task, err := tasks.NewNoisySine(T, 0.1, 3)
	require.NoError(t, err)
	x, y := sineBatch(t, task, 0, B)
	if mc.Loss == MSELast {
		last := make([]float32, B)
		ys := tensors.MustCopyFlatData[float32](y)
		for b := range B {
			last[b] = ys[b*T+T-1]
		}
		y = tensors.FromFlatDataAndDimensions(last, B, 1)
	}
	return tr, x, y
}

// requireStopped requires a *NonFiniteError from err and the model as it was before the step.
func requireStopped(t *testing.T, tr *Trainer, err error, before [][]uint64, steps int) {
	t.Helper()
	var nf *NonFiniteError
	require.True(t, errors.As(err, &nf), "want a *NonFiniteError, got %v", err)
	t.Log(err)
	require.Equal(t, before, paramBits(tr.Model), "the step must not be applied")
	require.Equal(t, steps, tr.Steps())
}

func sineConfig(kind CellKind, loss LossKind, dtype dtypes.DType) ModelConfig {
	return ModelConfig{Kind: kind, InputSize: 1, HiddenSize: 4, NumLayers: 1, DType: dtype, OutputSize: 1, Loss: loss}
}

// TestNaNInputStopsTraining: a NaN in x stops the step, also where a squashing cell turns it into
// a finite state (the early chunks of TBPTT with mse_last run forward only).
func TestNaNInputStopsTraining(t *testing.T) {
	adam := Config{Optimizer: Adam, LearningRate: 0.01}
	for _, tc := range []struct {
		name string
		mc   ModelConfig
		cfg  Config
		at   int // flat index of the NaN in x [B, T, 1]
	}{
		{"gru", sineConfig(GRU, MSE, dtypes.Float32), adam, 5},
		{"lstm autodiff", sineConfig(LSTM, MSE, dtypes.Float32), Config{Optimizer: Adam, LearningRate: 0.01, Gradients: AutodiffGradients}, 5},
		{"rnn_tanh mse_last early TBPTT chunk", sineConfig(RNNTanh, MSELast, dtypes.Float32), Config{Optimizer: Adam, LearningRate: 0.01, TBPTT: 4}, 1},
		{"gru mse_last early TBPTT chunk, float64", sineConfig(GRU, MSELast, dtypes.Float64), Config{Optimizer: SGD, LearningRate: 0.1, TBPTT: 4}, 2},
		{"mingru", sineConfig(MinGRU, MSE, dtypes.Float32), adam, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, x, y := sineTrainer(t, tc.mc, tc.cfg, 12, 2)
			if tc.mc.DType == dtypes.Float64 {
				x, y = to64Tensor(x), to64Tensor(y)
			}
			setElem(x, tc.at, math.NaN())
			before := paramBits(tr.Model)
			_, err := tr.Step(x, y)
			requireStopped(t, tr, err, before, 0)
		})
	}
}

func to64Tensor(x *tensors.Tensor) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(flat64(x), x.Shape().Dimensions...)
}

// TestNaNWeightStopsTraining: a NaN written into a recurrent weight (in place, as a learner
// poking at Model.Params might) is squashed by tanh and the logistic, so the loss stays finite;
// the step must stop all the same and leave the parameters as they were.
func TestNaNWeightStopsTraining(t *testing.T) {
	for _, kind := range CellKinds {
		t.Run(string(kind), func(t *testing.T) {
			tr, x, y := sineTrainer(t, sineConfig(kind, MSE, dtypes.Float32), Config{Optimizer: Adam, LearningRate: 0.01}, 8, 2)
			_, err := tr.Step(x, y)
			require.NoError(t, err)
			setElem(tr.Model.Params()[1], 0, math.NaN()) // a recurrent weight (weight_hh_l0 for the classic cells)
			before := paramBits(tr.Model)
			_, err = tr.Step(x, y)
			requireStopped(t, tr, err, before, 1)
		})
	}
}

// TestDivergingLearningRateKeepsFiniteParams: a learning rate that is finite in the model's dtype
// (so validation accepts it) but makes the first update overflow must stop training before non-finite parameters are kept, and
// no checkpoint may hold them: every checkpoint left on disk loads.
func TestDivergingLearningRateKeepsFiniteParams(t *testing.T) {
	for _, tc := range []struct {
		name string
		mc   ModelConfig
		lr   float64
	}{
		{"rnn_relu float32", sineConfig(RNNReLU, MSE, dtypes.Float32), 3e38},
		{"lstm float32", sineConfig(LSTM, MSE, dtypes.Float32), 3e38},
		{"gru float64", sineConfig(GRU, MSE, dtypes.Float64), 1e308},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Optimizer: SGD, LearningRate: tc.lr}
			tr, x, y := sineTrainer(t, tc.mc, cfg, 8, 2)
			if tc.mc.DType == dtypes.Float64 {
				x, y = to64Tensor(x), to64Tensor(y)
			}
			for i, v := range flat64(y) {
				setElem(y, i, 100*v) // large errors, large gradients: the first update overflows
			}
			var stopped bool
			for step := range 10 {
				before := paramBits(tr.Model)
				_, err := tr.Step(x, y)
				if err != nil {
					requireStopped(t, tr, err, before, step)
					stopped = true
					break
				}
				require.True(t, allFinite(tr.Model), "step %d returned no error but left non-finite parameters", step+1)
			}
			require.True(t, stopped, "a learning rate of %g must diverge within 10 steps", tc.lr)

			// The same through Run, with a checkpoint after every batch.
			tr, _, _ = sineTrainer(t, tc.mc, cfg, 8, 2)
			dir := t.TempDir()
			_, err := tr.Run(context.Background(), LoopConfig{Steps: 10, CheckpointDir: dir, CheckpointEvery: 1, KeepLast: -1,
				Batch: func(int) (*tensors.Tensor, *tensors.Tensor, error) { return x, y, nil }})
			var nf *NonFiniteError
			require.True(t, errors.As(err, &nf), "want a *NonFiniteError, got %v", err)
			require.True(t, allFinite(tr.Model))
			files, err := listCheckpoints(dir)
			require.NoError(t, err)
			for _, f := range files {
				tr2, _, _ := sineTrainer(t, tc.mc, cfg, 8, 2)
				_, _, err := tr2.LoadCheckpoint(f.path)
				require.NoError(t, err, "a checkpoint with non-finite values was written")
			}
		})
	}
}
