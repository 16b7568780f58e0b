package train

import (
	"context"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// TestExplodingRun: ρ = 2 and SGD at 0.5 without clipping overflow and stop the loop early with
// a reason; with clipping the run trains to the end, and its losses are those of the same model
// trained by hand (oracle: Trainer.Step on the same batches).
func TestExplodingRun(t *testing.T) {
	b := testBackend(t)
	e := ExplodingRun{Rho: 2, LearningRate: 0.5, Steps: 60, Hidden: 16, B: 8, T: 20}
	h, stopped, err := e.Train(context.Background(), b, 1)
	require.NoError(t, err)
	require.NotEmpty(t, stopped, "no clipping: the loss overflows")
	require.Less(t, h.Len(), 60)
	require.Greater(t, slices.Max(h.GradNorm)/h.GradNorm[0], 10.0)

	e.ClipNorm, e.Steps = 1, 5
	h, stopped, err = e.Train(context.Background(), b, 1)
	require.NoError(t, err)
	require.Empty(t, stopped)
	require.Equal(t, []float64{0, 1, 2, 3, 4}, h.BatchNumbers())
	task, err := tasks.NewNoisySine(20, 0.1, 1)
	require.NoError(t, err)
	m, err := NewModel(ModelConfig{Kind: RNNTanh, InputSize: 1, HiddenSize: 16, NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSE}, 1)
	require.NoError(t, err)
	w, err := m.ClassicWeights()
	require.NoError(t, err)
	require.NoError(t, bptt.SetRecurrentSpectralRadius(w, 2, 1))
	tr, err := New(b, m, Config{Optimizer: SGD, LearningRate: 0.5, ClipNorm: 1})
	require.NoError(t, err)
	batch := FloatBatches(task.BatchAt, 8, []int{20, 1}, []int{20, 1})
	for i := range 5 {
		x, y, err := batch(i)
		require.NoError(t, err)
		st, err := tr.Step(x, y)
		require.NoError(t, err)
		require.Equal(t, st.Loss, h.Loss[i], "batch %d", i)
	}
	e.Rho = 0
	_, _, err = e.Train(context.Background(), b, 1)
	require.Error(t, err)
}
