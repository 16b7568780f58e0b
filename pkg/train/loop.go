package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/progress"
)

// The training loop: Run feeds batches to Step, records a History, evaluates, writes
// checkpoints (see checkpoint.go) and stops cleanly when its context is cancelled.
//
// Positions are counted in batches. Batch i (0-based) is the i-th call of LoopConfig.Batch;
// "position n" means that batches 0..n-1 have been trained and batch n is next. Checkpoints and
// evaluations are taken at positions; History.Batch lists the indices of the trained batches.

// LoopConfig configures Run.
type LoopConfig struct {
	// Steps is the position where the run ends: it trains batches start..Steps-1, where start
	// is 0 for a new Trainer and the restored position after Resume (or where the previous Run
	// of this Trainer stopped).
	Steps int
	// Batch returns batch i. It must be a pure function of i (tasks.NoisySine.BatchAt and the
	// other *At methods are), so that a resumed run sees the same data in the same order.
	Batch func(i int) (x, y *tensors.Tensor, err error)
	// EvalEvery calls Eval at every position that is a multiple of EvalEvery, and at the end
	// (0: at the end only). Eval may be nil.
	EvalEvery int
	Eval      func(t *Trainer) (map[string]float64, error)
	// CheckpointDir is where checkpoints go (created if missing; "" for none). A checkpoint is
	// written at every position that is a multiple of CheckpointEvery (0: none on a schedule),
	// at the end of the run and when ctx is cancelled.
	CheckpointDir   string
	CheckpointEvery int
	// KeepLast is the number of checkpoints kept (0 means 3; negative keeps all). Older ones
	// are deleted only after a newer one is on disk.
	KeepLast int
	// Progress, when not nil, gets a one-line progress bar redrawn in place with '\r' (at most
	// 10 times a second) and ended with '\n'. It suits terminals and Jupyter/GoNB cells alike.
	Progress io.Writer
	// OnStep, when not nil, is called after each batch i with its Stats.
	OnStep func(i int, st Stats)
}

// DefaultKeepLast is the number of checkpoints kept when LoopConfig.KeepLast is 0.
const DefaultKeepLast = 3

// History records a run: one entry per trained batch, and the evaluations.
type History struct {
	Batch    []int     // index of each trained batch
	Loss     []float64 // its training loss (Stats.Loss)
	GradNorm []float64 // its largest gradient norm before clipping (Stats.GradNorm)
	Evals    []Evaluation
}

// Evaluation is the result of LoopConfig.Eval at a position (batches done).
type Evaluation struct {
	Batch   int
	Metrics map[string]float64
}

// Len is the number of batches recorded.
func (h *History) Len() int { return len(h.Batch) }

// loopState is where a Trainer stands in its run (the Trainer's loop field).
type loopState struct {
	next int      // position: the next batch to train
	hist *History // what Run recorded, or Resume restored
	bad  []string // checkpoints that Resume found unusable, removed after the next good save
}

func (t *Trainer) loop() *loopState {
	if t.loopSt.hist == nil {
		t.loopSt.hist = &History{}
	}
	return &t.loopSt
}

// Position returns the index of the next batch Run will train: 0 for a new Trainer, the
// restored position after Resume, or where the last Run stopped.
func (t *Trainer) Position() int { return t.loop().next }

// WithSignals returns a context that is cancelled on SIGINT (Ctrl-C, or "interrupt kernel" in
// Jupyter) or SIGTERM, for Run: the run then finishes its batch, writes a checkpoint and returns.
// Call stop when done to restore the default signal behaviour.
func WithSignals(ctx context.Context) (context.Context, func()) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

func (c *LoopConfig) check() error {
	switch {
	case c.Steps < 0:
		return fmt.Errorf("train: loop: Steps must be >= 0 (the position where the run ends), got %d", c.Steps)
	case c.Batch == nil:
		return errors.New("train: loop: Batch is nil, want a function returning batch i")
	case c.EvalEvery < 0:
		return fmt.Errorf("train: loop: EvalEvery must be >= 0, got %d", c.EvalEvery)
	case c.CheckpointEvery < 0:
		return fmt.Errorf("train: loop: CheckpointEvery must be >= 0, got %d", c.CheckpointEvery)
	case c.CheckpointEvery > 0 && c.CheckpointDir == "":
		return fmt.Errorf("train: loop: CheckpointEvery is %d but CheckpointDir is empty", c.CheckpointEvery)
	}
	return nil
}

