package cost

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exactModel: 1 GFLOP/s and 1 µs per level, so 1e6 flops take 1 ms and 1000 levels 1 ms.
var exactModel = WorkDepthModel{Name: "exact", FlopsPerSecond: 1e9, Processors: 1, LevelLatency: time.Microsecond}

// verdictTable: the RNN's times follow exactModel with 3/4 of them in depth; attention's follow
// it with almost all in work; the convolution's are twice what exactModel predicts.
func verdictTable() *Table {
	t := &Table{}
	for _, T := range []int{16, 64, 256, 1024} {
		for _, p := range []Pass{Fwd, FwdBwd} {
			rnn := Row{Model: "rnn", Pass: p, T: T, B: 32, Flops: int64(T) * 1000, Depth: 3 * T}
			att := Row{Model: "attention", Pass: p, T: T, B: 32, Flops: int64(T*T) * 1000, Depth: 15}
			conv := Row{Model: "conv", Pass: p, T: T, B: 32, Flops: int64(T) * 5000, Depth: 30}
			for _, r := range []*Row{&rnn, &att, &conv} {
				r.MedianMS = exactModel.PredictRow(*r).Seconds() * 1000
			}
			conv.MedianMS *= 2
			t.Rows = append(t.Rows, rnn, att, conv)
		}
	}
	return t
}

func TestSplits(t *testing.T) {
	s := Splits(verdictTable(), []WorkDepthModel{exactModel, GPUModelH200()}, []string{"rnn", "attention"}, FwdBwd, 32, 256)
	require.Len(t, s, 4)
	assert.Equal(t, "exact", s[0].Machine)
	assert.Equal(t, "rnn", s[0].Model)
	assert.InDelta(t, 0.256, s[0].WorkMS, 1e-9) // 256 000 flops at 1 GFLOP/s
	assert.InDelta(t, 0.768, s[0].DepthMS, 1e-9)
	assert.InDelta(t, 0.75, s[0].DepthShare(), 1e-9)
	assert.InDelta(t, 1.024, s[0].TotalMS(), 1e-9)
	assert.Equal(t, "h200_model", s[2].Machine)
	assert.InDelta(t, 768*5e-3, s[2].DepthMS, 1e-9) // 5 µs per level
	h, rows := SplitTable(s)
	require.Len(t, rows, 4)
	assert.Len(t, h, len(rows[0]))
	assert.Equal(t, "75%", rows[0][7])
}

func TestVerdicts(t *testing.T) {
	ms, err := ModelsNamed("rnn", "attention", "conv", "gru")
	require.NoError(t, err)
	vs := Verdicts(verdictTable(), exactModel, ms, 32)
	require.Len(t, vs, 3) // the GRU has no rows
	rnn, att, conv := vs[0], vs[1], vs[2]
	assert.Equal(t, 8, rnn.Quality.N)
	assert.InDelta(t, 1, rnn.Quality.R2, 1e-12)
	assert.InDelta(t, 0, rnn.Quality.MedianRelErr, 1e-12)
	assert.True(t, rnn.Drawn)
	assert.Equal(t, 1024, rnn.Longest.T)
	assert.InDelta(t, 0.75, rnn.Longest.DepthShare(), 1e-9)
	assert.Equal(t, "depth sets the time", rnn.Call)
	assert.True(t, att.Drawn)
	assert.Equal(t, "work sets the time", att.Call)
	// Twice the prediction everywhere: a median relative error of 1/2 misses the bar.
	assert.InDelta(t, 0.5, conv.Quality.MedianRelErr, 1e-12)
	assert.False(t, conv.Drawn)
	assert.Equal(t, "none: the fit misses this layer's times", conv.Call)
	h, rows, drawn := VerdictTable(vs)
	assert.Equal(t, 2, drawn)
	assert.Len(t, h, len(rows[0]))
	assert.Equal(t, "75% (T = 1024)", rows[0][4])
	assert.Contains(t, VerdictRule(), "R² of log time ≥ 0.90 and median relative error ≤ 25%")
}

func TestVerdictBothWeigh(t *testing.T) {
	tab := &Table{}
	for _, T := range []int{16, 64, 256} { // half work, half depth
		r := Row{Model: "lstm", Pass: FwdBwd, T: T, B: 32, Flops: int64(T) * 1000, Depth: T}
		r.MedianMS = exactModel.PredictRow(r).Seconds() * 1000
		tab.Rows = append(tab.Rows, r)
	}
	ms, _ := ModelsNamed("lstm")
	vs := Verdicts(tab, exactModel, ms, 32)
	require.Len(t, vs, 1)
	assert.InDelta(t, 0.5, vs[0].Longest.DepthShare(), 1e-12)
	assert.Equal(t, "work and depth both weigh", vs[0].Call)
	// Rows only at another batch: no split at B = 32.
	vs = Verdicts(tab, exactModel, ms, 8)
	assert.True(t, math.IsNaN(vs[0].Longest.DepthShare()))
}
