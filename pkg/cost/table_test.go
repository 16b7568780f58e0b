package cost

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCSVRoundTrip(t *testing.T) {
	in := &Table{Rows: []Row{
		{Model: "rnn", Pass: Fwd, T: 16, B: 32, D: 8, H: 64, MedianMS: 1.25, MinMS: 1.0000001, MaxMS: 3.5e-3,
			Repeats: 5, BuildMS: 12.5, CompileMS: 0.25, Nodes: 141, Depth: 55, KernelDepth: 58,
			Flops: 1 << 40, Transcendentals: 7, BytesMoved: 1234567, ActBytes: 0, Backend: "go:ops_sequential",
			MeanMS: 1.5, CPUMS: 2.75},
		{Model: "attention, \"quoted\"", Pass: FwdBwd, T: 4096, B: 1, D: 8, H: 64, MedianMS: 1e6 / 3,
			Nodes: 131, Depth: 25, ActBytes: 3 << 30, Backend: "h200_model"},
	}, Skipped: []Skip{{Model: "attention", Pass: FwdBwd, T: 4096, B: 32, Reason: "too big"}}}
	var buf bytes.Buffer
	require.NoError(t, in.WriteCSV(&buf))
	assert.True(t, strings.HasPrefix(buf.String(), "model,T,B,D,H,mode,median_ms,min_ms,max_ms,"))
	assert.Contains(t, buf.String(), "# skipped attention fwdbwd T=4096 B=32: too big\n")
	out, err := ReadCSV(&buf)
	require.NoError(t, err)
	assert.Equal(t, in.Rows, out.Rows)
}

// Files written before mean_ms and cpu_ms existed (results/cost/) still read, with zeros.
func TestReadCSVWithoutUtilisationColumns(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "results", "cost", "cpu_fast.csv"))
	require.NoError(t, err)
	defer f.Close()
	tab, err := ReadCSV(f)
	require.NoError(t, err)
	require.NotEmpty(t, tab.Rows)
	r := tab.Rows[0]
	assert.Zero(t, r.CPUMS)
	assert.Zero(t, r.CoresBusy())
	assert.InDelta(t, float64(r.Flops)/(r.MedianMS*1e6), r.GFLOPS(), 1e-12)
}

// Measure records the CPU time of the timed runs: cores busy is positive and at most the
// machine's cores (CPU time cannot exceed cores × wall time, up to the clocks' granularity).
func TestMeasureRecordsCPUTime(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("CPU time is measured on unix only")
	}
	row, err := Measure(context.Background(), testBackend(t), Recurrent(recurrent.RNNTanh), Fwd, Shape{B: 8, T: 64, D: 8, H: 64},
		TimingOptions{Repeats: 5})
	require.NoError(t, err)
	require.Positive(t, row.MeanMS)
	require.Positive(t, row.CPUMS)
	assert.LessOrEqual(t, row.CoresBusy(), float64(runtime.NumCPU())+0.5)
	assert.Positive(t, row.GFLOPS())
}

func TestReadCSVErrors(t *testing.T) {
	_, err := ReadCSV(strings.NewReader(""))
	assert.ErrorContains(t, err, "empty CSV")
	_, err = ReadCSV(strings.NewReader("model,T\nrnn,16\n"))
	assert.ErrorContains(t, err, `no "B" column`)
	var buf bytes.Buffer
	require.NoError(t, (&Table{Rows: []Row{{Model: "rnn", Pass: Fwd, T: 16}}}).WriteCSV(&buf))
	bad := strings.Replace(buf.String(), "rnn,16,", "rnn,sixteen,", 1)
	_, err = ReadCSV(strings.NewReader(bad))
	assert.ErrorContains(t, err, `line 2, column T: "sixteen" is not a number`)
}

