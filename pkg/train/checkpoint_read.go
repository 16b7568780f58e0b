package train

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/tensornpz"
)

// Reading a checkpoint trusts nothing (the format is in checkpoint.go). Each function below
// decodes one part and says what is wrong with it: the meta and configurations, the set of
// arrays, the position counters, the parameters and optimizer state, the history.

// readCheckpoint reads and validates a checkpoint for this Trainer. Its meta is read and
// checked first, alone: a checkpoint of another format version or configuration is reported as
// such (a *FormatError or *ConfigMismatchError, with its Path) even when the rest of the file
// is something this code cannot decode.
func (t *Trainer) readCheckpoint(path string) (*restored, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("train: checkpoint %s: %s", path, fmt.Sprintf(format, args...))
	}
	if err := t.checkMetaOf(path); err != nil {
		return nil, err
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
	item := int64(t.Model.Config.DType.Size())
	budget := int64(t.Model.NumParams())*item*int64(1+t.cfg.slots()) + 1<<30
	f, err := npz.Read(fh, st.Size(), npz.WithMaxBytes(budget))
	if msg, over := npzBudget(err); over {
		return nil, fmt.Errorf("train: checkpoint %s holds more than a checkpoint of this model and optimizer can: %s", path, msg)
	}
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint %s cannot be read: %w", path, err)
	}
	meta, err := t.checkMeta(f)
	if err != nil {
		return nil, withPath(err, path)
	}
	if err := t.checkArrayNames(f); err != nil {
		return nil, fail("%v", err)
	}
	r := &restored{}
	if r.pos, r.updates, err = readPosition(f, path); err != nil {
		return nil, fail("%v", err)
	}
	if r.params, err = readModelParams(f, t.Model.Config); err != nil {
		return nil, fail("%v", err)
	}
	if r.state, err = t.readOptimizerState(f); err != nil {
		return nil, fail("%v", err)
	}
	if r.hist, err = readHistory(f, r.pos, meta.EvalMetrics); err != nil {
		return nil, fail("%v", err)
	}
	return r, nil
}

// metaBudget bounds the meta of a checkpoint (a JSON text of a few KiB).
const metaBudget = 1 << 20

// readMetaOnly reads the meta array of the .npz file at path and nothing else (the parameters
// may be large, or in a layout of another version): it copies that one zip member, as stored,
// into a small archive in memory and decodes it with package npz, which checks it as usual.
func readMetaOnly(path string) (*npz.File, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("npz: not a valid zip archive (a .npz file is one): %w", err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if zf.Name != "meta.npy" {
			continue
		}
		if zf.UncompressedSize64 > metaBudget || zf.CompressedSize64 > metaBudget {
			return nil, fmt.Errorf("meta declares %d bytes, want at most %d", zf.UncompressedSize64, metaBudget)
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		if err := zw.Copy(zf); err != nil {
			return nil, fmt.Errorf("meta: %w", err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("meta: %w", err)
		}
		return npz.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), npz.WithMaxBytes(2*metaBudget))
	}
	return nil, errors.New(`it has no "meta" array: not a checkpoint`)
}

// checkMetaOf reads the meta of the checkpoint at path alone and checks it with checkMeta;
// errors name the file.
func (t *Trainer) checkMetaOf(path string) error {
	f, err := readMetaOnly(path)
	if err != nil {
		return fmt.Errorf("train: checkpoint %s cannot be read: %w", path, err)
	}
	if _, err := t.checkMeta(f); err != nil {
		return withPath(err, path)
	}
	return nil
}

// withPath sets the Path of a *ConfigMismatchError or *FormatError, or names path in another error.
func withPath(err error, path string) error {
	var mismatch *ConfigMismatchError
	var format *FormatError
	switch {
	case errors.As(err, &mismatch):
		mismatch.Path = path
		return mismatch
	case errors.As(err, &format):
		format.Path = path
		return format
	}
	return fmt.Errorf("train: checkpoint %s: %v", path, err)
}

