package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

const tinyBook = "the cat sat on the mat. the dog sat on the log. a bird sang in the tree. " +
	"the cat and the dog sat in the sun. a bird sat on the cat. the log lay on the mat. "

// TestCharLMTrain: CharLM.Train's curves are those of the same training written out step by step
// (Trainer.Step on CharBatches, then Predictor.Perplexity on the held-out windows): exp of each
// batch's loss, and the held-out perplexity at the evaluations and at the end.
func TestCharLMTrain(t *testing.T) {
	b := testBackend(t)
	ct, err := tasks.NewCharText([]byte(tinyBook), 0.3, 5)
	require.NoError(t, err)
	c := CharLM{Kind: GRU, Hidden: 8, Steps: 6, B: 4, T: 8, LearningRate: 0.01, ClipNorm: 1, ValBatches: 2, EvalEvery: 3}
	var progress bytes.Buffer
	c.Progress, c.SaveTo = &progress, filepath.Join(t.TempDir(), "models", "gru.npz")
	m, curves, err := c.Train(context.Background(), b, ct, 9)
	require.NoError(t, err)
	require.Contains(t, progress.String(), "gru: ")
	require.Equal(t, []float64{1, 2, 3, 4, 5, 6}, curves.TrainX)
	require.Equal(t, []float64{3, 6}, curves.ValX)

	// The oracle: the same model, optimizer and batches, one step at a time.
	V := ct.VocabSize()
	m2, err := NewModel(ModelConfig{Kind: GRU, InputSize: V, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float32, OutputSize: V, Loss: CrossEntropy}, 9)
	require.NoError(t, err)
	tr, err := New(b, m2, Config{Optimizer: Adam, LearningRate: 0.01, ClipNorm: 1})
	require.NoError(t, err)
	val, err := ct.ValBatches(4, 8)
	require.NoError(t, err)
	batch := CharBatches(ct, 4, 8)
	for i := range 6 {
		x, y, err := batch(i)
		require.NoError(t, err)
		st, err := tr.Step(x, y)
		require.NoError(t, err)
		require.Equal(t, math.Exp(st.Loss), curves.TrainPPL[i], "batch %d", i)
		if i == 2 || i == 5 {
			p, err := tr.Predictor.Perplexity(val[:2])
			require.NoError(t, err)
			require.Equal(t, p, curves.ValPPL[i/3], "held-out after batch %d", i+1)
		}
	}
	require.Equal(t, curves.ValPPL[1], curves.Final())
	require.Less(t, curves.Final(), float64(V), "6 Adam steps beat the uniform guess")
	// The returned model, and the one saved, are the trained one.
	saved, err := LoadModel(c.SaveTo)
	require.NoError(t, err)
	for i, p := range m.Params() {
		require.Equal(t, tensors.MustCopyFlatData[float32](m2.Params()[i]), tensors.MustCopyFlatData[float32](p))
		require.Equal(t, tensors.MustCopyFlatData[float32](m2.Params()[i]), tensors.MustCopyFlatData[float32](saved.Params()[i]))
	}

	// The curves saved beside the model are the ones returned.
	back, err := LoadLMCurves(c.SaveTo)
	require.NoError(t, err)
	require.Equal(t, curves, back)
	require.NoError(t, os.WriteFile(CurvesFile(c.SaveTo), []byte(`{"ValX":[1],"ValPPL":[]}`), 0o644))
	_, err = LoadLMCurves(c.SaveTo)
	require.ErrorContains(t, err, "held-out")
	_, err = LoadLMCurves(filepath.Join(t.TempDir(), "none.npz"))
	require.ErrorContains(t, err, "CharLM.Train writes them")

	bad := c
	bad.ValBatches = 0
	_, _, err = bad.Train(context.Background(), b, ct, 9)
	require.ErrorContains(t, err, "ValBatches")
}

// TestCharLMRuns: run r of CharLMRuns is CharLM.Train on the book split with seed(r), and a run
// that stays above half the uniform guess fails with the learner-facing message.
func TestCharLMRuns(t *testing.T) {
	b := testBackend(t)
	seed := func(r int) uint64 { return uint64(11 + r) }
	book := []byte(strings.Repeat("the cat sat on the mat. ", 40)) // learnable: the held-out text repeats it
	c := CharLM{Hidden: 16, Steps: 80, B: 8, T: 8, LearningRate: 0.03, ClipNorm: 1, ValBatches: 2}
	runs, err := CharLMRuns(context.Background(), b, book, c, []CellKind{LSTM}, 2, seed)
	require.NoError(t, err)
	require.Len(t, runs[LSTM], 2)
	for r := range 2 {
		ct, err := tasks.NewCharText(book, 0.1, seed(r))
		require.NoError(t, err)
		c.Kind = LSTM
		_, curves, err := c.Train(context.Background(), b, ct, seed(r))
		require.NoError(t, err)
		require.Equal(t, curves.Final(), runs[LSTM][r], "run %d", r)
	}
	require.NotEqual(t, runs[LSTM][0], runs[LSTM][1], "two seeds, two runs")

	c.Steps = 1 // one batch cannot halve the uniform guess's perplexity
	_, err = CharLMRuns(context.Background(), b, book, c, []CellKind{RNNTanh}, 1, seed)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "run 1 of the rnn_tanh ends at a held-out perplexity of") &&
		strings.Contains(err.Error(), "not below half the uniform guess"), err.Error())
}
