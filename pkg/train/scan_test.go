package train

import (
	"context"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

func scanModel(t *testing.T, kind CellKind, form scan.Form, loss LossKind) *Model {
	m, err := NewModel(ModelConfig{Kind: kind, InputSize: 1, HiddenSize: 16, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: 1, Loss: loss, Scan: form, Chunk: 8}, 1)
	require.NoError(t, err)
	return m
}

// TestScanCellTrains: a minGRU trained through the Trainer (parallel chunked scan) learns the
// noisy sine like the classic cells; the sequential and chunked modes give the same first step.
func TestScanCellTrains(t *testing.T) {
	b := testBackend(t)
	task, err := tasks.NewNoisySine(32, 0.1, 42)
	require.NoError(t, err)
	xv, yv := sineBatch(t, task, 1_000_000, 64)
	m := scanModel(t, MinGRU, mingru.Chunked, MSE)
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.02, ClipNorm: 1})
	require.NoError(t, err)
	before, err := tr.Evaluate(xv, yv)
	require.NoError(t, err)
	_, err = tr.Run(context.Background(), LoopConfig{Steps: 150, Batch: func(i int) (*tensors.Tensor, *tensors.Tensor, error) {
		x, y := sineBatch(t, task, i, 16)
		return x, y, nil
	}})
	require.NoError(t, err)
	after, err := tr.Evaluate(xv, yv)
	require.NoError(t, err)
	t.Logf("minGRU (chunked scan): held-out MSE %.4f -> %.4f", before, after)
	require.Less(t, after, 0.1)

	x, y := sineBatch(t, task, 0, 4)
	var losses []float64
	for _, mode := range []scan.Form{mingru.Sequential, mingru.Chunked, mingru.Blelloch} {
		tr, err := New(b, scanModel(t, MinLSTM, mode, MSE), Config{Optimizer: SGD, LearningRate: 0.1, TBPTT: 10})
		require.NoError(t, err)
		st, err := tr.Step(x, y)
		require.NoError(t, err)
		losses = append(losses, st.Loss)
	}
	require.InDelta(t, losses[0], losses[1], 1e-5)
	require.InDelta(t, losses[0], losses[2], 1e-5)

	_, err = New(b, m, Config{Optimizer: Adam, LearningRate: 0.1, Gradients: HandWrittenGradients})
	require.ErrorContains(t, err, "hand-written")
	_, err = NewModel(ModelConfig{Kind: GRU, InputSize: 1, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: 1, Loss: MSE, Scan: mingru.Chunked}, 1)
	require.ErrorContains(t, err, "a gru cell runs step by step: leave them empty")
	_, err = NewModel(ModelConfig{Kind: MinGRU, InputSize: 1, HiddenSize: 4, NumLayers: 2, DType: dtypes.Float32,
		OutputSize: 1, Loss: MSE}, 1)
	require.ErrorContains(t, err, "a mingru model has one layer")
	_, err = NewModel(ModelConfig{Kind: "mingru2", InputSize: 1, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: 1, Loss: MSE}, 1)
	require.ErrorContains(t, err, `unknown cell kind "mingru2"`)
}
