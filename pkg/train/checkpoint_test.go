package train

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/require"
)

// Environment of TestHelperTrainProcess, the child process of the kill and SIGTERM tests.
const (
	helperDirEnv   = "RNN_TRAIN_HELPER_DIR"   // checkpoint directory; unset: not a child
	helperStepsEnv = "RNN_TRAIN_HELPER_STEPS" // LoopConfig.Steps
	helperEveryEnv = "RNN_TRAIN_HELPER_EVERY" // LoopConfig.CheckpointEvery
	helperDelayEnv = "RNN_TRAIN_HELPER_DELAY" // sleep after each batch, so that a signal lands mid-run
)

// TestHelperTrainProcess is not a test: it is the training process that TestKillAndResume and
// TestSIGTERMAndResume start (the test binary run again with -test.run) and then kill.
// It prints "position <n>" after each batch and the interruption error, if any.
func TestHelperTrainProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("the child process of TestKillAndResume and TestSIGTERMAndResume")
	}
	steps, err := strconv.Atoi(os.Getenv(helperStepsEnv))
	require.NoError(t, err)
	every, err := strconv.Atoi(os.Getenv(helperEveryEnv))
	require.NoError(t, err)
	delay, err := time.ParseDuration(os.Getenv(helperDelayEnv))
	require.NoError(t, err)
	ctx, stop := WithSignals(context.Background())
	defer stop()
	tr, cfg := loopTrainer(t, 1, 2, steps)
	cfg.CheckpointDir, cfg.CheckpointEvery = dir, every
	cfg.OnStep = func(i int, st Stats) {
		fmt.Printf("position %d\n", i+1)
		time.Sleep(delay)
	}
	_, err = tr.Run(ctx, cfg)
	if errors.Is(err, context.Canceled) {
		fmt.Println(err)
		return // a clean exit: the checkpoint is written
	}
	require.NoError(t, err)
}

// startHelper starts the training child process; its stdout comes back line by line.
func startHelper(t *testing.T, dir string, steps, every int, delay time.Duration) (*exec.Cmd, *bufio.Scanner, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTrainProcess$", "-test.timeout=120s")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperStepsEnv+"="+strconv.Itoa(steps),
		helperEveryEnv+"="+strconv.Itoa(every), helperDelayEnv+"="+delay.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, bufio.NewScanner(out), &stderr
}

// resumeAndFinish resumes a new Trainer (initialised with another seed: Resume must overwrite
// everything) from dir, trains to steps and returns the history and final parameters.
func resumeAndFinish(t *testing.T, dir string, steps int) (*History, [][]float32, int) {
	tr, cfg := loopTrainer(t, 77, 2, steps)
	cfg.CheckpointDir, cfg.CheckpointEvery = dir, 1
	_, pos, err := tr.Resume(dir)
	require.NoError(t, err)
	h, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	return h, flatParams(tr), pos
}

// TestKillAndResume: a training process killed with SIGKILL once k checkpoints are on disk is
// resumed in-process from its directory; the finished run equals a straight run bit for bit
// (loss trajectory and final weights).
func TestKillAndResume(t *testing.T) {
	const steps, k = 48, 4 // 44 steps x 20 ms of margin for the kill to land mid-run on a loaded machine
	wantH, wantP := straightRun(t, 1, 2, steps)
	dir := t.TempDir()
	start := time.Now()
	cmd, _, stderr := startHelper(t, dir, steps, 1, 20*time.Millisecond)
	for {
		files, _ := listCheckpoints(dir)
		if len(files) > 0 && files[len(files)-1].pos >= k {
			break
		}
		if time.Since(start) > 60*time.Second {
			t.Fatalf("no checkpoint %d after 60 s; child stderr:\n%s", k, stderr)
		}
		time.Sleep(2 * time.Millisecond)
	}
	require.NoError(t, cmd.Process.Kill())
	err := cmd.Wait()
	var exitErr *exec.ExitError
	require.True(t, errors.As(err, &exitErr), "want a killed process, got %v", err)
	files, err := listCheckpoints(dir)
	require.NoError(t, err)
	last := files[len(files)-1].pos
	require.Less(t, last, steps, "the kill must land mid-run")
	t.Logf("killed after %v with checkpoints up to position %d", time.Since(start).Round(time.Millisecond), last)

	gotH, gotP, pos := resumeAndFinish(t, dir, steps)
	require.Equal(t, last, pos)
	requireSameBits(t, wantH, gotH, wantP, gotP)
}