func TestSelectSeries(t *testing.T) {
	tab := &Table{Rows: []Row{
		{Model: "rnn", Pass: Fwd, T: 64, B: 32, MedianMS: 4},
		{Model: "rnn", Pass: Fwd, T: 16, B: 32, MedianMS: 1},
		{Model: "rnn", Pass: FwdBwd, T: 16, B: 32, MedianMS: 3},
		{Model: "rnn", Pass: Fwd, T: 16, B: 1, MedianMS: 0.5},
	}}
	Ts, ys := tab.Series("rnn", Fwd, 32)
	assert.Equal(t, []float64{16, 64}, Ts)
	assert.Equal(t, []float64{1, 4}, ys)
	assert.Len(t, tab.Select("rnn", "", 0), 4)
}

func TestFitLine(t *testing.T) {
	slope, intercept, r2 := FitLine([]float64{1, 2, 3, 4}, []float64{5, 7, 9, 11})
	assert.InDelta(t, 2, slope, 1e-12)
	assert.InDelta(t, 3, intercept, 1e-12)
	assert.InDelta(t, 1, r2, 1e-12)
	_, _, r2 = FitLine([]float64{1, 2, 3, 4}, []float64{1, 3, 2, 4})
	assert.InDelta(t, 0.64, r2, 1e-12)
	slope, _, _ = FitLine([]float64{1}, []float64{1})
	assert.True(t, math.IsNaN(slope))

	per, icpt, r2 := PerStep([]Row{{T: 16, MedianMS: 2}, {T: 64, MedianMS: 5}, {T: 256, MedianMS: 17}})
	assert.InDelta(t, 1.0/16, per, 1e-12)
	assert.InDelta(t, 1, icpt, 1e-12)
	assert.InDelta(t, 1, r2, 1e-12)
}

func TestCrossover(t *testing.T) {
	tab := &Table{}
	for _, T := range []int{16, 64, 256, 1024} {
		tab.Rows = append(tab.Rows,
			Row{Model: "rnn", Pass: Fwd, T: T, B: 32, MedianMS: float64(T)},               // linear
			Row{Model: "attention", Pass: Fwd, T: T, B: 32, MedianMS: float64(T*T) / 128}) // quadratic
	}
	c, ok := Crossover(tab, "attention", "rnn", Fwd, 32)
	require.True(t, ok)
	assert.InDelta(t, 128, c.T, 1e-9, "T²/128 = T at T = 128, exact in log-log")
	assert.Equal(t, 64, c.Lo)
	assert.Equal(t, 256, c.Hi)
	assert.Equal(t, "rnn", c.FasterAbove)
	_, ok = Crossover(tab, "attention", "rnn", FwdBwd, 32)
	assert.False(t, ok)
	// Attention faster at every T: no crossing, and the answer says who wins.
	fast := &Table{Rows: tab.Select("rnn", Fwd, 32)}
	for _, T := range []int{16, 64, 256, 1024} {
		fast.Rows = append(fast.Rows, Row{Model: "attention", Pass: Fwd, T: T, B: 32, MedianMS: 0.1})
	}
	c, ok = Crossover(fast, "attention", "rnn", Fwd, 32)
	assert.False(t, ok)
	assert.Equal(t, "attention", c.FasterAbove)
	assert.True(t, math.IsNaN(c.T))
	assert.Equal(t, [2]int{16, 1024}, [2]int{c.Lo, c.Hi})
}

