package train

import (
	"archive/zip"
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// Bad inputs to the public API of package train (issue 27, the items that live here): each gets
// an error that says what was wrong and what was expected; none panics, none gives a silent
// result, and none damages a file that was good before.

const badV = 5 // the vocabulary of the character model of these tests

// badFixture is what the cases poke at: a character model (V = 5) and a sine model, each with a
// Trainer, and a valid batch for each.
type badFixture struct {
	char, sine    *Trainer
	ids, nextIDs  *tensors.Tensor // [2, 3] int32
	sineX, sineY  *tensors.Tensor // [2, 3, 1] float32
	charPredictor *Predictor
}

func newBadFixture(t *testing.T) *badFixture {
	b := testBackend(t)
	cm, err := NewModel(ModelConfig{Kind: GRU, InputSize: badV, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: badV, Loss: CrossEntropy}, 1)
	require.NoError(t, err)
	char, err := New(b, cm, Config{Optimizer: Adam, LearningRate: 0.01})
	require.NoError(t, err)
	sm, err := NewModel(sineConfig(GRU, MSE, dtypes.Float32), 1)
	require.NoError(t, err)
	sine, err := New(b, sm, Config{Optimizer: Adam, LearningRate: 0.01})
	require.NoError(t, err)
	cp, err := NewPredictor(b, cm)
	require.NoError(t, err)
	f := &badFixture{char: char, sine: sine, charPredictor: cp,
		ids:     tensors.FromFlatDataAndDimensions([]int32{0, 1, 2, 3, 4, 0}, 2, 3),
		nextIDs: tensors.FromFlatDataAndDimensions([]int32{1, 2, 3, 4, 0, 1}, 2, 3),
		sineX:   tensors.FromFlatDataAndDimensions([]float32{0, 0.1, 0.2, 0.3, 0.4, 0.5}, 2, 3, 1),
		sineY:   tensors.FromFlatDataAndDimensions([]float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3, 1),
	}
	return f
}

func idsTensor(ids ...int32) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(ids, 2, len(ids)/2)
}

// poisoned returns a fresh sine model (GRU) whose weight_hh_l0[0] is NaN.
func poisoned(t *testing.T) *Model {
	m, err := NewModel(sineConfig(GRU, MSE, dtypes.Float32), 1)
	require.NoError(t, err)
	setElem(m.Params()[1], 0, math.NaN())
	return m
}

// noPanic runs f and turns a panic into a test failure (so that one panicking case does not
// hide the others).
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}