// TestSIGTERMAndResume: on SIGTERM the child finishes its batch, writes a checkpoint (off the
// CheckpointEvery schedule) and exits cleanly; resuming from it gives the straight run.
func TestSIGTERMAndResume(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows")
	}
	const steps, k = 48, 5
	wantH, wantP := straightRun(t, 1, 2, steps)
	dir := t.TempDir()
	cmd, lines, stderr := startHelper(t, dir, steps, 100, 20*time.Millisecond)
	var out []string
	for lines.Scan() {
		out = append(out, lines.Text())
		if lines.Text() == fmt.Sprintf("position %d", k) {
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		}
	}
	require.NoError(t, cmd.Wait(), "the child must exit cleanly; stderr:\n%s", stderr)
	all := strings.Join(out, "\n")
	require.Contains(t, all, "interrupted at position")
	require.Contains(t, all, "checkpoint written to")
	files, err := listCheckpoints(dir)
	require.NoError(t, err)
	require.Len(t, files, 1, "no scheduled checkpoint: the one written on SIGTERM")
	require.GreaterOrEqual(t, files[0].pos, k)
	require.Less(t, files[0].pos, steps)
	for _, l := range out {
		if strings.Contains(l, "interrupted") {
			t.Logf("child: %s", l)
		}
	}

	gotH, gotP, pos := resumeAndFinish(t, dir, steps)
	require.Equal(t, files[0].pos, pos)
	requireSameBits(t, wantH, gotH, wantP, gotP)
}

// captureWarnings redirects Warnings for the rest of the test.
func captureWarnings(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	old := Warnings
	Warnings = &buf
	t.Cleanup(func() { Warnings = old })
	return &buf
}

// checkpointedRun trains steps batches with a checkpoint after each (the last 3 kept).
func checkpointedRun(t *testing.T, steps int) string {
	dir := t.TempDir()
	tr, cfg := loopTrainer(t, 1, 2, steps)
	cfg.CheckpointDir, cfg.CheckpointEvery = dir, 1
	_, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	return dir
}

func truncateFile(t *testing.T, path string) {
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, st.Size()/2))
}

