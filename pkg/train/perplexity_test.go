package train

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// TestPerplexityWeighsTokens: Perplexity over batches of unequal size equals the perplexity
// computed window by window (each window its own batch of one), the token-weighted mean; the
// unweighted mean of the batch means differs.
func TestPerplexityWeighsTokens(t *testing.T) {
	b := testBackend(t)
	ct, err := tasks.NewCharText([]byte("the cat sat on the mat. the dog sat on the log. a bird sang in the tree. "), 0.5, 1)
	require.NoError(t, err)
	V := ct.VocabSize()
	m, err := NewModel(ModelConfig{Kind: GRU, InputSize: V, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float64,
		OutputSize: V, Loss: CrossEntropy}, 3)
	require.NoError(t, err)
	p, err := NewPredictor(b, m)
	require.NoError(t, err)
	const T = 4
	batches, err := ct.ValBatches(4, T)
	require.NoError(t, err)
	require.NotEqual(t, batches[0].BatchSize, batches[len(batches)-1].BatchSize, "want a short last batch")
	got, err := p.Perplexity(batches)
	require.NoError(t, err)

	sum, n, meanOfMeans := 0.0, 0, 0.0
	for _, bt := range batches {
		batchSum := 0.0
		for w := range bt.BatchSize {
			one := tasks.TokenBatch{X: bt.X[w*T : (w+1)*T], Y: bt.Y[w*T : (w+1)*T], BatchSize: 1, SeqLen: T}
			pw, err := p.Perplexity([]tasks.TokenBatch{one})
			require.NoError(t, err)
			sum += math.Log(pw) * T
			batchSum += math.Log(pw)
			n += T
		}
		meanOfMeans += batchSum / float64(bt.BatchSize)
	}
	want := math.Exp(sum / float64(n))
	require.InDelta(t, want, got, 1e-12*want)
	unweighted := math.Exp(meanOfMeans / float64(len(batches)))
	require.Greater(t, math.Abs(unweighted-want), 1e-9, "the unweighted mean should differ here")

	_, err = p.Perplexity(nil)
	require.ErrorContains(t, err, "at least one batch")
	sine, err := NewModel(loopModelConfig(), 1)
	require.NoError(t, err)
	ps, err := NewPredictor(b, sine)
	require.NoError(t, err)
	_, err = ps.Perplexity(batches)
	require.ErrorContains(t, err, "needs a character model")
}
