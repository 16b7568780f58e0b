package main

import (
	"bytes"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// small is a configuration that trains in a second.
func small(t *testing.T) config {
	cfg, err := parseFlags([]string{"-hidden", "16", "-batch", "4", "-seqlen", "16", "-steps", "10",
		"-save-every", "5", "-log-every", "5", "-val-batches", "2", "-checkpoint", t.TempDir()}, io.Discard)
	require.NoError(t, err)
	return cfg
}

// TestRun trains the LSTM character model for 10 steps with a checkpoint directory: every loss
// is finite, the checkpoint holds the trained variables bit for bit, and a second run resumes
// from it.
func TestRun(t *testing.T) {
	cfg := small(t)
	var out bytes.Buffer
	res, err := run(cfg, &out)
	require.NoError(t, err, out.String())
	t.Log("\n" + out.String())
	require.Equal(t, 10, res.Step)
	require.Len(t, res.Losses, 10)
	for i, l := range res.Losses {
		require.False(t, math.IsNaN(l) || math.IsInf(l, 0), "loss of step %d is %v", i+1, l)
	}
	require.False(t, math.IsNaN(res.Perplexity))
	require.Contains(t, out.String(), "step 10: loss")

	files, err := filepath.Glob(filepath.Join(cfg.Checkpoint, "checkpoint-*"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no checkpoint written")
	loaded := model.NewStore()
	_, err = checkpoint.Build(loaded).Dir(cfg.Checkpoint).Immediate().Done()
	require.NoError(t, err)
	require.Equal(t, int64(10), optimizer.GetGlobalStep(loaded))
	names := recurrent.ParamNames(1)
	names = append(names, "readout.weight", "readout.bias")
	want, err := recurrent.ScopeTensors(res.Store.RootScope(), names)
	require.NoError(t, err)
	got, err := recurrent.ScopeTensors(loaded.RootScope(), names)
	require.NoError(t, err)
	for i := range want {
		require.True(t, want[i].Equal(got[i]), "%s after the checkpoint round trip", names[i])
	}

	cfg.Steps = 12
	out.Reset()
	res, err = run(cfg, &out)
	require.NoError(t, err, out.String())
	require.Equal(t, 12, res.Step)
	require.Len(t, res.Losses, 2, "the second run resumes at step 10")
	require.Contains(t, out.String(), "steps 10 to 12")

	cfg.Hidden = 8
	_, err = run(cfg, io.Discard)
	require.ErrorContains(t, err, "holds a model")
}

// TestFlags: bad flags are errors that name them.
func TestFlags(t *testing.T) {
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-hidden", "x"}, &stderr)
	require.Error(t, err)
	_, err = parseFlags([]string{"extra"}, io.Discard)
	require.ErrorContains(t, err, "unexpected arguments")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-steps", "0"}, "-steps must be >= 1"},
		{[]string{"-lr", "-1"}, "-lr must be"},
		{[]string{"-optimizer", "rmsprop"}, "-optimizer must be adam or sgd"},
		{[]string{"-cell", "cnn"}, "unknown cell kind"},
		{[]string{"-cell", "lstm", "-scan", "blelloch"}, "-scan is for mingru"},
	} {
		cfg, err := parseFlags(c.args, io.Discard)
		require.NoError(t, err)
		_, err = run(cfg, io.Discard)
		require.ErrorContains(t, err, c.msg, strings.Join(c.args, " "))
	}
}
