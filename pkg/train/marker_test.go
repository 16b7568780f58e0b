package train

import (
	"context"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// TestMarkerRun: MarkerRun.Train's held-out MSE is the mean of Trainer.Evaluate over the held-out
// batches of the same model trained step by step on the same task, at every evaluation.
func TestMarkerRun(t *testing.T) {
	b := testBackend(t)
	a := MarkerRun{Task: AddingTask, Kind: LSTM, T: 6, Steps: 8, Hidden: 4, B: 8, LearningRate: 0.01, ClipNorm: 1, HeldOut: 2, Evals: 2}
	xs, mse, err := a.Train(context.Background(), b, 4)
	require.NoError(t, err)
	require.Equal(t, []float64{4, 8}, xs)

	task, err := tasks.NewAdding(6, 4)
	require.NoError(t, err)
	m, err := NewModel(ModelConfig{Kind: LSTM, InputSize: 2, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSELast}, 4)
	require.NoError(t, err)
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.01, ClipNorm: 1})
	require.NoError(t, err)
	batch := FloatBatches(task.BatchAt, 8, []int{6, 2}, []int{1})
	for i := range 8 {
		x, y, err := batch(i)
		require.NoError(t, err)
		_, err = tr.Step(x, y)
		require.NoError(t, err)
		if (i+1)%4 == 0 {
			sum := 0.0
			for j := range 2 {
				xv, yv, err := batch(1_000_000 + j)
				require.NoError(t, err)
				l, err := tr.Evaluate(xv, yv)
				require.NoError(t, err)
				sum += l
			}
			require.Equal(t, sum/2, mse[i/4], "after batch %d", i+1)
		}
	}
	bad := a
	bad.Evals = 9
	_, _, err = bad.Train(context.Background(), b, 4)
	require.ErrorContains(t, err, "Evals")
}

// TestAddingRuns: the runs are paired by seed, run 0 keeps its curve, the others end only, and
// FinalMSE reads the last value of each.
func TestAddingRuns(t *testing.T) {
	b := testBackend(t)
	a := MarkerRun{T: 6, Steps: 60, Hidden: 4, B: 8, LearningRate: 0.05, ClipNorm: 1, HeldOut: 1, Evals: 3}
	seed := func(r int) uint64 { return uint64(20 + r) }
	runs, err := AddingRuns(context.Background(), b, a, []CellKind{GRU}, 2, seed)
	require.NoError(t, err)
	require.Len(t, runs[GRU], 2)
	require.Len(t, runs[GRU][0][1], 3)
	require.Equal(t, []float64{60}, runs[GRU][1][0])
	one := a
	one.Task, one.Kind, one.Evals = AddingTask, GRU, 0
	_, want, err := one.Train(context.Background(), b, seed(1))
	require.NoError(t, err)
	require.Equal(t, []float64{runs[GRU][0][1][2], want[0]}, FinalMSE(runs[GRU]))

	a.Steps, a.Evals = 1, 0 // one batch leaves the prediction near 0: MSE about 1 + 1/6
	_, err = AddingRuns(context.Background(), b, a, []CellKind{RNNTanh}, 1, seed)
	require.ErrorContains(t, err, "a run of the rnn_tanh ends at a held-out MSE of")
}

// TestMarkerRunRecallTBPTT: a recall run with truncated BPTT is the same as a Trainer with
// TBPTT k stepped by hand on tasks.Recall, measured on the same held-out batch.
func TestMarkerRunRecallTBPTT(t *testing.T) {
	b := testBackend(t)
	a := MarkerRun{Task: RecallTask, Kind: GRU, T: 8, Steps: 4, Hidden: 4, B: 8, LearningRate: 0.01, ClipNorm: 1, TBPTT: 4, HeldOut: 1}
	xs, mse, err := a.Train(context.Background(), b, 3)
	require.NoError(t, err)
	require.Equal(t, []float64{4}, xs)
	task, err := tasks.NewRecall(8, 3)
	require.NoError(t, err)
	m, err := NewModel(ModelConfig{Kind: GRU, InputSize: 2, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSELast}, 3)
	require.NoError(t, err)
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.01, ClipNorm: 1, TBPTT: 4})
	require.NoError(t, err)
	batch := FloatBatches(task.BatchAt, 8, []int{8, 2}, []int{1})
	for i := range 4 {
		x, y, err := batch(i)
		require.NoError(t, err)
		_, err = tr.Step(x, y)
		require.NoError(t, err)
	}
	xv, yv, err := batch(1_000_000)
	require.NoError(t, err)
	want, err := tr.Evaluate(xv, yv)
	require.NoError(t, err)
	require.Equal(t, want, mse[0])
	_, _, err = MarkerRun{T: 8, Steps: 1, Hidden: 1, B: 1, HeldOut: 1, LearningRate: 0.1}.Train(context.Background(), b, 1)
	require.ErrorContains(t, err, "without a Task")
}
