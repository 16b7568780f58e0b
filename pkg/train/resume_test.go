package train

import (
	"context"
	"fmt"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// resumeCases are every model kind the trainer runs: the four classic cells with 1 and 2
// layers, and minGRU and minLSTM with each scan mode.
func resumeCases() []ModelConfig {
	var out []ModelConfig
	for _, k := range []CellKind{RNNTanh, RNNReLU, LSTM, GRU} {
		for _, L := range []int{1, 2} {
			out = append(out, ModelConfig{Kind: k, InputSize: 1, HiddenSize: 6, NumLayers: L, DType: dtypes.Float32,
				OutputSize: 1, Loss: MSE})
		}
	}
	for _, k := range []CellKind{MinGRU, MinLSTM} {
		for _, mode := range mingru.Forms {
			out = append(out, ModelConfig{Kind: k, InputSize: 1, HiddenSize: 6, NumLayers: 1, DType: dtypes.Float32,
				OutputSize: 1, Loss: MSE, Scan: mode, Chunk: 4})
		}
	}
	return out
}

// TestResumeEveryKind: for every model kind, a run interrupted by a checkpoint at position 3 and
// resumed by a fresh Trainer (different initial weights) ends bit-identical, in losses, gradient
// norms, parameters and optimizer state, to the same run done in one go.
func TestResumeEveryKind(t *testing.T) {
	b := testBackend(t)
	const T, B, steps, stop = 12, 3, 6, 3
	task, err := tasks.NewNoisySine(T, 0.1, 7)
	require.NoError(t, err)
	batch := func(i int) (x, y *tensors.Tensor, err error) {
		xs, ys, err := task.BatchAt(i, B)
		if err != nil {
			return nil, nil, err
		}
		return tensors.FromFlatDataAndDimensions(xs, B, T, 1), tensors.FromFlatDataAndDimensions(ys, B, T, 1), nil
	}
	cfg := Config{Optimizer: Adam, LearningRate: 0.01, ClipNorm: 1}
	for _, mc := range resumeCases() {
		name := fmt.Sprintf("%s/L=%d", mc.Kind, mc.NumLayers)
		if mc.Scan != "" {
			name = fmt.Sprintf("%s/%s", mc.Kind, mc.Scan)
		}
		t.Run(name, func(t *testing.T) {
			trainer := func(seed uint64) *Trainer {
				m, err := NewModel(mc, seed)
				require.NoError(t, err)
				tr, err := New(b, m, cfg)
				require.NoError(t, err)
				return tr
			}
			straight := trainer(1)
			want, err := straight.Run(context.Background(), LoopConfig{Steps: steps, Batch: batch})
			require.NoError(t, err)

			dir := t.TempDir()
			first := trainer(1)
			_, err = first.Run(context.Background(), LoopConfig{Steps: stop, Batch: batch, CheckpointDir: dir})
			require.NoError(t, err)
			resumed := trainer(2)
			_, pos, err := resumed.Resume(dir)
			require.NoError(t, err)
			require.Equal(t, stop, pos)
			got, err := resumed.Run(context.Background(), LoopConfig{Steps: steps, Batch: batch, CheckpointDir: dir})
			require.NoError(t, err)

			requireSameBits(t, want, got, flatParams(straight), flatParams(resumed))
			require.Equal(t, straight.Steps(), resumed.Steps())
			for i := range straight.state {
				require.Equal(t, tensorsBits(straight.state[i]), tensorsBits(resumed.state[i]), "optimizer state %d", i)
			}
		})
	}
}
