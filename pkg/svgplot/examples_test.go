package svgplot

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// go test ./pkg/svgplot -run TestExamples -update rewrites the example SVGs in testdata/.
// Without -update the test renders them and checks that they parse, and that the files on
// disk parse too (it does not compare bytes: these are examples to look at, not goldens).
var update = flag.Bool("update", false, "rewrite the example SVGs in testdata/")

// sampleLoss is a training-loss chart: three models, a reference line, a NaN gap.
func sampleLoss() *Figure {
	steps := []float64{}
	for s := 10.0; s <= 20000; s *= 1.25 {
		steps = append(steps, math.Round(s))
	}
	curve := func(floor, rate, noise float64) []float64 {
		y := make([]float64, len(steps))
		for i, s := range steps {
			y[i] = floor + (4.17-floor)*math.Exp(-s/rate) + noise*math.Sin(float64(i)*1.7)
		}
		return y
	}
	rnn := curve(2.3, 3000, 0.02)
	rnn[20] = math.NaN() // a diverged evaluation, skipped: the line breaks here
	return &Figure{
		Title:  "Character-level language model: validation loss",
		XLabel: "training step",
		YLabel: "loss (nats per char)",
		LogX:   true,
		Notes:  []string{"measured on AMD EPYC, 2 cores, Go backend; mean of 3 seeds"},
		Series: []Series{
			{Name: "vanilla RNN", X: steps, Y: rnn},
			{Name: "LSTM", X: steps, Y: curve(1.55, 2500, 0.01)},
			{Name: "GRU", X: steps, Y: curve(1.6, 2000, 0.01), Dashed: true},
		},
		HLines: []RefLine{{Y: math.Log(65), Label: "uniform baseline ln 65"}},
	}
}

// sampleTiming is a log-log chart with markers and error bars (spread over repeats).
func sampleTiming() *Figure {
	Ts := []float64{16, 32, 64, 128, 256, 512, 1024, 2048}
	var seq, scan, seqLo, seqHi, scanLo, scanHi []float64
	for _, T := range Ts {
		s, p := 0.012*T, 0.05*math.Log2(T)+0.002*T
		seq, scan = append(seq, s), append(scan, p)
		seqLo, seqHi = append(seqLo, s*0.9), append(seqHi, s*1.15)
		scanLo, scanHi = append(scanLo, p*0.85), append(scanHi, p*1.2)
	}
	return &Figure{
		Title:  "Forward time vs sequence length",
		XLabel: "sequence length T",
		YLabel: "ms per forward pass",
		LogX:   true,
		LogY:   true,
		Notes:  []string{"median of 20 runs, bars: min–max"},
		Series: []Series{
			{Name: "sequential loop", X: Ts, Y: seq, Markers: true, YErrLow: seqLo, YErrHigh: seqHi},
			{Name: "parallel scan", X: Ts, Y: scan, Markers: true, YErrLow: scanLo, YErrHigh: scanHi},
		},
	}
}

func sampleBars() *BarChart {
	return &BarChart{
		Title:       "Time per training step",
		YLabel:      "ms per step",
		Categories:  []string{"RNN", "LSTM", "GRU", "linear RNN (scan)"},
		Notes:       []string{"batch 32, hidden 128; measured on AMD EPYC, 2 cores, Go backend"},
		ValueFormat: "%.1f",
		Bars: []BarSeries{
			{Name: "T = 64", Values: []float64{3.1, 9.8, 7.6, 2.2}},
			{Name: "T = 256", Values: []float64{12.4, 39.5, 30.2, 4.9}},
		},
	}
}

func sampleGrid() (string, error) {
	a, b := sampleLoss(), sampleTiming()
	a.Width, a.Height, a.Notes = 480, 320, nil
	b.Width, b.Height, b.Notes = 480, 320, nil
	a.Title, b.Title = "validation loss", "forward time"
	return Grid(2, a, b)
}

func examples(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{
		"unrolled_rnn_T5.svg":       UnrolledRNN(5, true),
		"unrolled_rnn_T100.svg":     UnrolledRNN(100, true),
		"unrolled_rnn_T4_plain.svg": UnrolledRNN(4, false),
		"scan_blelloch_T8.svg":      ScanTree(8, "blelloch"),
		"scan_hillis_steele_T8.svg": ScanTree(8, "hillis-steele"),
		"scan_sequential_T8.svg":    ScanTree(8, "sequential"),
		"scan_blelloch_T16.svg":     ScanTree(16, "blelloch"),
		"bptt_T5.svg":               BPTTDiagram(5),
		"bptt_T50.svg":              BPTTDiagram(50),
		"figure_loss.svg":           must(t, sampleLoss().SVG),
		"figure_timing_loglog.svg":  must(t, sampleTiming().SVG),
		"bar_ms_per_step.svg":       must(t, sampleBars().SVG),
		"grid_loss_and_timing.svg":  must(t, sampleGrid),
	}
	return out
}

func must(t *testing.T, f func() (string, error)) string {
	t.Helper()
	s, err := f()
	require.NoError(t, err)
	return s
}

func TestExamples(t *testing.T) {
	for name, svg := range examples(t) {
		requireValidSVG(t, svg)
		path := filepath.Join("testdata", name)
		if *update {
			require.NoError(t, os.MkdirAll("testdata", 0o755))
			require.NoError(t, os.WriteFile(path, []byte(svg), 0o644))
			continue
		}
		onDisk, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			t.Logf("%s is missing; run with -update to write it", path)
			continue
		}
		require.NoError(t, err)
		requireValidSVG(t, string(onDisk))
	}
}