func TestWorkDepthModel(t *testing.T) {
	gpu := GPUModelH200()
	assert.Equal(t, 5*time.Microsecond, gpu.Predict(0, 1))
	// 67e12 flops on the whole GPU take 1 s.
	assert.InDelta(t, 1.0, gpu.Predict(67e12, 0).Seconds(), 1e-9)
	assert.Contains(t, gpu.Source, "not a measurement")

	// Rows generated by t = W / 1e9 + D · 20 µs are fitted back exactly.
	var rows []Row
	for _, c := range []struct {
		w int64
		d int
	}{{1e6, 10}, {1e8, 12}, {1e5, 1000}, {2e7, 5000}, {3e9, 25}} {
		ms := float64(c.w)/1e9*1e3 + float64(c.d)*0.02
		rows = append(rows, Row{Flops: c.w, Depth: c.d, MedianMS: ms})
	}
	m, rep, err := FitWorkDepth(rows, "cpu", 1)
	require.NoError(t, err)
	assert.InDelta(t, 1e9, m.FlopsPerSecond, 1e3)
	assert.InDelta(t, float64(20*time.Microsecond), float64(m.LevelLatency), 1)
	assert.InDelta(t, 1, rep.R2, 1e-9)
	assert.Less(t, rep.MedianRelErr, 1e-9)
	pt := PredictTable(&Table{Rows: rows}, m)
	assert.InDelta(t, rows[3].MedianMS, pt.Rows[3].MedianMS, 1e-6)
	assert.Equal(t, "cpu", pt.Rows[3].Backend)

	for i := range rows {
		rows[i].Model = []string{"rnn", "attention"}[i%2]
	}
	m2, _, err := FitCPUModel(&Table{Rows: append(rows, Row{Model: "conv", Flops: 1, Depth: 1, MedianMS: 1e9})}, "cpu")
	require.NoError(t, err)
	assert.Equal(t, m.LevelLatency, m2.LevelLatency, "only rnn and attention rows are fitted")

	_, _, err = FitWorkDepth(rows[:1], "cpu", 1)
	assert.ErrorContains(t, err, "at least 2")
}

// TestMeasureAndSweep times a tiny case and runs a tiny sweep with a budget; the graph counts
// in the rows are those of the walk.
func TestMeasureAndSweep(t *testing.T) {
	b := testBackend(t)
	ctx := context.Background()
	row, err := Measure(ctx, b, Recurrent(recurrent.RNNTanh), FwdBwd, small(8), TimingOptions{Repeats: 4, BackendLabel: "test"})
	require.NoError(t, err)
	assert.Equal(t, 4, row.Repeats)
	assert.Equal(t, 6*8+6, row.Depth)
	assert.LessOrEqual(t, row.MinMS, row.MedianMS)
	assert.LessOrEqual(t, row.MedianMS, row.MaxMS)
	assert.Positive(t, row.CompileMS)
	assert.Positive(t, row.ActBytes)
	assert.Equal(t, "test", row.Backend)

	var log bytes.Buffer
	tab, err := Sweep(ctx, b, SweepConfig{
		Models: []Model{Recurrent(recurrent.RNNTanh), Attention(1)}, Passes: []Pass{Fwd},
		Ts: []int{4, 8, 16}, B: 2, Batches: []int{1, 2, 4}, BatchT: 8, D: 3, H: 8,
		Timing: TimingOptions{Repeats: 2, MinRepeats: 1}, Budget: 20 * time.Second, Log: &log,
	})
	require.NoError(t, err)
	// 3 lengths + 2 more batches (B=2 at T=8 is shared) per model.
	assert.Len(t, tab.Rows, 2*5)
	assert.Empty(t, tab.Skipped)
	assert.Contains(t, log.String(), "attention")
	for _, r := range tab.Select("rnn", Fwd, 2) {
		assert.Equal(t, 3*r.T+7, r.Depth)
	}
	assert.Equal(t, "rnn", tab.Rows[0].Model, "rows sorted by model, then T and B")
	assert.Equal(t, "attention", tab.Rows[len(tab.Rows)-1].Model)

	// A tiny MaxRunTime: the first size runs (nothing to predict from), larger ones are skipped.
	tab, err = Sweep(ctx, b, SweepConfig{
		Models: []Model{Attention(1)}, Passes: []Pass{Fwd}, Ts: []int{4, 64, 256}, B: 2, D: 3, H: 8,
		Timing: TimingOptions{Repeats: 1}, MaxRunTime: time.Nanosecond,
	})
	require.NoError(t, err)
	assert.Len(t, tab.Rows, 1)
	require.Len(t, tab.Skipped, 2)
	assert.Contains(t, tab.Skipped[0].Reason, "MaxRunTime")

	// A memory bound that attention exceeds (its 177 parameters fit: 708 bytes).
	tab, err = Sweep(ctx, b, SweepConfig{
		Models: []Model{Attention(1)}, Passes: []Pass{FwdBwd}, Ts: []int{4}, B: 2, D: 3, H: 8, MaxBytes: 1000,
	})
	require.NoError(t, err)
	assert.Empty(t, tab.Rows)
	assert.Contains(t, tab.Skipped[0].Reason, "MaxBytes")

	// A spent budget runs nothing and says so; a cancelled context is an error.
	tab, err = Sweep(ctx, b, SweepConfig{Models: []Model{Attention(1)}, Ts: []int{4, 8}, B: 2, D: 3, H: 8,
		Budget: time.Nanosecond})
	require.NoError(t, err)
	assert.Empty(t, tab.Rows)
	require.Len(t, tab.Skipped, 4)
	assert.Equal(t, "time budget spent", tab.Skipped[0].Reason)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Sweep(cancelled, b, SweepConfig{Models: []Model{Attention(1)}, Ts: []int{4}, B: 2, D: 3, H: 8})
	assert.ErrorIs(t, err, context.Canceled)

	_, err = Sweep(ctx, b, SweepConfig{Ts: []int{0}})
	assert.ErrorContains(t, err, "sizes must be >= 1")
}

