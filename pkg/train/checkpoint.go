package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
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
	CheckpointVersion = 1
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

// prepareCheckpointDir creates dir, removes the temporary files of killed checkpoint writes
// and refuses a directory holding checkpoints beyond start (other than the unusable ones that
// Resume skipped), which belong to another run.
func prepareCheckpointDir(dir string, start int, bad []string) error {
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
		if f.pos > start && !slices.Contains(bad, f.path) {
			return fmt.Errorf("train: checkpoint directory %s already holds %s, beyond this run's position %d: "+
				"continue that run with Trainer.Resume, or choose another directory", dir, filepath.Base(files[len(files)-1].path), start)
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

func tensorArray(name string, t *tensors.Tensor) (*npz.Array, error) {
	dims := t.Shape().Dimensions
	switch t.DType() {
	case dtypes.Float32:
		return npz.NewFloat32(name, tensors.MustCopyFlatData[float32](t), dims...), nil
	case dtypes.Float64:
		return npz.NewFloat64(name, tensors.MustCopyFlatData[float64](t), dims...), nil
	}
	return nil, fmt.Errorf("train: checkpoint: %s has dtype %s, want Float32 or Float64", name, t.DType())
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
	arrays := []*npz.Array{
		npz.NewString("meta", meta),
		{Name: "batch", DType: npz.Int64, Shape: []int{}, I64: []int64{int64(pos)}}, // 0-d
		{Name: "updates", DType: npz.Int64, Shape: []int{}, I64: []int64{int64(t.step)}},
	}
	names := t.Model.ParamNames()
	for i, p := range t.Model.Params() {
		a, err := tensorArray(names[i], p)
		if err != nil {
			return nil, err
		}
		arrays = append(arrays, a)
	}
	P := len(names)
	for j, s := range t.state {
		a, err := tensorArray(slotName(j/P, names[j%P]), s)
		if err != nil {
			return nil, err
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
	Differences []string // "model.Cell.HiddenSize: checkpoint 16, trainer 8"
}

func (e *ConfigMismatchError) Error() string {
	return fmt.Sprintf("train: checkpoint %s was written for another configuration (%s); "+
		"build the Trainer with the checkpoint's configuration, or start a new run in another directory",
		e.Path, strings.Join(e.Differences, "; "))
}

// configDiff lists the fields where a (the checkpoint's) and b (the trainer's) differ.
func configDiff(prefix string, a, b reflect.Value) []string {
	if a.Kind() == reflect.Struct {
		var out []string
		for i := range a.NumField() {
			out = append(out, configDiff(prefix+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))...)
		}
		return out
	}
	if a.Interface() != b.Interface() {
		return []string{fmt.Sprintf("%s: checkpoint %v, trainer %v", prefix, a.Interface(), b.Interface())}
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
// checkpoint written for another configuration (a *ConfigMismatchError).
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
		if errors.As(err, &mismatch) {
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

// readCheckpoint reads and validates a checkpoint for this Trainer.
func (t *Trainer) readCheckpoint(path string) (*restored, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("train: checkpoint %s: %s", path, fmt.Sprintf(format, args...))
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	// The budget: parameters and optimizer state, plus room for a long history.
	item := int64(t.Model.Config.Cell.DType.Size())
	budget := int64(t.Model.NumParams())*item*int64(1+t.cfg.slots()) + 1<<30
	f, err := npz.Read(fh, st.Size(), npz.WithMaxBytes(budget))
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint %s cannot be read: %w", path, err)
	}
	metaJSON, err := f.String("meta")
	if err != nil {
		return nil, fail("%v", err)
	}
	var meta checkpointMeta
	dec := json.NewDecoder(bytes.NewReader([]byte(metaJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, fail("meta is not a checkpoint description: %v", err)
	}
	if meta.Format != CheckpointFormat {
		return nil, fail("meta says format %q, want %q", meta.Format, CheckpointFormat)
	}
	if meta.Version != CheckpointVersion {
		return nil, fail("format version %d, this code reads version %d", meta.Version, CheckpointVersion)
	}
	diff := configDiff("model", reflect.ValueOf(meta.Model), reflect.ValueOf(t.Model.Config))
	diff = append(diff, configDiff("train", reflect.ValueOf(meta.Train), reflect.ValueOf(t.cfg))...)
	if len(diff) > 0 {
		return nil, &ConfigMismatchError{Path: path, Differences: diff}
	}
	names := t.Model.ParamNames()
	if !slices.Equal(meta.Params, names) {
		return nil, fail("parameters %v, want %v", meta.Params, names)
	}
	slots := t.cfg.slots()
	if meta.OptimizerSlots != slots {
		return nil, fail("%d optimizer slots, want %d", meta.OptimizerSlots, slots)
	}
	if !slices.IsSorted(meta.EvalMetrics) || len(slices.Compact(slices.Clone(meta.EvalMetrics))) != len(meta.EvalMetrics) {
		return nil, fail("eval metric names %q are not sorted and unique", meta.EvalMetrics)
	}

	// Exactly the expected arrays.
	want := []string{"meta", "batch", "updates"}
	want = append(want, names...)
	for s := range slots {
		for _, n := range names {
			want = append(want, slotName(s, n))
		}
	}
	want = append(want, "history.batch", "history.loss", "history.grad_norm",
		"history.eval_batch", "history.eval_value", "history.eval_present")
	have := f.Names()
	var missing, extra []string
	for _, n := range want {
		if !slices.Contains(have, n) {
			missing = append(missing, n)
		}
	}
	for _, n := range have {
		if !slices.Contains(want, n) {
			extra = append(extra, n)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		return nil, fail("arrays missing %q, unexpected %q", missing, extra)
	}

	scalar := func(name string) (int, error) {
		v, shape, err := f.Int64(name)
		if err != nil {
			return 0, fail("%v", err)
		}
		if len(shape) != 0 || v[0] < 0 || v[0] > math.MaxInt32 {
			return 0, fail("%s must be a 0-d integer in [0, 2^31), got shape %v values %v", name, shape, v)
		}
		return int(v[0]), nil
	}
	r := &restored{}
	if r.pos, err = scalar("batch"); err != nil {
		return nil, err
	}
	if r.updates, err = scalar("updates"); err != nil {
		return nil, err
	}
	if m := checkpointName.FindStringSubmatch(filepath.Base(path)); m != nil {
		if n, _ := strconv.Atoi(m[1]); n != r.pos {
			return nil, fail("its name says position %d but it holds position %d", n, r.pos)
		}
	}
	if r.updates < r.pos {
		return nil, fail("%d updates for %d batches: every batch makes at least one update", r.updates, r.pos)
	}

	// Parameters and optimizer state: dtype, shape, finite.
	params := t.Model.Params()
	load := func(name string, like *tensors.Tensor) (*tensors.Tensor, error) {
		a, err := f.Get(name)
		if err != nil {
			return nil, fail("%v", err)
		}
		dims := like.Shape().Dimensions
		if !slices.Equal(a.Shape, dims) {
			return nil, fail("%s has shape %v, want %v", name, a.Shape, dims)
		}
		var out *tensors.Tensor
		bad := -1
		switch like.DType() {
		case dtypes.Float32:
			if a.DType != npz.Float32 {
				break
			}
			for i, v := range a.F32 {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					bad = i
					break
				}
			}
			out = tensors.FromFlatDataAndDimensions(a.F32, dims...)
		case dtypes.Float64:
			if a.DType != npz.Float64 {
				break
			}
			for i, v := range a.F64 {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					bad = i
					break
				}
			}
			out = tensors.FromFlatDataAndDimensions(a.F64, dims...)
		}
		if out == nil {
			return nil, fail("%s has dtype %s, want %s", name, a.DType, strings.ToLower(like.DType().String()))
		}
		if bad >= 0 {
			return nil, fail("%s has a non-finite value at flat index %d", name, bad)
		}
		return out, nil
	}
	for i, n := range names {
		p, err := load(n, params[i])
		if err != nil {
			return nil, err
		}
		r.params = append(r.params, p)
	}
	for s := range slots {
		for i, n := range names {
			st, err := load(slotName(s, n), params[i])
			if err != nil {
				return nil, err
			}
			r.state = append(r.state, st)
		}
	}

	// History.
	hb, hbShape, err := f.Int64("history.batch")
	if err != nil {
		return nil, fail("%v", err)
	}
	N := len(hb)
	loss, _, err := f.Float64("history.loss", N)
	if err != nil {
		return nil, fail("%v", err)
	}
	gn, _, err := f.Float64("history.grad_norm", N)
	if err != nil {
		return nil, fail("%v", err)
	}
	if len(hbShape) != 1 {
		return nil, fail("history.batch has shape %v, want 1-d", hbShape)
	}
	h := &History{Batch: make([]int, N), Loss: loss, GradNorm: gn}
	for k, b := range hb {
		if b < 0 || b >= int64(r.pos) || k > 0 && b <= hb[k-1] {
			return nil, fail("history.batch[%d] = %d: want increasing batch indices below the position %d", k, b, r.pos)
		}
		h.Batch[k] = int(b)
		if math.IsNaN(loss[k]) || math.IsInf(loss[k], 0) || !(gn[k] >= 0) || math.IsInf(gn[k], 0) {
			return nil, fail("history entry %d: loss %v, gradient norm %v, want finite values", k, loss[k], gn[k])
		}
	}
	eb, ebShape, err := f.Int64("history.eval_batch")
	if err != nil {
		return nil, fail("%v", err)
	}
	E, M := len(eb), len(meta.EvalMetrics)
	if len(ebShape) != 1 {
		return nil, fail("history.eval_batch has shape %v, want 1-d", ebShape)
	}
	va, err := f.Get("history.eval_value")
	if err != nil {
		return nil, fail("%v", err)
	}
	pres, presShape, err := f.Int64("history.eval_present")
	if err != nil {
		return nil, fail("%v", err)
	}
	if va.DType != npz.Float64 || !slices.Equal(va.Shape, []int{E, M}) || !slices.Equal(presShape, []int{E, M}) {
		return nil, fail("history.eval_value (%s %v) and history.eval_present (%v) must be [%d, %d], float64 and bool",
			va.DType, va.Shape, presShape, E, M)
	}
	ev := va.F64
	for e, b := range eb {
		if b < 0 || b > int64(r.pos) || e > 0 && b < eb[e-1] {
			return nil, fail("history.eval_batch[%d] = %d: want non-decreasing positions up to %d", e, b, r.pos)
		}
		m := map[string]float64{}
		for j, k := range meta.EvalMetrics {
			switch pres[e*M+j] {
			case 1:
				m[k] = ev[e*M+j]
			case 0:
			default:
				return nil, fail("history.eval_present[%d, %d] = %d, want 0 or 1", e, j, pres[e*M+j])
			}
		}
		h.Evals = append(h.Evals, Evaluation{Batch: int(b), Metrics: m})
	}
	r.hist = h
	return r, nil
}
