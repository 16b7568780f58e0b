package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/tensornpz"
)

// Checkpoints
//
// A checkpoint is one .npz file, ckpt-<position, 8 digits>.npz (np.load reads it), written
// atomically by npz.WriteFile (temporary file, fsync, rename, fsync of the directory): a crash
// or a kill leaves either the previous file set or the new one, never half a file. It holds
//
//	meta                      str      JSON: format, version, model and train configs,
//	                                   parameter names, optimizer slots, eval metric names
//	batch                     int64 0-d  the position: batches done (the next batch to train)
//	updates                   int64 0-d  parameter updates done (Trainer.Steps)
//	<param>                   the model's dtype and shape, for each name of Model.ParamNames
//	                          (PyTorch's weight_ih_l0 ... and readout.weight, readout.bias)
//	opt.slot<s>.<param>       optimizer state: Adam's first (slot 0) and second (slot 1)
//	                          moments, SGD's velocity (slot 0); none for plain SGD
//	history.batch             int64 [N]    indices of the trained batches
//	history.loss              float64 [N]  their losses
//	history.grad_norm         float64 [N]  their gradient norms
//	history.eval_batch        int64 [E]    positions of the evaluations
//	history.eval_value        float64 [E, M]  metric values, columns in meta's eval_metrics order
//	history.eval_present      bool [E, M]  which metrics each evaluation returned
//
// Loading (Trainer.LoadCheckpoint, Trainer.Resume) trusts nothing: the zip CRCs are checked by
// package npz, then the format and version, the configurations (which must equal the
// Trainer's), the set of array names, every dtype and shape, that parameters and optimizer
// state are finite, and that the history is consistent with the position.

// CheckpointFormat and CheckpointVersion identify the checkpoint layout in meta.
const (
	CheckpointFormat  = "rnn-course/train checkpoint"
	CheckpointVersion = 2 // 2: ModelConfig names one cell kind (Kind, Scan) instead of Cell and *ScanCell
)

// ErrNoCheckpoint is returned (wrapped) by Resume when the directory holds no checkpoint at all,
// so that a program can start afresh: errors.Is(err, ErrNoCheckpoint). A directory whose
// checkpoints are all unusable is a different error.
var ErrNoCheckpoint = errors.New("no checkpoint")

// Warnings receives the messages of Resume about checkpoints it skipped (default os.Stderr,
// which GoNB shows in the cell); set it to io.Discard to silence them.
var Warnings io.Writer = os.Stderr

type checkpointMeta struct {
	Format         string      `json:"format"`
	Version        int         `json:"version"`
	Model          ModelConfig `json:"model"`
	Train          Config      `json:"train"`
	Params         []string    `json:"params"`
	OptimizerSlots int         `json:"optimizer_slots"`
	EvalMetrics    []string    `json:"eval_metrics"`
}

var checkpointName = regexp.MustCompile(`^ckpt-([0-9]+)\.npz$`)

func checkpointPath(dir string, pos int) string {
	return filepath.Join(dir, fmt.Sprintf("ckpt-%08d.npz", pos))
}

type checkpointFile struct {
	path string
	pos  int
}

// listCheckpoints returns the checkpoints of dir, oldest (lowest position) first.
func listCheckpoints(dir string) ([]checkpointFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []checkpointFile
	for _, e := range entries {
		m := checkpointName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		pos, err := strconv.Atoi(m[1])
		if err != nil {
			continue // more digits than an int holds: not one of ours
		}
		out = append(out, checkpointFile{filepath.Join(dir, e.Name()), pos})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out, nil
}

// prepareCheckpointDir creates dir, removes the temporary files of killed checkpoint writes,
// and, since Run prunes old checkpoints, refuses a directory that holds one it must not touch:
// one beyond start (another run's), one of another configuration or of a format this code does
// not read, or one that cannot be read. The exceptions are the files bad that Resume found
// unusable: the next good checkpoint replaces them.
func (t *Trainer) prepareCheckpointDir(dir string, start int, bad []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("train: checkpoint directory: %w", err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".ckpt-*.npz.tmp-*"))
	for _, f := range tmps {
		_ = os.Remove(f)
	}
	files, err := listCheckpoints(dir)
	if err != nil {
		return fmt.Errorf("train: checkpoint directory: %w", err)
	}
	for _, f := range files {
		if slices.Contains(bad, f.path) {
			continue
		}
		if f.pos > start {
			return fmt.Errorf("train: checkpoint directory %s already holds %s, beyond this run's position %d: "+
				"continue that run with Trainer.Resume, or choose another directory", dir, filepath.Base(files[len(files)-1].path), start)
		}
		err := t.checkMetaOf(f.path)
		var mismatch *ConfigMismatchError
		var format *FormatError
		switch {
		case err == nil:
		case errors.As(err, &mismatch):
			return fmt.Errorf("train: checkpoint directory %s holds %s, a checkpoint of another configuration (%s): "+
				"a run never prunes another run's checkpoints: choose another directory for this one",
				dir, filepath.Base(f.path), strings.Join(mismatch.Differences, "; "))
		case errors.As(err, &format):
			return err // it names the file and says that it is kept
		default:
			return fmt.Errorf("%w; a run never deletes a file it cannot read: move it away, or choose another directory", err)
		}
	}
	return nil
}

