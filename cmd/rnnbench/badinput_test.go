package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/npz"
	"github.com/stretchr/testify/require"
)

// runWithin is runCmd that fails the test if the command has not returned after d.
func runWithin(t *testing.T, d time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{-1, "", fmt.Sprintf("panic: %v", r)}
			}
		}()
		c, o, e := runCmd(args...)
		done <- result{c, o, e}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(d):
		t.Fatalf("rnnbench %v still running after %v", args, d)
		return 0, "", ""
	}
}

// Bad flags and arguments (issue 27, items 4, 13, 15, 23): each is refused with exit code 2 and a
// message that says what was wrong and what is expected; nothing is replaced by a default.
func TestBadFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.csv")
	sweep := func(flags ...string) []string {
		return append([]string{"sweep", "-out", out, "-models", "rnn", "-passes", "fwd", "-T", "4", "-batches", ""}, flags...)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"info", "extra"}, "want no arguments, got [extra]"},
		{[]string{"parity", "-out", out, "-tol", "NaN"}, "-tol NaN: want a finite tolerance >= 0"},
		{[]string{"parity", "-out", out, "-tol", "-1e-4"}, "-tol -0.0001: want a finite tolerance >= 0"},
		{[]string{"parity", "-out", out, "-tol", "+Inf"}, "-tol +Inf: want a finite tolerance >= 0"},
		{sweep("-D", "0"), "-D 0: want an integer >= 1"},
		{sweep("-H", "-3"), "-H -3: want an integer >= 1"},
		{sweep("-B", "0"), "-B 0: want an integer >= 1"},
		{sweep("-batch-T", "0"), "-batch-T 0: want an integer >= 1"},
		{sweep("-repeats", "-5"), "-repeats -5: want an integer >= 1"},
		{sweep("-repeats", "0"), "-repeats 0: want an integer >= 1"},
		{sweep("-max-mib", "17592186044416"), "-max-mib 17592186044416: want 1 to 8796093022207"},
		{sweep("-max-mib", "0"), "-max-mib 0: want 1 to 8796093022207"},
		{sweep("-max-nodes", "0"), "-max-nodes 0: want an integer >= 1"},
		{sweep("-max-run", "0s"), "-max-run 0s: want a duration > 0"},
		{sweep("-budget", "-1s"), "-budget -1s: want a duration >= 0 (0: no budget)"},
		{sweep("-H", "1000000000"), "over MaxParams"},
		{sweep("-models", "conv", "-H", "100000"), "over MaxBytes 4096 MiB: lower D or H, or raise MaxBytes (rnnbench sweep -max-mib)"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := runWithin(t, time.Minute, c.args...)
			require.NotContains(t, stderr, "panic")
			require.Equal(t, 2, code, stderr)
			require.Contains(t, stderr, c.want)
		})
	}
	_, err := os.Stat(out)
	require.True(t, errors.Is(err, os.ErrNotExist), "no output file for refused flags")
}

// An unknown RNN_COURSE_LANG is an error with exit code 2 for every command, not a panic
// (issue 27, item 23).
func TestBadLanguage(t *testing.T) {
	t.Setenv("RNN_COURSE_LANG", "fr")
	for _, args := range [][]string{{"info"}, {"parity", "-dir", parityDir, "-out", filepath.Join(t.TempDir(), "p.csv")},
		{"sweep", "-out", filepath.Join(t.TempDir(), "s.csv"), "-T", "4", "-models", "rnn", "-passes", "fwd", "-batches", ""}} {
		code, _, stderr := runWithin(t, time.Minute, args...)
		require.NotContains(t, stderr, "panic", args)
		require.Equal(t, 2, code, "%v: %s", args, stderr)
		require.Contains(t, stderr, `RNN_COURSE_LANG="fr", want "en" (English) or "zh"`, args)
	}
}