func TestMatmulGFLOPS(t *testing.T) {
	gf, err := MatmulGFLOPS(testBackend(t), 128, 3)
	require.NoError(t, err)
	assert.Positive(t, gf)
	assert.Less(t, gf, 1e5)
	assert.Equal(t, time.Millisecond, ArithmeticFloor(2e6, 2))
	_, err = MatmulGFLOPS(testBackend(t), 0, 1)
	assert.Error(t, err)
}

// TestQuality checks a model's fit quality on rows against values worked out by hand, and the
// bar of GoodEnough.
func TestQuality(t *testing.T) {
	m := WorkDepthModel{Name: "m", FlopsPerSecond: 1e9, Processors: 1, LevelLatency: 20 * time.Microsecond}
	var rows []Row
	for _, c := range []struct {
		w int64
		d int
		e float64 // measured = predicted × (1 + e)
	}{{1e6, 10, 0.1}, {1e8, 12, -0.2}, {1e5, 1000, 0.5}, {2e7, 5000, 0}} {
		p := float64(c.w)/1e9*1e3 + float64(c.d)*0.02 // ms
		rows = append(rows, Row{Flops: c.w, Depth: c.d, MedianMS: p * (1 + c.e)})
	}
	rows = append(rows, Row{Flops: 1, Depth: 1}) // untimed: left out
	q := m.Quality(rows)
	assert.Equal(t, 4, q.N)
	// |p - m| / m = |e| / (1 + e): 0.0909, 0.25, 0.3333, 0; the median of 4 is the upper middle.
	assert.InDelta(t, 0.25, q.MedianRelErr, 1e-9)
	assert.InDelta(t, 0.5/1.5, q.MaxRelErr, 1e-9)
	// R² of log time: 1 - Σ log(1+e)² / Σ (log m - mean)².
	var logs, res []float64
	for i, e := range []float64{0.1, -0.2, 0.5, 0} {
		logs = append(logs, math.Log(rows[i].MedianMS))
		res = append(res, math.Log(1+e))
	}
	mean := (logs[0] + logs[1] + logs[2] + logs[3]) / 4
	var ssRes, ssTot float64
	for i := range logs {
		ssRes += res[i] * res[i]
		ssTot += (logs[i] - mean) * (logs[i] - mean)
	}
	assert.InDelta(t, 1-ssRes/ssTot, q.R2, 1e-9)

	assert.True(t, math.IsNaN(m.Quality(nil).R2))
	for _, c := range []struct {
		r    FitReport
		want bool
	}{
		{FitReport{N: 3, R2: GoodFitMinLogR2, MedianRelErr: GoodFitMaxMedianRelErr}, true},
		{FitReport{N: 2, R2: 1, MedianRelErr: 0}, false},
		{FitReport{N: 30, R2: 0.868, MedianRelErr: 0.10}, false},
		{FitReport{N: 30, R2: 0.99, MedianRelErr: 0.52}, false},
		{FitReport{N: 30, R2: math.NaN(), MedianRelErr: 0}, false},
	} {
		assert.Equal(t, c.want, c.r.GoodEnough(), "%+v", c.r)
	}
}
