package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

func charModel(t *testing.T, V int) *Model {
	m, err := NewModel(ModelConfig{Kind: LSTM, InputSize: V, HiddenSize: 16, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: V, Loss: CrossEntropy}, 2)
	require.NoError(t, err)
	return m
}

// TestSaveLoadAndSample trains a character model briefly, saves it, loads it back and checks that
// the loaded model gives the same loss and the same sampled text.
func TestSaveLoadAndSample(t *testing.T) {
	b := testBackend(t)
	ct, err := tasks.NewCharText([]byte("the cat sat on the mat. the dog sat on the log. "), 0.2, 1)
	require.NoError(t, err)
	V := ct.VocabSize()
	m := charModel(t, V)
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.05})
	require.NoError(t, err)
	batch := func(i int) (*tensors.Tensor, *tensors.Tensor) {
		x, y, err := ct.TrainBatchAt(i, 4, 8)
		require.NoError(t, err)
		return tensors.FromFlatDataAndDimensions(x, 4, 8), tensors.FromFlatDataAndDimensions(y, 4, 8)
	}
	for i := range 20 {
		_, err := tr.Step(batch(i))
		require.NoError(t, err)
	}
	x, y := batch(100)
	want, err := tr.Evaluate(x, y)
	require.NoError(t, err)
	prompt, err := ct.Encode("the ")
	require.NoError(t, err)
	text, err := tr.Sample(prompt, 30, 0.8, 7)
	require.NoError(t, err)
	require.Len(t, text, 30)

	path := filepath.Join(t.TempDir(), "model.npz")
	require.NoError(t, SaveModel(path, m))
	loaded, err := LoadModel(path)
	require.NoError(t, err)
	require.Equal(t, m.Config, loaded.Config)
	tr2, err := NewPredictor(b, loaded) // no optimizer needed to evaluate and sample
	require.NoError(t, err)
	got, err := tr2.Evaluate(x, y)
	require.NoError(t, err)
	require.Equal(t, want, got)
	text2, err := tr2.Sample(prompt, 30, 0.8, 7)
	require.NoError(t, err)
	require.Equal(t, text, text2)
	greedy, err := tr2.Sample(prompt, 5, 0, 1)
	require.NoError(t, err)
	greedy2, err := tr2.Sample(prompt, 5, 0, 2)
	require.NoError(t, err)
	require.Equal(t, greedy, greedy2, "temperature 0 ignores the seed")

	_, err = tr2.Sample(nil, 3, 1, 1)
	require.Error(t, err)
	_, err = tr2.Sample([]int32{int32(V)}, 3, 1, 1)
	require.ErrorContains(t, err, "outside the vocabulary")
	require.NoError(t, os.WriteFile(path, []byte("not a zip"), 0o644))
	_, err = LoadModel(path)
	require.Error(t, err)
}

// TestLoadModelFromCheckpoint: LoadModel reads the model of a checkpoint too, equal to the
// trainer's model at that position, for a classic and a parallel-in-time cell.
func TestLoadModelFromCheckpoint(t *testing.T) {
	b := testBackend(t)
	for _, mc := range []ModelConfig{loopModelConfig(),
		{Kind: MinLSTM, InputSize: 1, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSE, Scan: "blelloch"}} {
		t.Run(string(mc.Kind), func(t *testing.T) {
			dir := t.TempDir()
			m, err := NewModel(mc, 1)
			require.NoError(t, err)
			tr, err := New(b, m, loopTrainConfig)
			require.NoError(t, err)
			_, cfg := loopTrainer(t, 1, 2, 3)
			cfg.CheckpointDir = dir
			_, err = tr.Run(context.Background(), cfg)
			require.NoError(t, err)
			loaded, err := LoadModel(checkpointPath(dir, 3))
			require.NoError(t, err)
			require.Equal(t, mc, loaded.Config)
			require.Equal(t, flatParams(tr), flatParams(&Trainer{Predictor: &Predictor{Model: loaded}}))
			p, err := NewPredictor(b, loaded)
			require.NoError(t, err)
			x, y, err := cfg.Batch(10)
			require.NoError(t, err)
			want, err := tr.Evaluate(x, y)
			require.NoError(t, err)
			got, err := p.Evaluate(x, y)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}
