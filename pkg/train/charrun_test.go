package train

import (
	"context"
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCharRun(t *testing.T) {
	book, err := tasks.NewCharText(tasks.LoadBook(), 0.1, 1)
	require.NoError(t, err)
	V := book.VocabSize()
	cfg := ModelConfig{Kind: GRU, InputSize: V, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float32, OutputSize: V, Loss: CrossEntropy}
	run := CharRun{Steps: 4, EvalEvery: 2, ValBatches: 1, Seed: 7}
	c, err := run.Run(context.Background(), testBackend(t), book, cfg)
	require.NoError(t, err)
	assert.Equal(t, []float64{2, 4}, c.Batches) // evaluated every 2 batches and at the end
	require.Len(t, c.Perplexity, 2)
	assert.Equal(t, c.Perplexity[1], c.Final())
	m, err := NewModel(cfg, 7)
	require.NoError(t, err)
	assert.Equal(t, m.NumParams(), c.Params)
	assert.Greater(t, c.Secs, 0.0)
	// The oracle: the held-out perplexity of the same model after the same 4 batches, trained
	// and measured directly.
	tr, err := New(testBackend(t), m, Config{Optimizer: Adam, LearningRate: 0.005, ClipNorm: 1})
	require.NoError(t, err)
	_, err = tr.Run(context.Background(), LoopConfig{Steps: 4, Batch: CharBatches(book, 32, 64)})
	require.NoError(t, err)
	vbs, err := book.ValBatches(32, 64)
	require.NoError(t, err)
	p, err := tr.Perplexity(vbs[:1])
	require.NoError(t, err)
	assert.InDelta(t, p, c.Final(), 1e-4*p)
	// A few batches of a small model: between a perfect guess and twice the uniform one.
	assert.True(t, c.Final() > 1 && c.Final() < 2*float64(V) && !math.IsNaN(c.Final()))
	_, err = CharRun{Steps: 2, Seed: 1}.Run(context.Background(), testBackend(t), book, ModelConfig{Kind: GRU})
	assert.Error(t, err)
}
