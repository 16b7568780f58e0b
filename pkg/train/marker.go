package train

import (
	"context"
	"fmt"
	"io"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/tasks"
)

// MarkerTask makes the batch function of a marker task of sequence length T from a seed: inputs
// (value, marker) [B, T, 2], one target per sequence [B, 1].
type MarkerTask func(T int, seed uint64) (batchAt func(i, B int) (x, y []float32, err error), err error)

// AddingTask is the adding problem (tasks.Adding; Hochreiter & Schmidhuber 1997, experiment 4):
// the target is the sum of the two marked values.
func AddingTask(T int, seed uint64) (func(i, B int) (x, y []float32, err error), error) {
	a, err := tasks.NewAdding(T, seed)
	if err != nil {
		return nil, err
	}
	return a.BatchAt, nil
}

// RecallTask is marked recall (tasks.Recall): the target is the one value marked in the first
// half of the sequence.
func RecallTask(T int, seed uint64) (func(i, B int) (x, y []float32, err error), error) {
	r, err := tasks.NewRecall(T, seed)
	if err != nil {
		return nil, err
	}
	return r.BatchAt, nil
}

// MarkerRun is one training run on a marker task (AddingTask, RecallTask): a one-layer cell of
// Hidden units reads (value, marker) pairs for T steps and a linear readout of the last state
// predicts the target (loss MSELast), trained with Adam and global-norm clipping on batches of B
// sequences, with full BPTT or truncated BPTT over chunks of TBPTT steps.
type MarkerRun struct {
	Task         MarkerTask
	Kind         CellKind
	T, Steps     int // sequence length and batches trained
	Hidden, B    int
	LearningRate float64
	ClipNorm     float64
	TBPTT        int // 0: full BPTT
	// HeldOut is the number of held-out batches of B sequences (batch indices from 1 000 000 on,
	// which training never reaches) the MSE is measured on.
	HeldOut int
	// Evals is the number of evaluations along the run (every Steps/Evals batches); 0 measures
	// the held-out MSE at the end only.
	Evals    int
	Progress io.Writer // the progress bar, when not nil
}

// heldOutStart is the first batch index of the held-out sequences.
const heldOutStart = 1_000_000

// Train trains a fresh model (task data and initial weights from seed) and returns the held-out
// MSE at every evaluation: xs are the batches done, mse the mean over the held-out batches.
func (a MarkerRun) Train(ctx context.Context, b compute.Backend, seed uint64) (xs, mse []float64, err error) {
	if a.Task == nil {
		return nil, nil, fmt.Errorf("train: MarkerRun without a Task (AddingTask, RecallTask)")
	}
	if a.T < 2 || a.Steps < 1 || a.Hidden < 1 || a.B < 1 || a.HeldOut < 1 || a.Evals < 0 || a.Evals > a.Steps || !(a.LearningRate > 0) || a.ClipNorm < 0 {
		return nil, nil, fmt.Errorf("train: MarkerRun of T = %d, %d steps, H = %d, batch %d, %d held-out batches, %d evaluations, learning rate %v, clip %v: want T >= 2, Steps, Hidden, B, HeldOut >= 1, 0 <= Evals <= Steps, LearningRate > 0, ClipNorm >= 0", a.T, a.Steps, a.Hidden, a.B, a.HeldOut, a.Evals, a.LearningRate, a.ClipNorm)
	}
	batchAt, err := a.Task(a.T, seed)
	if err != nil {
		return nil, nil, err
	}
	m, err := NewModel(ModelConfig{Kind: a.Kind, InputSize: 2, HiddenSize: a.Hidden, NumLayers: 1, DType: dtypes.Float32, OutputSize: 1, Loss: MSELast}, seed)
	if err != nil {
		return nil, nil, err
	}
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: a.LearningRate, ClipNorm: a.ClipNorm, TBPTT: a.TBPTT})
	if err != nil {
		return nil, nil, err
	}
	batch := FloatBatches(batchAt, a.B, []int{a.T, 2}, []int{1})
	xv, yv := make([]*tensors.Tensor, a.HeldOut), make([]*tensors.Tensor, a.HeldOut)
	for i := range a.HeldOut {
		if xv[i], yv[i], err = batch(heldOutStart + i); err != nil {
			return nil, nil, err
		}
	}
	evalEvery := 0
	if a.Evals > 0 {
		evalEvery = a.Steps / a.Evals
	}
	_, err = tr.Run(ctx, LoopConfig{Steps: a.Steps, EvalEvery: evalEvery, Progress: a.Progress, Batch: batch,
		Eval: func(tr *Trainer) (map[string]float64, error) {
			sum := 0.0
			for i := range xv {
				l, err := tr.Evaluate(xv[i], yv[i])
				if err != nil {
					return nil, err
				}
				sum += l
			}
			xs, mse = append(xs, float64(tr.Position())), append(mse, sum/float64(len(xv)))
			return map[string]float64{"mse": sum / float64(len(xv))}, nil
		}})
	return xs, mse, err
}

// AddingRuns trains runs independent models of each kind on the adding problem (AddingTask) with
// the settings a and returns each
// run's held-out MSE curve, per kind; run r uses seed(r) for its data and initial weights, the
// same for every kind (paired runs). Only run 0 shows its progress (after the kind's name) and is evaluated along the way
// (a.Evals); the others are measured at the end. A run that ends above twice the constant guess's
// MSE (1/6) fails with a learner-facing error: its training failed.
func AddingRuns(ctx context.Context, b compute.Backend, a MarkerRun, kinds []CellKind, runs int, seed func(r int) uint64) (map[CellKind][][2][]float64, error) {
	if runs < 1 || seed == nil {
		return nil, fmt.Errorf("train: AddingRuns: %d runs (want >= 1) and a seed function", runs)
	}
	out := map[CellKind][][2][]float64{}
	for _, kind := range kinds {
		if a.Progress != nil {
			fmt.Fprintln(a.Progress, kind)
		}
		for r := range runs {
			run := a
			run.Task, run.Kind = AddingTask, kind
			if r > 0 {
				run.Progress, run.Evals = nil, 0
			}
			xs, mse, err := run.Train(ctx, b, seed(r))
			if err != nil {
				return nil, err
			}
			if last := mse[len(mse)-1]; !(last < 2*tasks.AddingBaselineMSE) {
				return nil, lang.Errorf("a run of the %s ends at a held-out MSE of %.3f, more than twice the constant guess's 1/6: training failed", kind, last)
			}
			out[kind] = append(out[kind], [2][]float64{xs, mse})
		}
	}
	return out, nil
}

// FinalMSE returns the last held-out MSE of each run of AddingRuns.
func FinalMSE(runs [][2][]float64) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = r[1][len(r[1])-1]
	}
	return out
}
