package train

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/tasks"
)

// Perplexity is exp of a character model's mean cross-entropy per token over batches of
// windows (e.g. tasks.CharText.ValBatches), each window evaluated from a zero state. The mean is
// over tokens: each batch's mean loss weighs by its number of tokens, so a short last batch
// counts for what it holds.
func (p *Predictor) Perplexity(batches []tasks.TokenBatch) (float64, error) {
	if p.Model.Config.Loss != CrossEntropy {
		return 0, fmt.Errorf("train: Perplexity needs a character model (loss xent), this one has loss %s", p.Model.Config.Loss)
	}
	if len(batches) == 0 {
		return 0, fmt.Errorf("train: Perplexity needs at least one batch")
	}
	sum, tokens := 0.0, 0
	for i, b := range batches {
		if b.BatchSize < 1 || b.SeqLen < 1 {
			return 0, fmt.Errorf("train: Perplexity: batch %d has BatchSize %d and SeqLen %d, want both >= 1",
				i, b.BatchSize, b.SeqLen)
		}
		// len(X) == BatchSize × SeqLen, written so that the product cannot overflow.
		if len(b.X)%b.SeqLen != 0 || len(b.X)/b.SeqLen != b.BatchSize || len(b.Y) != len(b.X) {
			return 0, fmt.Errorf("train: Perplexity: batch %d holds %d inputs and %d targets, want BatchSize × SeqLen = %d × %d of each",
				i, len(b.X), len(b.Y), b.BatchSize, b.SeqLen)
		}
		n := len(b.X)
		nll, err := p.Evaluate(tensors.FromFlatDataAndDimensions(b.X, b.BatchSize, b.SeqLen),
			tensors.FromFlatDataAndDimensions(b.Y, b.BatchSize, b.SeqLen))
		if err != nil {
			return 0, fmt.Errorf("train: Perplexity: batch %d: %w", i, err)
		}
		sum += nll * float64(n)
		tokens += n
	}
	return tasks.Perplexity(sum / float64(tokens)), nil
}