// checkpointMeta encodes the meta JSON; it fails on configurations that JSON cannot hold
// (NaN or infinite numbers).
func (t *Trainer) checkpointMeta(evalMetrics []string) (string, error) {
	if evalMetrics == nil {
		evalMetrics = []string{}
	}
	m := checkpointMeta{Format: CheckpointFormat, Version: CheckpointVersion, Model: t.Model.Config, Train: t.cfg,
		Params: t.Model.ParamNames(), OptimizerSlots: t.cfg.slots(), EvalMetrics: evalMetrics}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("train: cannot record the configuration in a checkpoint: %w", err)
	}
	return string(b), nil
}

func slotName(slot int, param string) string { return fmt.Sprintf("opt.slot%d.%s", slot, param) }

func int64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// checkpointArrays lays out the state at position pos with history h (see the format above).
func (t *Trainer) checkpointArrays(pos int, h *History) ([]*npz.Array, error) {
	metricSet := map[string]bool{}
	for _, e := range h.Evals {
		for k := range e.Metrics {
			metricSet[k] = true
		}
	}
	metrics := make([]string, 0, len(metricSet))
	for k := range metricSet {
		metrics = append(metrics, k)
	}
	sort.Strings(metrics)
	meta, err := t.checkpointMeta(metrics)
	if err != nil {
		return nil, err
	}
	names := t.Model.ParamNames()
	P := len(names)
	stateNames := make([]string, len(t.state))
	for j := range t.state {
		stateNames[j] = "optimizer state " + slotName(j/P, names[j%P])
	}
	if err := checkFinite(slices.Concat(prefixed("parameter ", names), stateNames), slices.Concat(t.Model.Params(), t.state)); err != nil {
		return nil, fmt.Errorf("train: refusing to write a checkpoint: %v (a checkpoint holds finite values only)", err)
	}
	arrays := []*npz.Array{
		npz.NewString("meta", meta),
		{Name: "batch", DType: npz.Int64, Shape: []int{}, I64: []int64{int64(pos)}}, // 0-d
		{Name: "updates", DType: npz.Int64, Shape: []int{}, I64: []int64{int64(t.step)}},
	}
	params, err := modelArrays(t.Model)
	if err != nil {
		return nil, err
	}
	arrays = append(arrays, params...)
	for j, s := range t.state {
		a, err := tensornpz.Array(slotName(j/P, names[j%P]), s)
		if err != nil {
			return nil, fmt.Errorf("train: checkpoint: %w", err)
		}
		arrays = append(arrays, a)
	}
	E, M := len(h.Evals), len(metrics)
	evalBatch := make([]int64, E)
	value := make([]float64, E*M)
	present := make([]int64, E*M)
	for e, ev := range h.Evals {
		evalBatch[e] = int64(ev.Batch)
		for m, k := range metrics {
			if v, ok := ev.Metrics[k]; ok {
				value[e*M+m], present[e*M+m] = v, 1
			}
		}
	}
	arrays = append(arrays,
		npz.NewInt64("history.batch", int64s(h.Batch)),
		npz.NewFloat64("history.loss", slices.Clone(h.Loss)),
		npz.NewFloat64("history.grad_norm", slices.Clone(h.GradNorm)),
		npz.NewInt64("history.eval_batch", evalBatch),
		npz.NewFloat64("history.eval_value", value, E, M),
		&npz.Array{Name: "history.eval_present", DType: npz.Bool, Shape: []int{E, M}, I64: present},
	)
	return arrays, nil
}

// saveCheckpoint writes the checkpoint of position pos to dir, then deletes all but the newest
// keep checkpoints (keep < 0: none), and returns the file's path.
func (t *Trainer) saveCheckpoint(dir string, pos int, h *History, keep int) (string, error) {
	arrays, err := t.checkpointArrays(pos, h)
	if err != nil {
		return "", err
	}
	path := checkpointPath(dir, pos)
	if err := npz.WriteFile(path, arrays...); err != nil {
		return "", fmt.Errorf("train: writing checkpoint: %w", err)
	}
	if keep < 0 {
		return path, nil
	}
	files, err := listCheckpoints(dir)
	if err != nil {
		return path, nil // the checkpoint is written; pruning can wait for the next one
	}
	var older []checkpointFile
	for _, f := range files {
		if f.pos <= pos {
			older = append(older, f)
		}
	}
	for i := 0; i < len(older)-keep; i++ {
		_ = os.Remove(older[i].path)
	}
	return path, nil
}

// ConfigMismatchError says how a checkpoint's configuration differs from the Trainer's.
type ConfigMismatchError struct {
	Path        string
	Differences []string // "model.HiddenSize: checkpoint 16, trainer 8"
}