// TestBadInputs: each bad input gets an error containing want (and no panic).
func TestBadInputs(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, f *badFixture) error
		want string
	}{
		// Item 5: token ids outside [0, V) scored zero loss.
		{"Evaluate: x holds id V", func(t *testing.T, f *badFixture) error {
			_, err := f.char.Evaluate(idsTensor(0, 1, badV, 3, 4, 0), f.nextIDs)
			return err
		}, "outside the vocabulary [0, 5)"},
		{"Evaluate: y holds id -1", func(t *testing.T, f *badFixture) error {
			_, err := f.char.Evaluate(f.ids, idsTensor(1, 2, 3, 4, -1, 1))
			return err
		}, "outside the vocabulary [0, 5)"},
		{"Step: x holds id 26", func(t *testing.T, f *badFixture) error {
			_, err := f.char.Step(idsTensor(0, 1, 26, 3, 4, 0), f.nextIDs)
			return err
		}, "outside the vocabulary [0, 5)"},
		{"Perplexity: y holds id 7", func(t *testing.T, f *badFixture) error {
			_, err := f.charPredictor.Perplexity([]tasks.TokenBatch{{X: []int32{0, 1, 2, 3}, Y: []int32{1, 2, 7, 4}, BatchSize: 2, SeqLen: 2}})
			return err
		}, "outside the vocabulary [0, 5)"},
		{"Forward: x holds id 5", func(t *testing.T, f *badFixture) error {
			_, _, _, err := f.charPredictor.Forward(idsTensor(0, 5), nil, nil)
			return err
		}, "outside the vocabulary [0, 5)"},

		// Item 6: hyperparameters that are not finite (or round to 0 or 1) in the model's dtype.
		{"New: learning rate 1e39 on float32", func(t *testing.T, f *badFixture) error {
			_, err := New(testBackend(t), f.sine.Model, Config{Optimizer: SGD, LearningRate: 1e39})
			return err
		}, "float32"},
		{"New: learning rate 1e-50 is 0 in float32", func(t *testing.T, f *badFixture) error {
			_, err := New(testBackend(t), f.sine.Model, Config{Optimizer: SGD, LearningRate: 1e-50})
			return err
		}, "float32"},
		{"New: beta2 1-1e-10 is 1 in float32", func(t *testing.T, f *badFixture) error {
			_, err := New(testBackend(t), f.sine.Model, Config{Optimizer: Adam, LearningRate: 0.1, Beta2: 1 - 1e-10})
			return err
		}, "float32"},

		// Item 7: NaN in inference.
		{"Forward: NaN weight", func(t *testing.T, f *badFixture) error {
			p, err := NewPredictor(testBackend(t), poisoned(t))
			require.NoError(t, err)
			_, _, _, err = p.Forward(f.sineX, nil, nil)
			return err
		}, "not finite"},
		{"Evaluate: NaN weight", func(t *testing.T, f *badFixture) error {
			p, err := NewPredictor(testBackend(t), poisoned(t))
			require.NoError(t, err)
			_, err = p.Evaluate(f.sineX, f.sineY)
			return err
		}, "not finite"},
		{"Forward: NaN in x", func(t *testing.T, f *badFixture) error {
			_, _, _, err := f.sine.Forward(tensors.FromFlatDataAndDimensions([]float32{0, float32(math.NaN())}, 1, 2, 1), nil, nil)
			return err
		}, "not finite"},
		{"Evaluate: Inf in y", func(t *testing.T, f *badFixture) error {
			y := tensors.FromFlatDataAndDimensions([]float32{0.1, 0.2, float32(math.Inf(1)), 0.4, 0.5, 0.6}, 2, 3, 1)
			_, err := f.sine.Evaluate(f.sineX, y)
			return err
		}, "not finite"},
		{"Forward: NaN in h0", func(t *testing.T, f *badFixture) error {
			h0 := tensors.FromFlatDataAndDimensions(make([]float32, 8), 1, 2, 4)
			setElem(h0, 3, math.NaN())
			_, _, _, err := f.sine.Forward(f.sineX, h0, nil)
			return err
		}, "not finite"},

		// Item 11: SaveModel refuses what LoadModel would refuse.
		{"SaveModel: NaN weight", func(t *testing.T, f *badFixture) error {
			path := filepath.Join(t.TempDir(), "m.npz")
			err := SaveModel(path, poisoned(t))
			require.NoFileExists(t, path)
			return err
		}, "not finite"},
		{"SaveModel: Config changed after NewModel", func(t *testing.T, f *badFixture) error {
			m, err := NewModel(sineConfig(GRU, MSE, dtypes.Float32), 1)
			require.NoError(t, err)
			m.Config.HiddenSize = 5
			path := filepath.Join(t.TempDir(), "m.npz")
			err = SaveModel(path, m)
			require.NoFileExists(t, path)
			return err
		}, "changed after"},

		{"Step: Config changed after New", func(t *testing.T, f *badFixture) error {
			m, err := NewModel(sineConfig(GRU, MSE, dtypes.Float32), 1)
			require.NoError(t, err)
			tr, err := New(testBackend(t), m, Config{Optimizer: Adam, LearningRate: 0.01})
			require.NoError(t, err)
			m.Config.NumLayers = 2
			_, err = tr.Step(f.sineX, f.sineY)
			return err
		}, "changed after"},

		// Item 12: Forward ignored a c0 given to a GRU.
		{"Forward: c0 given to a GRU", func(t *testing.T, f *badFixture) error {
			c0 := tensors.FromFlatDataAndDimensions(make([]float32, 8), 1, 2, 4)
			_, _, _, err := f.sine.Forward(f.sineX, nil, c0)
			return err
		}, "no cell state"},
		{"Forward: h0 for another batch size", func(t *testing.T, f *badFixture) error {
			h0 := tensors.FromFlatDataAndDimensions(make([]float32, 12), 1, 3, 4)
			_, _, _, err := f.sine.Forward(f.sineX, h0, nil)
			return err
		}, "h0 has shape"},

		// Item 14: an over-budget file: the error names what exists to raise.
		{"LoadModel: a member declaring 1 TiB", func(t *testing.T, f *badFixture) error {
			path := filepath.Join(t.TempDir(), "huge.npz")
			writeHugeDeclaredNPZ(t, path)
			_, err := LoadModel(path)
			require.Error(t, err)
			require.NotContains(t, err.Error(), "WithMaxBytes", "LoadModel has no such option")
			return err
		}, "Limits.Params"},

		// Item 18: sizes within MaxParams that would build an enormous graph or activations.
		{"NewModel: a million layers", func(t *testing.T, f *badFixture) error {
			_, err := NewModel(ModelConfig{Kind: RNNTanh, InputSize: 1, HiddenSize: 1, NumLayers: 1_000_000,
				DType: dtypes.Float32, OutputSize: 1, Loss: MSE}, 1)
			return err
		}, "Limits.GraphNodes"},
		{"Step: 20000 time steps", func(t *testing.T, f *badFixture) error {
			const T = 20000
			x := tensors.FromFlatDataAndDimensions(make([]float32, T), 1, T, 1)
			y := tensors.FromFlatDataAndDimensions(make([]float32, T), 1, T, 1)
			_, err := f.sine.Step(x, y)
			return err
		}, "Limits.GraphNodes"},
		{"Step: activations of 64 × 1024 steps × 512 units", func(t *testing.T, f *badFixture) error {
			m, err := NewModel(ModelConfig{Kind: GRU, InputSize: 1, HiddenSize: 512, NumLayers: 1, DType: dtypes.Float32,
				OutputSize: 1, Loss: MSE}, 1)
			require.NoError(t, err)
			tr, err := New(testBackend(t), m, Config{Optimizer: Adam, LearningRate: 0.01})
			require.NoError(t, err)
			const B, T = 64, 1024
			x := tensors.FromFlatDataAndDimensions(make([]float32, B*T), B, T, 1)
			_, err = tr.Step(x, x)
			return err
		}, "Limits.ActivationBytes"},

		// Item 20: Sample with n = -1 panicked.
		{"Sample: n = -1", func(t *testing.T, f *badFixture) error {
			_, err := f.charPredictor.Sample([]int32{1}, -1, 1, 1)
			return err
		}, "number of tokens"},

		// Item 21: Perplexity with negative sizes panicked.
		{"Perplexity: BatchSize -1, SeqLen -2", func(t *testing.T, f *badFixture) error {
			_, err := f.charPredictor.Perplexity([]tasks.TokenBatch{{X: []int32{0, 1}, Y: []int32{1, 2}, BatchSize: -1, SeqLen: -2}})
			return err
		}, "BatchSize"},

		// Item 22: nil batch tensors panicked.
		{"Evaluate(x, nil)", func(t *testing.T, f *badFixture) error {
			_, err := f.sine.Evaluate(f.sineX, nil)
			return err
		}, "y is nil"},
		{"Evaluate(nil, y)", func(t *testing.T, f *badFixture) error {
			_, err := f.sine.Evaluate(nil, f.sineY)
			return err
		}, "x is nil"},
		{"Step(x, nil)", func(t *testing.T, f *badFixture) error {
			_, err := f.sine.Step(f.sineX, nil)
			return err
		}, "y is nil"},
		{"Step(nil, y)", func(t *testing.T, f *badFixture) error {
			_, err := f.sine.Step(nil, f.sineY)
			return err
		}, "x is nil"},
		{"Forward(nil, nil, nil)", func(t *testing.T, f *badFixture) error {
			_, _, _, err := f.sine.Forward(nil, nil, nil)
			return err
		}, "x is nil"},
		{"Compile(nil, y)", func(t *testing.T, f *badFixture) error {
			return f.sine.Compile(nil, f.sineY)
		}, "x is nil"},
	}
	f := newBadFixture(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := noPanic(t, func() error { return c.run(t, f) })
			require.Error(t, err)
			t.Log(err)
			require.ErrorContains(t, err, c.want)
		})
	}
	require.Zero(t, f.sine.Steps()+f.char.Steps(), "no bad input trained anything")
}

