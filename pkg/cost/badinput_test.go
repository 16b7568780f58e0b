package cost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rnn-course/bottleneck/internal/recovered"

	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// catch is recovered.Call: a bad input that panics fails its case, not the test binary.
var catch = recovered.Call

// within runs f and fails the test if it has not returned after d (it is then left running).
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- catch(f) }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still running after %v", d)
		return nil
	}
}

// Bad inputs of package cost (issue 27, items 13, 15, 17): sizes that cannot fit are refused or
// skipped before anything is built or allocated, with a message that names the limit and how to
// raise it; nothing is silently replaced by a default; nothing hangs.
func TestBadInputs(t *testing.T) {
	b := testBackend(t)
	rnn, attention := Recurrent(recurrent.RNNTanh), Attention(1)
	valid := func(cfg SweepConfig) func() error { return cfg.Validate }
	// sweep runs a sweep that must end within a minute and return exactly one skip, whose reason
	// is returned as the error.
	sweep := func(cfg SweepConfig) func() error {
		return func() error {
			tab, err := Sweep(context.Background(), b, cfg)
			if err != nil {
				return err
			}
			if len(tab.Rows) != 0 || len(tab.Skipped) != 1 {
				return fmt.Errorf("want 0 rows and 1 skip, got %d rows, skips %v", len(tab.Rows), tab.Skipped)
			}
			return fmt.Errorf("skipped: %s", tab.Skipped[0].Reason)
		}
	}
	one := func(m Model, T, B, D, H int) SweepConfig {
		return SweepConfig{Models: []Model{m}, Passes: []Pass{Fwd}, Ts: []int{T}, B: B, D: D, H: H,
			Timing: TimingOptions{Repeats: 1}}
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		// Item 17: a hidden width whose parameters cannot fit is an error before anything is built.
		{"H=1e9, rnn", valid(one(rnn, 16, 1, 8, 1_000_000_000)), "over MaxParams"},
		{"H=1e9, attention", valid(one(attention, 16, 1, 8, 1_000_000_000)),
			"attention with D=8, H=1000000000 has 1000000029000000001 parameters (3725290406 GiB as float32), over MaxBytes 4096 MiB: lower D or H, or raise MaxBytes (rnnbench sweep -max-mib)"},
		{"H=1e5, attention, MaxBytes 1 GiB", valid(func() SweepConfig {
			c := one(attention, 16, 1, 8, 100_000)
			c.MaxBytes = 1 << 30
			return c
		}()), "over MaxBytes 1024 MiB"},
		// Item 13 (library side): negative values are errors, not replaced by defaults.
		{"D=-1", valid(one(rnn, 16, 1, -1, 8)), "input size must be > 0, got -1"},
		{"Repeats=-5", valid(func() SweepConfig { c := one(rnn, 16, 1, 8, 8); c.Timing.Repeats = -5; return c }()),
			"Timing.Repeats is -5, want >= 1 (0: the default 5)"},
		{"MinRepeats=-1", valid(func() SweepConfig { c := one(rnn, 16, 1, 8, 8); c.Timing.MinRepeats = -1; return c }()),
			"Timing.MinRepeats is -1"},
		{"Warmup=-1", valid(func() SweepConfig { c := one(rnn, 16, 1, 8, 8); c.Timing.Warmup = -1; return c }()),
			"Timing.Warmup is -1"},
		{"MaxNodes=-1", valid(func() SweepConfig { c := one(rnn, 16, 1, 8, 8); c.MaxNodes = -1; return c }()),
			"MaxNodes"},
		// Item 15: sizes are checked before the graph is built: T = 1e9 is skipped at once.
		{"T=1e9, rnn, default sizes", sweep(one(rnn, 1_000_000_000, 32, 8, 64)),
			"skipped: needs at least ~"},
		{"T=1e9, rnn, B=D=H=1", sweep(one(rnn, 1_000_000_000, 1, 1, 1)), "> MaxBytes 4096 MiB"},
		// Small tensors, but a graph of 12 nodes per step: 1.2e9 nodes.
		{"T=1e8, rnn, B=D=H=1", sweep(one(rnn, 100_000_000, 1, 1, 1)), "> MaxNodes 4194304 (raise MaxNodes"},
		{"T=1e7, attention, B=D=H=1", sweep(one(attention, 10_000_000, 1, 1, 1)), "> MaxBytes 4096 MiB"},
		{"T*B*H overflows int64", sweep(one(rnn, 1<<40, 1<<20, 1, 4)), "skipped: needs at least ~"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := within(t, time.Minute, c.run)
			require.Error(t, err, "want an error containing %q", c.want)
			require.NotContains(t, err.Error(), "panic:")
			require.ErrorContains(t, err, c.want)
		})
	}
}

// A CSV written with WriteCSVFile replaces the old file only once it is complete (package
// internal/atomicfile), and AppendCSV never damages what is there (issue 27, item 2): a file
// whose last line was cut is refused and left byte for byte intact.
func TestCSVFilesKeepOldData(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.csv")
	old := &Table{Rows: []Row{{Model: "rnn", Pass: Fwd, T: 16, B: 2, D: 3, H: 8, MedianMS: 1.5, Repeats: 3}}}
	require.NoError(t, old.WriteCSVFile(path))
	require.NoError(t, (&Table{Rows: append(old.Rows, old.Rows[0])}).WriteCSVFile(path))
	f, err := os.Open(path)
	require.NoError(t, err)
	got, err := ReadCSV(f)
	f.Close()
	require.NoError(t, err)
	require.Len(t, got.Rows, 2)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")
	require.Error(t, old.WriteCSVFile(filepath.Join(dir, "missing", "x.csv")))

	// AppendCSV refuses a file whose last line was cut (a killed writer): appending would glue
	// a row to it.
	cut := filepath.Join(dir, "cut.csv")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	raw = raw[:len(raw)-5]
	require.NoError(t, os.WriteFile(cut, raw, 0o644))
	_, err = AppendCSV(cut)
	require.ErrorContains(t, err, "does not end with a newline")
	after, err := os.ReadFile(cut)
	require.NoError(t, err)
	require.Equal(t, raw, after, "the cut CSV must be intact byte for byte")
}