// flipBytes flips 16 bytes in the middle of the data of the file's largest zip member (an
// array's values: a flip in a local header's ignored fields would test nothing).
func flipBytes(t *testing.T, path string) {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	var largest *zip.File
	for _, f := range zr.File {
		if largest == nil || f.CompressedSize64 > largest.CompressedSize64 {
			largest = f
		}
	}
	off, err := largest.DataOffset()
	require.NoError(t, err)
	mid := off + int64(largest.CompressedSize64)/2
	for i := mid; i < mid+16; i++ {
		b[i] ^= 0xff
	}
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// TestResumeSkipsCorruptCheckpoint: with the newest checkpoint truncated, or with bytes flipped
// in its middle, Resume names it and why, falls back to the previous one, and the resumed run
// still equals the straight run. With every checkpoint corrupt, Resume fails clearly.
func TestResumeSkipsCorruptCheckpoint(t *testing.T) {
	const steps = 8
	wantH, wantP := straightRun(t, 1, 2, steps)
	for name, corrupt := range map[string]func(*testing.T, string){"truncated": truncateFile, "flipped": flipBytes} {
		t.Run(name, func(t *testing.T) {
			dir := checkpointedRun(t, steps)
			bad := checkpointPath(dir, steps)
			corrupt(t, bad)
			warn := captureWarnings(t)
			gotH, gotP, pos := resumeAndFinish(t, dir, steps)
			t.Log(warn.String())
			require.Equal(t, steps-1, pos)
			require.Contains(t, warn.String(), "skipping an unusable checkpoint: train: checkpoint "+bad)
			require.Contains(t, warn.String(), "falling back to ckpt-00000007.npz")
			require.Regexp(t, "not a valid zip|truncated|CRC-32", warn.String())
			requireSameBits(t, wantH, gotH, wantP, gotP)
			// The bad file was replaced by the resumed run's good checkpoint.
			tr, _ := loopTrainer(t, 1, 2, steps)
			_, _, err := tr.LoadCheckpoint(bad)
			require.NoError(t, err)
		})
	}
	t.Run("all", func(t *testing.T) {
		dir := checkpointedRun(t, steps)
		files, err := listCheckpoints(dir)
		require.NoError(t, err)
		require.Len(t, files, DefaultKeepLast)
		for i, f := range files {
			if i%2 == 0 {
				truncateFile(t, f.path)
			} else {
				flipBytes(t, f.path)
			}
		}
		captureWarnings(t)
		tr, _ := loopTrainer(t, 1, 2, steps)
		before := flatParams(tr)
		_, _, err = tr.Resume(dir)
		require.Error(t, err)
		require.NotErrorIs(t, err, ErrNoCheckpoint)
		t.Log(err)
		require.ErrorContains(t, err, "none of the 3 checkpoints")
		for _, f := range files {
			require.ErrorContains(t, err, filepath.Base(f.path))
		}
		require.Equal(t, before, flatParams(tr), "nothing loaded")
		require.Equal(t, 0, tr.Position())
	})
}

func TestResumeWithoutCheckpoint(t *testing.T) {
	tr, _ := loopTrainer(t, 1, 2, 1)
	_, _, err := tr.Resume(t.TempDir())
	require.ErrorIs(t, err, ErrNoCheckpoint)
	_, _, err = tr.Resume(filepath.Join(t.TempDir(), "missing"))
	require.ErrorIs(t, err, ErrNoCheckpoint)
}

// TestLoadCheckpointRejectsGarbage: well-formed .npz files with wrong contents are refused with
// a reason, and the Trainer is left unchanged.
func TestLoadCheckpointRejectsGarbage(t *testing.T) {
	const steps = 3
	dir := checkpointedRun(t, steps)
	good := checkpointPath(dir, steps)
	get := func(arrays []*npz.Array, name string) *npz.Array {
		for _, a := range arrays {
			if a.Name == name {
				return a
			}
		}
		t.Fatalf("no %s", name)
		return nil
	}
	editMeta := func(old, new string) func([]*npz.Array) []*npz.Array {
		return func(a []*npz.Array) []*npz.Array {
			m := get(a, "meta")
			require.Contains(t, m.Str, old)
			m.Str = strings.Replace(m.Str, old, new, 1)
			return a
		}
	}
	cases := []struct {
		name, want string
		edit       func([]*npz.Array) []*npz.Array
	}{
		{"NaN weight", "non-finite value at flat index 5", func(a []*npz.Array) []*npz.Array {
			get(a, "weight_hh_l0").F32[5] = float32(math.NaN())
			return a
		}},
		{"Inf moment", "opt.slot1.bias_ih_l0 has a non-finite", func(a []*npz.Array) []*npz.Array {
			get(a, "opt.slot1.bias_ih_l0").F32[0] = float32(math.Inf(1))
			return a
		}},
		{"shape", "readout.weight has shape [8 1]", func(a []*npz.Array) []*npz.Array {
			get(a, "readout.weight").Shape = []int{8, 1}
			return a
		}},
		{"dtype", "readout.bias has dtype float64", func(a []*npz.Array) []*npz.Array {
			r := get(a, "readout.bias")
			r.DType, r.F64, r.F32 = npz.Float64, []float64{float64(r.F32[0])}, nil
			return a
		}},
		{"missing", `missing ["opt.slot0.weight_ih_l0"]`, func(a []*npz.Array) []*npz.Array {
			var out []*npz.Array
			for _, x := range a {
				if x.Name != "opt.slot0.weight_ih_l0" {
					out = append(out, x)
				}
			}
			return out
		}},
		{"extra", `unexpected ["junk"]`, func(a []*npz.Array) []*npz.Array {
			return append(a, npz.NewFloat32("junk", []float32{1}))
		}},
		{"negative position", "batch must be a 0-d integer", func(a []*npz.Array) []*npz.Array {
			get(a, "batch").I64[0] = -1
			return a
		}},
		{"renamed", "its name says position 3 but it holds position 2", func(a []*npz.Array) []*npz.Array {
			get(a, "batch").I64[0] = 2
			return a
		}},
		{"history", "history.batch[1] = 0", func(a []*npz.Array) []*npz.Array {
			get(a, "history.batch").I64[1] = 0
			return a
		}},
		{"version", "format version 3", editMeta(`"version":2`, `"version":3`)},
		{"format", "meta says format", editMeta(`"format":"rnn-course`, `"format":"other`)},
		{"not json", "meta is not a checkpoint description", editMeta(`{`, `[`)},
		{"hidden size", "model.HiddenSize: checkpoint 9, trainer 8", editMeta(`"HiddenSize":8`, `"HiddenSize":9`)},
		{"learning rate", "train.LearningRate: checkpoint 0.02, trainer 0.01", editMeta(`"LearningRate":0.01`, `"LearningRate":0.02`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f2, err := npz.ReadFile(good) // fresh arrays for each case
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), filepath.Base(good))
			require.NoError(t, npz.WriteFile(path, c.edit(f2.Arrays())...))
			tr, _ := loopTrainer(t, 5, 2, steps)
			before := flatParams(tr)
			_, _, err = tr.LoadCheckpoint(path)
			require.ErrorContains(t, err, c.want)
			t.Log(err)
			require.Equal(t, before, flatParams(tr), "nothing loaded")
			require.Equal(t, 0, tr.Steps())
		})
	}

	// A configuration mismatch stops Resume at once (older checkpoints have the same config).
	m, err := NewModel(loopModelConfig(), 1)
	require.NoError(t, err)
	other := loopTrainConfig
	other.LearningRate = 0.02
	tr, err := New(testBackend(t), m, other)
	require.NoError(t, err)
	warn := captureWarnings(t)
	_, _, err = tr.Resume(dir)
	var mismatch *ConfigMismatchError
	require.True(t, errors.As(err, &mismatch), "got %v", err)
	require.Empty(t, warn.String())
}