// writeHugeDeclaredNPZ writes a tiny .npz whose only member declares 1 TiB of data: a file over
// any read budget, without the bytes.
func writeHugeDeclaredNPZ(t *testing.T, path string) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "weight_ih_l0.npy", Method: zip.Store,
		CompressedSize64: 1 << 40, UncompressedSize64: 1 << 40})
	require.NoError(t, err)
	_, err = w.Write([]byte("\x93NUMPY"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
}

// snapshot reads every file of dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = b
	}
	return out
}

// requireIntact requires every file of before to be in dir, byte for byte.
func requireIntact(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	for name, want := range before {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, "%s was removed", name)
		require.True(t, bytes.Equal(want, got), "%s was changed", name)
	}
}

// setCheckpointVersion rewrites the checkpoint at path as if another version of this code had
// written it (with a field this version does not know).
func setCheckpointVersion(t *testing.T, path string, version int) {
	f, err := npz.ReadFile(path)
	require.NoError(t, err)
	arrays := f.Arrays()
	for _, a := range arrays {
		if a.Name == "meta" {
			old := `"version":2,`
			require.Contains(t, a.Str, old)
			a.Str = strings.Replace(a.Str, old, `"version":`+strconv.Itoa(version)+`,"dropout":0.1,`, 1)
		}
	}
	require.NoError(t, npz.WriteFile(path, arrays...))
}

