package train

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/internal/atomicfile"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/tasks"
)

// CharLM is a character-level language model experiment (notebook 04): a one-layer recurrent
// cell of Hidden units reads one-hot characters and a linear readout predicts the next one, with
// the cross-entropy at every step; training uses full BPTT over windows of T characters in
// batches of B, Adam and clipping of the global gradient norm. Perplexity is exp of the mean
// cross-entropy per character on held-out windows.
type CharLM struct {
	Kind         CellKind
	Hidden       int
	Steps        int     // batches trained
	B, T         int     // batch size and window length
	LearningRate float64 // Adam's η
	ClipNorm     float64 // global-norm clipping threshold (0: none)
	ValBatches   int     // held-out batches of B windows the perplexity is measured on (at most all)
	// EvalEvery measures the held-out perplexity every EvalEvery batches and at the end (0: at
	// the end only).
	EvalEvery int
	// Progress, when not nil, gets the progress bar and the model's size.
	Progress io.Writer
	// CheckpointDir, when not "", receives a checkpoint every EvalEvery batches and when ctx is
	// cancelled; with Resume the run first restores the last one there (and says so on Progress),
	// without Resume the folder is emptied first.
	CheckpointDir string
	Resume        bool
	// SaveTo, when not "", is the .npz file (SaveModel) the trained model is written to at the
	// end, with its curves beside it (CurvesFile, LoadLMCurves); its folder is created if missing.
	SaveTo string
}

// LMCurves are a character model's learning curves: the training perplexity (exp of the batch's
// loss) after every batch and the held-out perplexity at every evaluation.
type LMCurves struct {
	TrainX, TrainPPL []float64 // batch number (1, 2, …) and training perplexity
	ValX, ValPPL     []float64 // batches done and held-out perplexity
}

// Final is the held-out perplexity at the end of the run.
func (c LMCurves) Final() float64 { return c.ValPPL[len(c.ValPPL)-1] }

// HeldOutPerplexity is the perplexity of p over the first n held-out batches of ct (B windows of
// T characters each; all of them if there are fewer).
func HeldOutPerplexity(p *Predictor, ct *tasks.CharText, B, T, n int) (float64, error) {
	batches, err := ct.ValBatches(B, T)
	if err != nil {
		return 0, err
	}
	if n < 1 {
		return 0, fmt.Errorf("train: HeldOutPerplexity over %d batches; want at least 1", n)
	}
	return p.Perplexity(batches[:min(n, len(batches))])
}

func (c CharLM) check() error {
	if c.Hidden < 1 || c.Steps < 1 || c.B < 1 || c.T < 1 || c.ValBatches < 1 || c.EvalEvery < 0 || !(c.LearningRate > 0) || c.ClipNorm < 0 {
		return fmt.Errorf("train: CharLM %+v: want Hidden, Steps, B, T, ValBatches >= 1, EvalEvery >= 0, LearningRate > 0, ClipNorm >= 0", c)
	}
	return nil
}

