package notebook

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunSweepSavesWhatLoadSweepReads(t *testing.T) {
	t.Setenv(ModeEnv, "fast")
	t.Setenv(SharedEnv, "")
	path := ResultPath("test_results_sweep")
	assert.Equal(t, "test_results_sweep_fast.csv", filepath.Base(path))
	assert.Equal(t, RepoPath("build", "results"), filepath.Dir(path))
	t.Cleanup(func() { os.Remove(path) })
	cfg := cost.SweepConfig{Models: []cost.Model{cost.Recurrent(recurrent.RNNTanh)}, Passes: []cost.Pass{cost.Fwd},
		Ts: []int{4, 8}, B: 2, D: 2, H: 4, Timing: cost.TimingOptions{Warmup: 1, Repeats: 1, MinRepeats: 1}}
	got := RunSweep("test-results-sweep", "test_results_sweep", cfg)
	require.Len(t, got.Rows, 2)
	assert.Equal(t, []int{4, 8}, []int{got.Rows[0].T, got.Rows[1].T})
	back := LoadSweep("test_results_sweep")
	require.Len(t, back.Rows, 2)
	for i := range back.Rows {
		assert.Equal(t, got.Rows[i].Depth, back.Rows[i].Depth)
		assert.InDelta(t, got.Rows[i].MedianMS, back.Rows[i].MedianMS, 1e-9*got.Rows[i].MedianMS)
	}
	// The RNN's depth grows with T (a longer chain of steps).
	assert.Greater(t, back.Rows[1].Depth, back.Rows[0].Depth)
}
