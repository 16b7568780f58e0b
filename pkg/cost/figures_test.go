package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// figTable has an RNN and attention with known times, work, depth, memory and CPU time.
func figTable() *Table {
	t := &Table{}
	for i, T := range []int{16, 64, 256} {
		t.Rows = append(t.Rows,
			Row{Model: "rnn", Pass: FwdBwd, T: T, B: 32, MedianMS: float64(T), MinMS: float64(T) - 1, MaxMS: float64(T) + 2,
				Flops: int64(T) * 1e6, Depth: 6*T + 6, ActBytes: int64(T) << 20, MeanMS: float64(T), CPUMS: float64(T) * 1.5},
			Row{Model: "attention", Pass: FwdBwd, T: T, B: 32, MedianMS: float64(2 * T), MinMS: float64(2 * T), MaxMS: float64(2 * T),
				Flops: int64(T*T) * 1e6, Depth: 25, ActBytes: int64(T*T) << 10, MeanMS: 1, CPUMS: 2},
			Row{Model: "rnn", Pass: Fwd, T: 64, B: 1 << (2 * i), MedianMS: float64(i + 1)}) // batches 1, 4, 16
	}
	return t
}

func TestTimeFigure(t *testing.T) {
	ms, err := ModelsNamed("rnn", "attention", "conv")
	require.NoError(t, err)
	f := TimeFigure(figTable(), ms, FwdBwd, 32, "title")
	require.Len(t, f.Series, 2) // conv has no rows
	rnn, att := f.Series[0], f.Series[1]
	assert.Equal(t, []float64{16, 64, 256}, rnn.X)
	assert.Equal(t, []float64{16, 64, 256}, rnn.Y)
	assert.Equal(t, []float64{15, 63, 255}, rnn.YErrLow)
	assert.Equal(t, []float64{18, 66, 258}, rnn.YErrHigh)
	assert.False(t, rnn.Dashed)
	assert.True(t, att.Dashed)
	assert.Equal(t, []float64{32, 128, 512}, att.Y)
	_, err = f.SVG()
	require.NoError(t, err)
}

func TestUtilisationFigures(t *testing.T) {
	ms, _ := ModelsNamed("rnn", "attention")
	figs := UtilisationFigures(figTable(), ms, 32, 64, 100, 2)
	require.Len(t, figs, 4)
	// Throughput: flops / (ms·1e6) GFLOP/s; the RNN does T·1e6 flops in T ms: 1 GFLOP/s.
	assert.Equal(t, []float64{1, 1, 1}, figs[0].Series[0].Y)
	assert.Equal(t, []float64{8, 32, 128}, figs[0].Series[1].Y) // T²·1e6 flops in 2T ms
	assert.Equal(t, []float64{1.5, 1.5, 1.5}, figs[1].Series[0].Y)
	assert.Equal(t, 100.0, figs[0].HLines[0].Y)
	assert.Equal(t, 2.0, figs[1].HLines[0].Y)
	// Against the batch at T = 64 (forward + backward rows only): one point each, at batch 32.
	assert.Equal(t, []float64{32}, figs[2].Series[0].X)
	for _, f := range figs {
		_, err := f.SVG()
		require.NoError(t, err)
	}
}

func TestBatchFigures(t *testing.T) {
	ms, _ := ModelsNamed("rnn", "attention")
	thr, lat, ok := BatchFigures(figTable(), ms, Fwd, 64)
	require.True(t, ok)
	require.Len(t, thr.Series, 1) // attention has no forward rows
	assert.Equal(t, []float64{1, 4, 16}, thr.Series[0].X)
	assert.Equal(t, []float64{1000, 2000, 16000.0 / 3}, thr.Series[0].Y) // B / (ms / 1000)
	assert.Equal(t, []float64{1, 2, 3}, lat.Series[0].Y)
	_, _, ok = BatchFigures(figTable(), ms, FwdBwd, 64) // one batch per model: no curve
	assert.False(t, ok)
}

func TestDepthMemoryFigures(t *testing.T) {
	ms, _ := ModelsNamed("rnn", "attention")
	d, m := DepthMemoryFigures(figTable(), ms, 32)
	assert.Equal(t, []float64{102, 390, 1542}, d.Series[0].Y) // 6T + 6
	assert.Equal(t, []float64{25, 25, 25}, d.Series[1].Y)
	assert.Equal(t, []float64{16, 64, 256}, m.Series[0].Y) // T MiB
	assert.Equal(t, []float64{0.25, 4, 64}, m.Series[1].Y) // T² KiB in MiB
}

func TestModelFigure(t *testing.T) {
	tab := figTable()
	pred := PredictTable(tab, WorkDepthModel{Name: "m", FlopsPerSecond: 1e9, Processors: 1})
	f := ModelFigure(tab, pred, []string{"rnn", "conv", "attention"}, FwdBwd, 32, "title", "note")
	require.Len(t, f.Series, 4) // two per model with rows
	assert.Equal(t, "rnn (CPU, measured)", f.Series[0].Name)
	assert.Equal(t, "rnn (H200 model)", f.Series[1].Name)
	assert.Equal(t, []float64{16, 64, 256}, f.Series[1].Y) // T·1e6 flops at 1 GFLOP/s: T ms
	assert.True(t, f.Series[1].Dashed)
	assert.Equal(t, f.Series[2].Color, f.Series[3].Color)
	assert.NotEqual(t, f.Series[0].Color, f.Series[2].Color)
}