// Train trains a fresh model (initial weights from seed) on ct's training batches in ct's order
// and returns it with its curves. The evaluations and the final perplexity use the first
// ValBatches held-out batches.
func (c CharLM) Train(ctx context.Context, b compute.Backend, ct *tasks.CharText, seed uint64) (*Model, LMCurves, error) {
	var curves LMCurves
	if err := c.check(); err != nil {
		return nil, curves, err
	}
	V := ct.VocabSize()
	m, err := NewModel(ModelConfig{Kind: c.Kind, InputSize: V, HiddenSize: c.Hidden, NumLayers: 1,
		DType: dtypes.Float32, OutputSize: V, Loss: CrossEntropy}, seed)
	if err != nil {
		return nil, curves, err
	}
	tr, err := New(b, m, Config{Optimizer: Adam, LearningRate: c.LearningRate, ClipNorm: c.ClipNorm})
	if err != nil {
		return nil, curves, err
	}
	say := func(s string) {
		if c.Progress != nil {
			fmt.Fprint(c.Progress, s)
		}
	}
	say(lang.Sprintf("%s: %d parameters\n", c.Kind, m.NumParams()))
	if c.CheckpointDir != "" {
		if c.Resume {
			if _, pos, err := tr.Resume(c.CheckpointDir); err == nil {
				say(lang.Sprintf("resumed from batch %d\n", pos))
			} else {
				say(lang.T("nothing to resume:") + " " + lang.Explain(err) + "\n")
			}
		} else if err := os.RemoveAll(c.CheckpointDir); err != nil {
			return nil, curves, err
		}
	}
	ckptEvery := 0
	if c.CheckpointDir != "" {
		ckptEvery = c.EvalEvery
	}
	heldOut := func(p *Predictor) (float64, error) { return HeldOutPerplexity(p, ct, c.B, c.T, c.ValBatches) }
	hist, err := tr.Run(ctx, LoopConfig{
		Steps: c.Steps, EvalEvery: c.EvalEvery, Progress: c.Progress,
		CheckpointDir: c.CheckpointDir, CheckpointEvery: ckptEvery,
		Batch: CharBatches(ct, c.B, c.T),
		Eval: func(tr *Trainer) (map[string]float64, error) {
			p, err := heldOut(tr.Predictor)
			return map[string]float64{"val_ppl": p}, err
		},
	})
	if err != nil {
		return m, curves, err
	}
	for i := range hist.Len() {
		curves.TrainX = append(curves.TrainX, float64(hist.Batch[i]+1))
		curves.TrainPPL = append(curves.TrainPPL, math.Exp(hist.Loss[i]))
	}
	for _, e := range hist.Evals {
		curves.ValX = append(curves.ValX, float64(e.Batch))
		curves.ValPPL = append(curves.ValPPL, e.Metrics["val_ppl"])
	}
	if c.SaveTo != "" {
		if err := os.MkdirAll(filepath.Dir(c.SaveTo), 0o755); err != nil {
			return m, curves, err
		}
		if err := SaveModel(c.SaveTo, m); err != nil {
			return m, curves, err
		}
		if err := saveLMCurves(CurvesFile(c.SaveTo), curves); err != nil {
			return m, curves, err
		}
	}
	return m, curves, nil
}

// CurvesFile is where CharLM.Train writes the curves of the model it saves to model (an .npz):
// the same name with .curves.json.
func CurvesFile(model string) string {
	return strings.TrimSuffix(model, filepath.Ext(model)) + ".curves.json"
}

func saveLMCurves(path string, c LMCurves) error {
	data, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("train: curves of %s: %w", path, err)
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// LoadLMCurves reads the curves that CharLM.Train saved beside the model file model, so that a
// loaded model can be checked against the run that trained it.
func LoadLMCurves(model string) (LMCurves, error) {
	var c LMCurves
	path := CurvesFile(model)
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("train: the curves of %s: %w (CharLM.Train writes them with the model)", model, err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("train: %s is not a character model's curves: %w", path, err)
	}
	if len(c.ValPPL) == 0 || len(c.ValX) != len(c.ValPPL) || len(c.TrainX) != len(c.TrainPPL) {
		return c, fmt.Errorf("train: %s holds %d/%d held-out and %d/%d training points; want at least one held-out point and x and y of equal length",
			path, len(c.ValX), len(c.ValPPL), len(c.TrainX), len(c.TrainPPL))
	}
	return c, nil
}

// CharLMRuns trains runs independent models of each cell kind with the settings c (quietly, no
// checkpoints) and returns the final held-out perplexity of each run, per kind. Run r draws its
// initial weights and its batch order from seed(r): run r of every kind uses the same seed, so
// the runs of two kinds come in pairs (stats.Versus). book is the text, split as
// tasks.NewCharText(book, 0.1, seed(r)) splits it. A run that does not end below half the uniform
// guess (perplexity V/2 for V characters) fails with a learner-facing error: it has not learnt the
// text.
func CharLMRuns(ctx context.Context, b compute.Backend, book []byte, c CharLM, kinds []CellKind, runs int, seed func(r int) uint64) (map[CellKind][]float64, error) {
	if runs < 1 || seed == nil {
		return nil, fmt.Errorf("train: CharLMRuns: %d runs (want >= 1) and a seed function", runs)
	}
	c.Progress, c.CheckpointDir, c.EvalEvery, c.SaveTo = nil, "", 0, ""
	out := map[CellKind][]float64{}
	for _, kind := range kinds {
		c.Kind = kind
		for r := range runs {
			ct, err := tasks.NewCharText(book, 0.1, seed(r))
			if err != nil {
				return nil, err
			}
			_, curves, err := c.Train(ctx, b, ct, seed(r))
			if err != nil {
				return nil, err
			}
			if p, u := curves.Final(), ct.UniformPerplexity(); !(p < u/2) {
				return nil, lang.Errorf("run %d of the %s ends at a held-out perplexity of %.2f, not below half the uniform guess (%.0f)", r+1, kind, p, u)
			}
			out[kind] = append(out[kind], curves.Final())
		}
	}
	return out, nil
}