// TestCheckpointDirNeverLosesFiles: a checkpoint directory that holds what this Trainer must not
// touch (another configuration's run, a checkpoint of a newer format) is refused, and every file
// that was there stays byte for byte.
func TestCheckpointDirNeverLosesFiles(t *testing.T) {
	// Run A: H = 8, checkpoints at positions 2, 4 and 6.
	runA := func(t *testing.T) string {
		dir := t.TempDir()
		tr, cfg := loopTrainer(t, 1, 2, 6)
		cfg.CheckpointDir, cfg.CheckpointEvery = dir, 2
		_, err := tr.Run(context.Background(), cfg)
		require.NoError(t, err)
		return dir
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, dir string)
		// run does what a user would, and returns the error that must refuse the directory.
		run  func(t *testing.T, dir string) error
		want string
	}{
		{"item 1: another configuration's checkpoints below the position", nil, func(t *testing.T, dir string) error {
			mc := loopModelConfig()
			mc.HiddenSize = 4
			m, err := NewModel(mc, 1)
			require.NoError(t, err)
			tr, err := New(testBackend(t), m, loopTrainConfig)
			require.NoError(t, err)
			_, cfg := loopTrainer(t, 1, 2, 6)
			_, err = tr.Run(context.Background(), cfg) // 6 batches, no checkpoints
			require.NoError(t, err)
			cfg.Steps, cfg.CheckpointDir, cfg.CheckpointEvery = 9, dir, 1
			_, err = tr.Run(context.Background(), cfg)
			require.Equal(t, 6, tr.Position(), "nothing trained")
			return err
		}, "another configuration"},
		{"item 3: the newest checkpoint is of a newer format", func(t *testing.T, dir string) {
			setCheckpointVersion(t, checkpointPath(dir, 6), 3)
		}, func(t *testing.T, dir string) error {
			captureWarnings(t)
			tr, cfg := loopTrainer(t, 1, 2, 8)
			_, _, resumeErr := tr.Resume(dir)
			cfg.CheckpointDir, cfg.CheckpointEvery = dir, 1
			_, runErr := tr.Run(context.Background(), cfg)
			require.Error(t, runErr, "Run must refuse the directory too")
			return resumeErr
		}, "version 3"},
		{"item 3: an older checkpoint is of a newer format", func(t *testing.T, dir string) {
			setCheckpointVersion(t, checkpointPath(dir, 2), 3)
		}, func(t *testing.T, dir string) error {
			tr, cfg := loopTrainer(t, 1, 2, 9)
			_, pos, err := tr.Resume(dir)
			require.NoError(t, err)
			require.Equal(t, 6, pos)
			cfg.CheckpointDir, cfg.CheckpointEvery = dir, 1
			_, err = tr.Run(context.Background(), cfg)
			return err
		}, "version 3"},
		{"a checkpoint that cannot be read, below the resumed one", func(t *testing.T, dir string) {
			truncateFile(t, checkpointPath(dir, 2))
		}, func(t *testing.T, dir string) error {
			tr, cfg := loopTrainer(t, 1, 2, 9)
			_, pos, err := tr.Resume(dir)
			require.NoError(t, err)
			require.Equal(t, 6, pos)
			cfg.CheckpointDir, cfg.CheckpointEvery = dir, 1
			_, err = tr.Run(context.Background(), cfg)
			return err
		}, "never deletes a file it cannot read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := runA(t)
			if c.prepare != nil {
				c.prepare(t, dir)
			}
			before := snapshot(t, dir)
			err := noPanic(t, func() error { return c.run(t, dir) })
			require.Error(t, err)
			t.Log(err)
			require.ErrorContains(t, err, c.want)
			requireIntact(t, dir, before)
		})
	}
	t.Run("item 1: run A still resumes", func(t *testing.T) {
		dir := runA(t)
		mc := loopModelConfig()
		mc.HiddenSize = 4
		m, err := NewModel(mc, 1)
		require.NoError(t, err)
		tr, err := New(testBackend(t), m, loopTrainConfig)
		require.NoError(t, err)
		_, cfg := loopTrainer(t, 1, 2, 6)
		_, err = tr.Run(context.Background(), cfg)
		require.NoError(t, err)
		cfg.Steps, cfg.CheckpointDir, cfg.CheckpointEvery = 9, dir, 1
		_, err = tr.Run(context.Background(), cfg)
		require.Error(t, err)
		a, _ := loopTrainer(t, 1, 2, 6)
		_, pos, err := a.Resume(dir)
		require.NoError(t, err)
		require.Equal(t, 6, pos)
	})
}
