package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDepths(t *testing.T) {
	ms, err := ModelsNamed("mingru_sequential", "mingru_blelloch", "mingru_naive")
	require.NoError(t, err)
	skipNaive := func(m Model, T int) bool { return m.Name == "mingru_naive" && T > 8 }
	tab, err := Depths(testBackend(t), ms, Fwd, Shape{B: 1, D: 3, H: 4}, []int{8, 64}, skipNaive)
	require.NoError(t, err)
	require.Len(t, tab.Rows, 5)
	// Each row equals a direct build and walk of the same graph.
	for _, r := range tab.Rows {
		m, _ := ModelByName(r.Model)
		built, err := BuildGraph(testBackend(t), m, Fwd, Shape{B: 1, T: r.T, D: 3, H: 4})
		require.NoError(t, err)
		st, act := Analyze(built)
		built.Graph.Finalize()
		assert.Equal(t, st.Depth, r.Depth, "%s T=%d", r.Model, r.T)
		assert.Equal(t, st.Flops, r.Flops)
		assert.Equal(t, act, r.ActBytes)
		assert.Zero(t, r.MedianMS)
	}
	// The loop's depth grows with T, eight times the length adds depth; Blelloch's barely.
	seq, ble := tab.Select("mingru_sequential", Fwd, 1), tab.Select("mingru_blelloch", Fwd, 1)
	assert.Greater(t, seq[1].Depth-seq[0].Depth, 8*(ble[1].Depth-ble[0].Depth))
	assert.Len(t, tab.Select("mingru_naive", Fwd, 1), 1)
}

func TestModelTable(t *testing.T) {
	tab := figTable()
	pred := PredictTable(tab, WorkDepthModel{Name: "m", FlopsPerSecond: 1e9, Processors: 1})
	h, rows := ModelTable(tab, pred, []string{"attention", "rnn"}, FwdBwd, 32)
	require.Len(t, rows, 6)
	assert.Len(t, h, 4)
	assert.Equal(t, []any{"attention", 16, "32.0", "256.000"}, rows[0]) // 16²·1e6 flops at 1 GFLOP/s
	assert.Equal(t, []any{"rnn", 256, "256.0", "256.000"}, rows[5])
}