// Run trains from the Trainer's position (see Position) up to position cfg.Steps and returns the
// history of the whole run, including what Resume restored and earlier Runs recorded.
//
// It stops early, returning the history so far and an error, when
//   - ctx is cancelled: the current batch is finished, a checkpoint is written (with a
//     CheckpointDir) and the error wraps ctx.Err() (context.Canceled) and names the file;
//   - Step fails, e.g. with a *NonFiniteError (use errors.As), wrapped with the batch index:
//     the failed update is not applied and nothing is written, so the checkpoints on disk are
//     the last good ones (with TBPTT the batch's earlier chunks may have been applied: the
//     Trainer is then between positions, and the last checkpoint is the place to resume from);
//   - Batch or Eval fails (nothing is written either).
//
// A fresh run (position 0) refuses a CheckpointDir that already holds checkpoints of a later
// position: Resume continues them; otherwise choose another directory. Since Run prunes old
// checkpoints (KeepLast), it also refuses a CheckpointDir holding a checkpoint of another
// configuration, of a format this code does not read, or that cannot be read (other than those
// Resume skipped as unusable): it never deletes another run's files. Run removes temporary
// files left in CheckpointDir by a checkpoint write that was killed.
func (t *Trainer) Run(ctx context.Context, cfg LoopConfig) (*History, error) {
	ls := t.loop()
	if err := cfg.check(); err != nil {
		return ls.hist, err
	}
	keep := cfg.KeepLast
	if keep == 0 {
		keep = DefaultKeepLast
	}
	start := ls.next
	if cfg.CheckpointDir != "" {
		if _, err := t.checkpointMeta(nil); err != nil {
			return ls.hist, err
		}
		if err := t.prepareCheckpointDir(cfg.CheckpointDir, start, ls.bad); err != nil {
			return ls.hist, err
		}
	}
	bar := progress.New(cfg.Progress, start, cfg.Steps)
	saved := -1 // position of the last checkpoint written by this Run
	save := func() (string, error) {
		path, err := t.saveCheckpoint(cfg.CheckpointDir, ls.next, ls.hist, keep)
		if err != nil {
			return "", err
		}
		saved = ls.next
		for _, b := range ls.bad {
			if b != path {
				_ = os.Remove(b)
			}
		}
		ls.bad = nil
		return path, nil
	}
	for ls.next < cfg.Steps {
		if err := ctx.Err(); err != nil {
			bar.Finish(progress.Interrupted)
			return ls.hist, t.interrupted(ctx, cfg, start, saved, save)
		}
		i := ls.next
		x, y, err := cfg.Batch(i)
		if err != nil {
			bar.Finish(progress.Stopped)
			return ls.hist, lang.Errorf("train: loop: batch %d: %w", i, err)
		}
		st, err := t.Step(x, y)
		if err != nil {
			bar.Finish(progress.Stopped)
			return ls.hist, lang.Errorf("train: loop: batch %d: %w", i, err)
		}
		ls.next = i + 1
		ls.hist.Batch = append(ls.hist.Batch, i)
		ls.hist.Loss = append(ls.hist.Loss, st.Loss)
		ls.hist.GradNorm = append(ls.hist.GradNorm, st.GradNorm)
		if cfg.OnStep != nil {
			cfg.OnStep(i, st)
		}
		end := ls.next == cfg.Steps
		if cfg.Eval != nil && (end || cfg.EvalEvery > 0 && ls.next%cfg.EvalEvery == 0) {
			m, err := cfg.Eval(t)
			if err != nil {
				bar.Finish(progress.Stopped)
				return ls.hist, lang.Errorf("train: loop: evaluation at position %d: %w", ls.next, err)
			}
			ls.hist.Evals = append(ls.hist.Evals, Evaluation{Batch: ls.next, Metrics: m})
		}
		if cfg.CheckpointDir != "" && (end || cfg.CheckpointEvery > 0 && ls.next%cfg.CheckpointEvery == 0) {
			if _, err := save(); err != nil {
				bar.Finish(progress.Stopped)
				return ls.hist, err
			}
		}
		bar.Update(ls.next, st.Loss)
	}
	bar.Finish("")
	return ls.hist, nil
}

// interrupted writes the checkpoint of a cancelled run and builds its error.
func (t *Trainer) interrupted(ctx context.Context, cfg LoopConfig, start, saved int, save func() (string, error)) error {
	pos := t.loop().next
	why := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != why {
		why = fmt.Errorf("%w: %v", why, cause)
	}
	if cfg.CheckpointDir == "" {
		return lang.Errorf("train: loop: interrupted at position %d of %d (no CheckpointDir: nothing saved): %w", pos, cfg.Steps, why)
	}
	if pos == start {
		return lang.Errorf("train: loop: interrupted at position %d of %d before training a batch (nothing new to save): %w",
			pos, cfg.Steps, why)
	}
	path := checkpointPath(cfg.CheckpointDir, pos)
	if saved != pos {
		var err error
		if path, err = save(); err != nil {
			return errors.Join(lang.Errorf("train: loop: interrupted at position %d of %d: %w", pos, cfg.Steps, why), err)
		}
	}
	return lang.Errorf("train: loop: interrupted at position %d of %d, checkpoint written to %s "+
		"(continue with Trainer.Resume(%q) and Run): %w", pos, cfg.Steps, path, cfg.CheckpointDir, why)
}
