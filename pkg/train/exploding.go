package train

import (
	"context"
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/tasks"
)

// ExplodingRun is notebook 03's demonstration of gradient clipping (Pascanu, Mikolov & Bengio
// 2013): a vanilla tanh RNN of Hidden units whose W_hh starts at spectral radius Rho (ρ > 1: an
// exploding regime; bptt.SetRecurrentSpectralRadius) learns next-value prediction of a noisy sine
// (tasks.NoisySine of T steps, noise 0.1; loss MSE at every step) with plain SGD, with or without
// clipping of the global gradient norm at ClipNorm (0: none).
type ExplodingRun struct {
	Rho, LearningRate, ClipNorm float64
	Steps, Hidden, B, T         int
}

// Train runs it from seed (the data, the initial weights and the orthogonal matrix). It returns
// the history of the batches trained and, when the loop stopped early (a non-finite loss or
// gradient, an interrupt), the reason in the learner's language; err reports bad settings.
func (e ExplodingRun) Train(ctx context.Context, b compute.Backend, seed uint64) (hist *History, stopped string, err error) {
	if !(e.Rho > 0) || !(e.LearningRate > 0) || e.ClipNorm < 0 || e.Steps < 1 || e.Hidden < 1 || e.B < 1 || e.T < 2 {
		return nil, "", fmt.Errorf("train: ExplodingRun of ρ = %v, learning rate %v, clip %v, %d steps, H = %d, batch %d, T = %d: want ρ, learning rate > 0, clip >= 0, steps, H, batch >= 1, T >= 2",
			e.Rho, e.LearningRate, e.ClipNorm, e.Steps, e.Hidden, e.B, e.T)
	}
	task, err := tasks.NewNoisySine(e.T, 0.1, seed)
	if err != nil {
		return nil, "", err
	}
	m, err := NewModel(ModelConfig{Kind: RNNTanh, InputSize: 1, HiddenSize: e.Hidden, NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSE}, seed)
	if err != nil {
		return nil, "", err
	}
	w, err := m.ClassicWeights()
	if err != nil {
		return nil, "", err
	}
	if err := bptt.SetRecurrentSpectralRadius(w, e.Rho, seed); err != nil {
		return nil, "", err
	}
	tr, err := New(b, m, Config{Optimizer: SGD, LearningRate: e.LearningRate, ClipNorm: e.ClipNorm})
	if err != nil {
		return nil, "", err
	}
	hist, runErr := tr.Run(ctx, LoopConfig{Steps: e.Steps, Batch: FloatBatches(task.BatchAt, e.B, []int{e.T, 1}, []int{e.T, 1})})
	if runErr != nil {
		stopped = lang.Explain(runErr)
	}
	return hist, stopped, nil
}

// BatchNumbers returns the indices of the trained batches as float64, for a plot's x axis.
func (h *History) BatchNumbers() []float64 {
	xs := make([]float64, len(h.Batch))
	for i, b := range h.Batch {
		xs[i] = float64(b)
	}
	return xs
}