// TestCheckpointRoundTrip: everything saved comes back, including the evaluations.
func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	tr, cfg := loopTrainer(t, 1, 2, 4)
	cfg.CheckpointDir, cfg.EvalEvery = dir, 2
	cfg.Eval = func(tr *Trainer) (map[string]float64, error) {
		if tr.Steps() == 2 {
			return map[string]float64{"a": 1}, nil
		}
		return map[string]float64{"a": math.NaN(), "b": math.Inf(1)}, nil
	}
	h, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	tr2, _ := loopTrainer(t, 3, 2, 4)
	h2, pos, err := tr2.Resume(dir)
	require.NoError(t, err)
	require.Equal(t, 4, pos)
	require.Equal(t, h.Batch, h2.Batch)
	require.Equal(t, h.Loss, h2.Loss)
	require.Equal(t, h.GradNorm, h2.GradNorm)
	require.Len(t, h2.Evals, 2)
	require.Equal(t, Evaluation{2, map[string]float64{"a": 1}}, h2.Evals[0])
	require.True(t, math.IsNaN(h2.Evals[1].Metrics["a"]))
	require.True(t, math.IsInf(h2.Evals[1].Metrics["b"], 1))
	require.Equal(t, flatParams(tr), flatParams(tr2))
	require.Equal(t, tr.Steps(), tr2.Steps())
	for i := range tr.state {
		require.Equal(t, tensorsBits(tr.state[i]), tensorsBits(tr2.state[i]))
	}
}

func tensorsBits(x *tensors.Tensor) []uint32 {
	var out []uint32
	for _, v := range tensors.MustCopyFlatData[float32](x) {
		out = append(out, math.Float32bits(v))
	}
	return out
}
