package notebook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/cost"
)

func TestDepthLines(t *testing.T) {
	rows := []cost.DepthRow{{T: 4, Nodes: 60, Depth: 19, Flops: 2_500_000}, {T: 16, Nodes: 200, Depth: 55, Flops: 10_000_000}}
	got := DepthLines(rows, "3T + 7", func(T int) int { return 3*T + 7 })
	want := "  T =    4:     60 nodes, depth    19, 3T + 7 =    19, work     2.50 Mflop\n" +
		"  T =   16:    200 nodes, depth    55, 3T + 7 =    55, work    10.00 Mflop\n"
	if got != want {
		t.Errorf("DepthLines:\n%s\nwant\n%s", got, want)
	}
}

// lengths are 10 µs per step + 0.5 ms at T = 16, 64, 256.
func lengths() cost.LengthScaling {
	var rows []cost.Row
	for _, T := range []int{16, 64, 256} {
		rows = append(rows, cost.Row{T: T, B: 1, D: 8, MinMS: 0.01*float64(T) + 0.5, CompileMS: 40})
	}
	return cost.FitLengths(rows)
}

func TestLengthLinesAndFigure(t *testing.T) {
	l := lengths()
	lines := strings.Split(LengthLines(l), "\n")
	if len(lines) != 6 || lines[0] != "T =    16:     0.66 ms (compile     40 ms), 41.2 µs per step" ||
		lines[3] != "linear fit: 10.0 µs per step, intercept 0.50 ms, R² = 1.0000" ||
		lines[4] != "time per step: 12.0 to 41.2 µs (× 3.45) while T grows × 16" {
		t.Errorf("LengthLines:\n%s", strings.Join(lines, "\n"))
	}
	f := LengthFigure(l, "title")
	if len(f.Series) != 2 || f.Series[1].Y[2] != 0.01*256+0.5 || f.Series[0].Y[0] != 0.66 ||
		!strings.HasPrefix(f.Notes[0], "batch 1, 8 inputs, float32; ") || f.Series[1].Name != "linear fit: 10.0 µs/step, R² = 1.000" {
		t.Errorf("LengthFigure: %+v", f)
	}
	if svg := Render(f); !strings.Contains(svg, "<svg") {
		t.Error("LengthFigure does not render")
	}
	frame := lengthFrame(l, 1, "3T + 7", func(T int) int { return 3*T + 7 })
	if !strings.Contains(frame, "T = 64: depth 3T + 7 = 199, 1.14 ms") || strings.Count(frame, "<svg") != 2 {
		t.Errorf("lengthFrame at T = 64 lacks its title or one of its two figures")
	}
}

func TestBatchLinesAndFigures(t *testing.T) {
	rows := []cost.Row{{B: 1, MedianMS: 2}, {B: 4, MedianMS: 4}}
	if got := BatchLines(rows); got != "B =    1: batch takes     2.00 ms →      500 sequences/s\n"+
		"B =    4: batch takes     4.00 ms →     1000 sequences/s\n"+
		"throughput × 2.0 from B = 1 to B = 4, × 2.00 over the last step (B = 1 → 4); fastest batch: B = 1, 2.00 ms\n" {
		t.Errorf("BatchLines:\n%s", got)
	}
	// A small batch faster than a batch of one (as a CPU kernel can make it), and a flat end.
	three := []cost.Row{{B: 1, MedianMS: 1}, {B: 4, MedianMS: 0.5}, {B: 8, MedianMS: 1}}
	if got := BatchLines(three); !strings.HasSuffix(got, "throughput × 8.0 from B = 1 to B = 8, × 1.00 over the last step (B = 4 → 8); fastest batch: B = 4, 0.50 ms\n") {
		t.Errorf("BatchLines, three rows:\n%s", got)
	}
	if got := BatchLines(rows[:1]); strings.Contains(got, "throughput ×") {
		t.Errorf("one row has no summary: %q", got)
	}
	figs := BatchFigures(rows, "tanh RNN")
	if len(figs) != 2 || figs[0].Series[0].Y[1] != 1000 || figs[1].Series[0].Y[1] != 4 || figs[0].Series[0].Name != "tanh RNN" {
		t.Errorf("BatchFigures: %+v %+v", figs[0].Series, figs[1].Series)
	}
}

func TestGPUThroughput(t *testing.T) {
	run := &cost.GPURun{Name: "test", Env: map[string]string{"gpu": "Test GPU"},
		Go: &cost.Table{Rows: []cost.Row{
			{Model: "rnn", Pass: cost.Fwd, T: 256, B: 8, MedianMS: 0.5},
			{Model: "rnn", Pass: cost.Fwd, T: 128, B: 8, MedianMS: 0.1},  // another length
			{Model: "rnn", Pass: cost.FwdBwd, T: 256, B: 8, MedianMS: 2}, // another pass
		}},
		Torch: &cost.Table{Rows: []cost.Row{{Model: "torch_rnn", Pass: cost.Fwd, T: 256, B: 8, MedianMS: 0.25}}}}
	fig, lines := GPUThroughput(run, 256)
	if fig == nil || len(fig.Series) != 2 || fig.Series[0].Y[0] != 16000 || fig.Series[1].Y[0] != 32000 {
		t.Fatalf("GPUThroughput: %+v", fig)
	}
	if want := fmt.Sprintf("%-16s B = %4d: %8.3f ms per batch → %10.0f sequences/s\n", "GoMLX on XLA", 8, 0.5, 16000.0); !strings.HasPrefix(lines, want) {
		t.Errorf("lines %q, want first %q", lines, want)
	}
	if fig, lines := GPUThroughput(run, 64); fig != nil || lines != "The committed GPU run has no forward rows of the RNN at T = 64.\n" {
		t.Errorf("at a length not measured: %v, %q", fig, lines)
	}
}
