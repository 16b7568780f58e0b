package train

import (
	"context"
	"io"
	"time"

	"github.com/gomlx/compute"
	"github.com/rnn-course/bottleneck/pkg/tasks"
)

// CharRun is one training run of a character model, as notebook 06 compares them: Adam
// (learning rate 0.005), gradient clipping at norm 1, batches of 32 sequences of 64 characters
// in the fixed order of CharBatches, and the held-out perplexity measured every EvalEvery
// batches on the first ValBatches held-out batches.
type CharRun struct {
	Steps, EvalEvery int
	ValBatches       int       // held-out batches per evaluation (0: all)
	Seed             uint64    // the model's initial weights
	Progress         io.Writer // the progress bar, when not nil
}

// CharCurve is what a CharRun measured: the held-out perplexity against the batches trained,
// the wall time of the run and the model's parameter count.
type CharCurve struct {
	Batches, Perplexity []float64
	Secs                float64
	Params              int
}

// Final is the held-out perplexity at the end of the run.
func (c CharCurve) Final() float64 { return c.Perplexity[len(c.Perplexity)-1] }

// SecsPerBatch is the wall time of one trained batch, evaluations included.
func (c CharCurve) SecsPerBatch() float64 { return c.Secs / c.Batches[len(c.Batches)-1] }

// Run trains the model cfg on book's training text and returns its curve.
func (r CharRun) Run(ctx context.Context, b compute.Backend, book *tasks.CharText, cfg ModelConfig) (CharCurve, error) {
	var c CharCurve
	m, err := NewModel(cfg, r.Seed)
	if err != nil {
		return c, err
	}
	c.Params = m.NumParams()
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: 0.005, ClipNorm: 1})
	if err != nil {
		return c, err
	}
	const B, T = 32, 64
	vbs, err := book.ValBatches(B, T)
	if err != nil {
		return c, err
	}
	if r.ValBatches > 0 {
		vbs = vbs[:min(len(vbs), r.ValBatches)]
	}
	start := time.Now()
	_, err = tr.Run(ctx, LoopConfig{Steps: r.Steps, EvalEvery: r.EvalEvery, Progress: r.Progress, Batch: CharBatches(book, B, T),
		Eval: func(tr *Trainer) (map[string]float64, error) {
			p, err := tr.Perplexity(vbs) // exp(mean cross-entropy per held-out token)
			c.Batches, c.Perplexity = append(c.Batches, float64(tr.Position())), append(c.Perplexity, p)
			return map[string]float64{"val_ppl": p}, err
		}})
	c.Secs = time.Since(start).Seconds()
	return c, err
}