// checkMeta decodes the meta JSON and checks that it describes this Trainer's configuration
// (a *ConfigMismatchError otherwise) in this format (a *FormatError otherwise), without Path.
func (t *Trainer) checkMeta(f *npz.File) (*checkpointMeta, error) {
	metaJSON, err := f.String("meta")
	if err != nil {
		return nil, err
	}
	// The format and version first, leniently: a newer version may have fields this one lacks.
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal([]byte(metaJSON), &head); err != nil {
		return nil, fmt.Errorf("meta is not a checkpoint description: %v", err)
	}
	if head.Format != CheckpointFormat || head.Version != CheckpointVersion {
		return nil, &FormatError{Format: head.Format, Version: head.Version}
	}
	var meta checkpointMeta
	dec := json.NewDecoder(bytes.NewReader([]byte(metaJSON)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("meta is not a checkpoint description: %v", err)
	}
	diff := configDiff("model", reflect.ValueOf(meta.Model), reflect.ValueOf(t.Model.Config))
	diff = append(diff, configDiff("train", reflect.ValueOf(meta.Train), reflect.ValueOf(t.cfg))...)
	if len(diff) > 0 {
		return nil, &ConfigMismatchError{Differences: diff}
	}
	if names := t.Model.ParamNames(); !slices.Equal(meta.Params, names) {
		return nil, fmt.Errorf("parameters %v, want %v", meta.Params, names)
	}
	if slots := t.cfg.slots(); meta.OptimizerSlots != slots {
		return nil, fmt.Errorf("%d optimizer slots, want %d", meta.OptimizerSlots, slots)
	}
	if !slices.IsSorted(meta.EvalMetrics) || len(slices.Compact(slices.Clone(meta.EvalMetrics))) != len(meta.EvalMetrics) {
		return nil, fmt.Errorf("eval metric names %q are not sorted and unique", meta.EvalMetrics)
	}
	return &meta, nil
}

// checkArrayNames requires exactly the arrays of this Trainer's checkpoints.
func (t *Trainer) checkArrayNames(f *npz.File) error {
	names := t.Model.ParamNames()
	want := []string{"meta", "batch", "updates"}
	want = append(want, names...)
	for s := range t.cfg.slots() {
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
		return fmt.Errorf("arrays missing %q, unexpected %q", missing, extra)
	}
	return nil
}

// readPosition reads the position and update counters and checks them against the file name.
func readPosition(f *npz.File, path string) (pos, updates int, err error) {
	scalar := func(name string) (int, error) {
		v, shape, err := f.Int64(name)
		if err != nil {
			return 0, err
		}
		if len(shape) != 0 || v[0] < 0 || v[0] > math.MaxInt32 {
			return 0, fmt.Errorf("%s must be a 0-d integer in [0, 2^31), got shape %v values %v", name, shape, v)
		}
		return int(v[0]), nil
	}
	if pos, err = scalar("batch"); err != nil {
		return 0, 0, err
	}
	if updates, err = scalar("updates"); err != nil {
		return 0, 0, err
	}
	if m := checkpointName.FindStringSubmatch(filepath.Base(path)); m != nil {
		if n, _ := strconv.Atoi(m[1]); n != pos {
			return 0, 0, fmt.Errorf("its name says position %d but it holds position %d", n, pos)
		}
	}
	if updates < pos {
		return 0, 0, fmt.Errorf("%d updates for %d batches: every batch makes at least one update", updates, pos)
	}
	return pos, updates, nil
}

// readModelParams reads the parameters of a model of configuration c by name, with its dtype
// and shapes and finite values: the part that saved models and checkpoints share.
func readModelParams(f *npz.File, c ModelConfig) ([]*tensors.Tensor, error) {
	var out []*tensors.Tensor
	names, dims := c.paramNames(), c.paramShapes()
	for i := range names {
		t, err := tensornpz.Tensor(f, names[i], tensornpz.Want{DType: c.DType, Shape: dims[i], Finite: true})
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// readOptimizerState reads the optimizer slots, shaped like the parameters.
func (t *Trainer) readOptimizerState(f *npz.File) ([]*tensors.Tensor, error) {
	var out []*tensors.Tensor
	names, params := t.Model.ParamNames(), t.Model.Params()
	for s := range t.cfg.slots() {
		for i, n := range names {
			st, err := tensornpz.Tensor(f, slotName(s, n), tensornpz.Want{DType: params[i].DType(), Shape: params[i].Shape().Dimensions, Finite: true})
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
	}
	return out, nil
}

// readHistory reads the per-batch history and the evaluations, consistent with position pos.
func readHistory(f *npz.File, pos int, evalMetrics []string) (*History, error) {
	hb, hbShape, err := f.Int64("history.batch")
	if err != nil {
		return nil, err
	}
	if len(hbShape) != 1 {
		return nil, fmt.Errorf("history.batch has shape %v, want 1-d", hbShape)
	}
	N := len(hb)
	loss, _, err := f.Float64("history.loss", N)
	if err != nil {
		return nil, err
	}
	gn, _, err := f.Float64("history.grad_norm", N)
	if err != nil {
		return nil, err
	}
	h := &History{Batch: make([]int, N), Loss: loss, GradNorm: gn}
	for k, b := range hb {
		if b < 0 || b >= int64(pos) || k > 0 && b <= hb[k-1] {
			return nil, fmt.Errorf("history.batch[%d] = %d: want increasing batch indices below the position %d", k, b, pos)
		}
		h.Batch[k] = int(b)
		if math.IsNaN(loss[k]) || math.IsInf(loss[k], 0) || !(gn[k] >= 0) || math.IsInf(gn[k], 0) {
			return nil, fmt.Errorf("history entry %d: loss %v, gradient norm %v, want finite values", k, loss[k], gn[k])
		}
	}
	eb, ebShape, err := f.Int64("history.eval_batch")
	if err != nil {
		return nil, err
	}
	if len(ebShape) != 1 {
		return nil, fmt.Errorf("history.eval_batch has shape %v, want 1-d", ebShape)
	}
	E, M := len(eb), len(evalMetrics)
	va, err := f.Get("history.eval_value")
	if err != nil {
		return nil, err
	}
	pres, presShape, err := f.Int64("history.eval_present")
	if err != nil {
		return nil, err
	}
	if va.DType != npz.Float64 || !slices.Equal(va.Shape, []int{E, M}) || !slices.Equal(presShape, []int{E, M}) {
		return nil, fmt.Errorf("history.eval_value (%s %v) and history.eval_present (%v) must be [%d, %d], float64 and bool",
			va.DType, va.Shape, presShape, E, M)
	}
	for e, b := range eb {
		if b < 0 || b > int64(pos) || e > 0 && b < eb[e-1] {
			return nil, fmt.Errorf("history.eval_batch[%d] = %d: want non-decreasing positions up to %d", e, b, pos)
		}
		m := map[string]float64{}
		for j, k := range evalMetrics {
			switch pres[e*M+j] {
			case 1:
				m[k] = va.F64[e*M+j]
			case 0:
			default:
				return nil, fmt.Errorf("history.eval_present[%d, %d] = %d, want 0 or 1", e, j, pres[e*M+j])
			}
		}
		h.Evals = append(h.Evals, Evaluation{Batch: int(b), Metrics: m})
	}
	return h, nil
}