func (e *ConfigMismatchError) Error() string {
	return fmt.Sprintf("train: checkpoint %s was written for another configuration (%s); "+
		"build the Trainer with the checkpoint's configuration, or start a new run in another directory",
		e.Path, strings.Join(e.Differences, "; "))
}

// FormatError says that a checkpoint is not in the format this code reads: written by another
// version of this package (a newer one, most likely), or not a checkpoint of this package at
// all. Resume stops at once on one, and Run refuses a directory that holds one: neither ever
// deletes such a file.
type FormatError struct {
	Path    string
	Format  string // what its meta says
	Version int
}

func (e *FormatError) Error() string {
	if e.Format != CheckpointFormat {
		return fmt.Sprintf("train: checkpoint %s: meta says format %q, want %q: it is not a checkpoint of this package; "+
			"it is left as it is: move it away, or use another directory", e.Path, e.Format, CheckpointFormat)
	}
	which := "a newer"
	if e.Version < CheckpointVersion {
		which = "an older"
	}
	return fmt.Sprintf("train: checkpoint %s has format version %d and this code reads version %d (it was written by %s "+
		"version of this package): it is left as it is; continue that run with the code that wrote it, or use another directory",
		e.Path, e.Version, CheckpointVersion, which)
}

// configDiff lists the fields where a (the checkpoint's) and b (the trainer's) differ.
func configDiff(prefix string, a, b reflect.Value) []string {
	return configDiffNamed(prefix, "checkpoint", "trainer", a, b)
}

// configDiffNamed lists the fields where a and b differ, calling their values aName and bName:
// "model.HiddenSize: checkpoint 16, trainer 8".
func configDiffNamed(prefix, aName, bName string, a, b reflect.Value) []string {
	if a.Kind() == reflect.Struct {
		var out []string
		for i := range a.NumField() {
			out = append(out, configDiffNamed(prefix+"."+a.Type().Field(i).Name, aName, bName, a.Field(i), b.Field(i))...)
		}
		return out
	}
	if a.Interface() != b.Interface() {
		return []string{fmt.Sprintf("%s: %s %v, %s %v", prefix, aName, a.Interface(), bName, b.Interface())}
	}
	return nil
}

// restored is a validated checkpoint, not yet applied to the Trainer.
type restored struct {
	pos, updates int
	params       []*tensors.Tensor
	state        []*tensors.Tensor
	hist         *History
}

// LoadCheckpoint loads the checkpoint at path into the Trainer (parameters, optimizer state,
// update count, position and history) after validating all of it; on error the Trainer is
// unchanged. It returns the restored history (the one that Run appends to) and position.
func (t *Trainer) LoadCheckpoint(path string) (*History, int, error) {
	r, err := t.readCheckpoint(path)
	if err != nil {
		return nil, 0, err
	}
	if err := t.Model.SetParams(r.params); err != nil {
		return nil, 0, err
	}
	t.state = r.state
	t.step = r.updates
	ls := t.loop()
	ls.next, ls.hist, ls.bad = r.pos, r.hist, nil
	return r.hist, r.pos, nil
}

// Resume loads the newest usable checkpoint of dir (see LoadCheckpoint). A checkpoint that
// cannot be read or fails validation (truncated, corrupt, garbage values) is reported on
// Warnings, naming the file and the reason, and the previous one is tried; the skipped files
// are deleted once the resumed Run has written a good checkpoint. It fails when dir has no
// checkpoint (an error wrapping ErrNoCheckpoint), when none is usable, or at once on a
// checkpoint written for another configuration (a *ConfigMismatchError) or in a format this
// code does not read (a *FormatError, e.g. by a newer version): those files are never deleted.
//
// Then Run continues from the returned position with the same data order, optimizer moments
// and update counter, and appends to the returned history.
func (t *Trainer) Resume(dir string) (*History, int, error) {
	files, err := listCheckpoints(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("train: resume: %w", err)
	}
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("train: resume: %w in %s (files ckpt-<position>.npz)", ErrNoCheckpoint, dir)
	}
	var bad, reasons []string
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		h, pos, err := t.LoadCheckpoint(f.path)
		if err == nil {
			if len(bad) > 0 {
				fmt.Fprintf(Warnings, "train: resume: resuming from %s (position %d)\n", f.path, pos)
				t.loop().bad = bad
			}
			return h, pos, nil
		}
		var mismatch *ConfigMismatchError
		var format *FormatError
		if errors.As(err, &mismatch) || errors.As(err, &format) {
			return nil, 0, err
		}
		bad = append(bad, f.path)
		reasons = append(reasons, err.Error())
		next := "no older checkpoint is left"
		if i > 0 {
			next = "falling back to " + filepath.Base(files[i-1].path)
		}
		fmt.Fprintf(Warnings, "train: resume: skipping an unusable checkpoint: %v; %s\n", err, next)
	}
	return nil, 0, fmt.Errorf("train: resume: none of the %d checkpoints in %s is usable:\n  %s",
		len(files), dir, strings.Join(reasons, "\n  "))
}
