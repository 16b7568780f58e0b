package cost

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rows a sweep streams through OnRow/OnSkip into AppendCSV are the rows it returns, and a
// second sweep appended to the same file reads back as one table.
func TestSweepStreamsRows(t *testing.T) {
	b := testBackend(t)
	path := filepath.Join(t.TempDir(), "sweep.csv")
	sweep := func(models ...string) *Table {
		w, err := AppendCSV(path)
		require.NoError(t, err)
		defer func() { require.NoError(t, w.Close()) }()
		var ms []Model
		for _, name := range models {
			m, err := ModelByName(name)
			require.NoError(t, err)
			ms = append(ms, m)
		}
		tab, err := Sweep(context.Background(), b, SweepConfig{
			Models: ms, Passes: []Pass{Fwd}, Ts: []int{4, 8, 64}, B: 2, D: 3, H: 8,
			Timing: TimingOptions{Repeats: 1}, MaxRunTime: time.Hour, MaxBytes: 1 << 16,
			OnRow:  func(r Row) { require.NoError(t, w.Row(r)) },
			OnSkip: func(s Skip) { require.NoError(t, w.Skip(s)) },
		})
		require.NoError(t, err)
		return tab
	}
	first := sweep("rnn")
	second := sweep("attention", "mingru_chunked")
	require.NotEmpty(t, second.Skipped, "attention at T=64 needs more than 64 KiB")

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	got, err := ReadCSV(f)
	require.NoError(t, err)
	// Streamed in measurement order (all models at one size, then the next size).
	want := append(append([]Row{}, first.Rows...), second.Rows...)
	require.Len(t, got.Rows, len(want))
	type key struct {
		model string
		T     int
	}
	streamed := map[key]Row{}
	for _, r := range got.Rows {
		streamed[key{r.Model, r.T}] = r
	}
	for _, w := range want {
		r, ok := streamed[key{w.Model, w.T}]
		require.True(t, ok, "%s T=%d not streamed", w.Model, w.T)
		assert.Equal(t, w.MedianMS, r.MedianMS)
		assert.Equal(t, w.Depth, r.Depth)
		assert.Equal(t, w.CompileMS, r.CompileMS)
	}
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "# skipped attention fwd T=64")
}

func TestAppendCSVRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.csv")
	require.NoError(t, os.WriteFile(path, []byte("case,array,rel_diff\n"), 0o644))
	_, err := AppendCSV(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not start with the cost CSV header")
	_, err = AppendCSV(filepath.Join(t.TempDir(), "missing", "x.csv"))
	assert.Error(t, err)
}

func TestModelByNameFindsScanForms(t *testing.T) {
	for _, name := range []string{"rnn", "attention4", "conv", "mingru_sequential", "mingru_blelloch", "mingru_chunked"} {
		m, err := ModelByName(name)
		require.NoError(t, err, name)
		assert.Equal(t, name, m.Name)
	}
	_, err := ModelByName("mingru_fft")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mingru_chunked")
}