// A parity run that fails half way leaves the old CSV byte for byte as it was (issue 27, item 2:
// os.Create emptied it first), and no temporary file; NaN in a case file fails the check
// (item 4: "worst -1", exit 0 before).
func TestParityKeepsOldCSV(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "good.csv")
	code, _, stderr := runCmd("parity", "-dir", parityDir, "-out", out)
	require.Equal(t, 0, code, stderr)
	good, err := os.ReadFile(out)
	require.NoError(t, err)

	copyCase := func(dst, name string, edit func(raw []byte) []byte) {
		raw, err := os.ReadFile(filepath.Join(parityDir, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, name), edit(raw), 0o644))
	}
	// One good case, then (in name order) one truncated file.
	cases := t.TempDir()
	copyCase(cases, "gru_l1_b2_t5_d3_h4.npz", func(raw []byte) []byte { return raw })
	copyCase(cases, "lstm_l1_b2_t5_d3_h4.npz", func(raw []byte) []byte { return raw[:len(raw)/2] })
	code, _, stderr = runCmd("parity", "-dir", cases, "-out", out)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "lstm_l1_b2_t5_d3_h4.npz")
	after, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, good, after, "the old CSV must be intact byte for byte")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	// NaN in a reference array: exit 1, old CSV intact.
	nanDir := t.TempDir()
	f, err := npz.ReadFile(filepath.Join(parityDir, "gru_l1_b2_t5_d3_h4.npz"))
	require.NoError(t, err)
	arrays := f.Arrays()
	for _, a := range arrays {
		if a.Name == "hn" {
			a.F32[1] = float32(math.NaN())
		}
	}
	require.NoError(t, npz.WriteFile(filepath.Join(nanDir, "gru_l1_b2_t5_d3_h4.npz"), arrays...))
	code, stdout, stderr := runCmd("parity", "-dir", nanDir, "-out", out)
	require.Equal(t, 1, code, "stdout %s stderr %s", stdout, stderr)
	require.Contains(t, stderr, "hn has a non-finite value at flat index 1")
	after, err = os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, good, after)

	// A run whose arrays exceed the tolerance is complete: its CSV replaces the old one.
	code, _, _ = runCmd("parity", "-dir", parityDir, "-out", out, "-tol", "1e-12")
	require.Equal(t, 1, code)
	after, err = os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, len(strings.Split(string(good), "\n")), len(strings.Split(string(after), "\n")))
}

// A sweep of T = 1e9 ends at once: the case is skipped before its graph is built (issue 27,
// item 15: it built a graph without end). An old CSV is appended to, never damaged.
func TestSweepHugeTEnds(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.csv")
	code, stdout, stderr := runWithin(t, time.Minute, "sweep", "-out", out, "-T", "1000000000", "-models", "rnn",
		"-passes", "fwd", "-batches", "", "-repeats", "1")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "sweep: 0 rows, 1 skipped")
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(raw), "# skipped rnn fwd T=1000000000 B=32: needs at least ~")
	// A second sweep appends; the first run's lines stay as they were.
	code, _, stderr = runWithin(t, time.Minute, "sweep", "-out", out, "-T", "1000000000", "-models", "gru",
		"-passes", "fwd", "-batches", "", "-repeats", "1")
	require.Equal(t, 0, code, stderr)
	after, err := os.ReadFile(out)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(after), string(raw)), "appended, not rewritten")
}

// The first SIGTERM stops the sweep between cases; a second one ends the process even while a
// case cannot stop, e.g. while its graph is being built (issue 27, item 15: SIGTERM was caught
// and ignored for good). The sweep runs in a child process (this test binary, TestSignalChild)
// whose Sweep never returns and never looks at its context.
func TestSecondSignalEnds(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalChild$", "-test.v")
	cmd.Env = append(os.Environ(), "RNNBENCH_SIGNAL_CHILD="+filepath.Join(t.TempDir(), "x.csv"))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "child: sweep started") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the child never started its sweep; stderr: %s", stderr.String())
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		t.Fatalf("the first SIGTERM ended the child at once (%v): it should stop between cases", err)
	case <-time.After(time.Second):
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		ws := ee.Sys().(syscall.WaitStatus)
		require.True(t, ws.Signaled() && ws.Signal() == syscall.SIGTERM, "want killed by SIGTERM, got %v", err)
		require.Contains(t, stderr.String(), "signal again to stop now")
	case <-time.After(20 * time.Second):
		t.Fatal("the second SIGTERM did not end the child")
	}
}

// TestSignalChild is the child of TestSecondSignalEnds (it does nothing in a normal run).
func TestSignalChild(t *testing.T) {
	out := os.Getenv("RNNBENCH_SIGNAL_CHILD")
	if out == "" {
		t.Skip("only the child of TestSecondSignalEnds")
	}
	runSweep = func(ctx context.Context, b compute.Backend, cfg cost.SweepConfig) (*cost.Table, error) {
		fmt.Println("child: sweep started")
		for { // a graph being built: it never looks at ctx
			time.Sleep(time.Hour)
		}
	}
	code := run([]string{"sweep", "-out", out, "-T", "4", "-models", "rnn", "-passes", "fwd", "-batches", ""}, os.Stdout, os.Stderr)
	t.Fatalf("the sweep returned with code %d", code)
}
