package cost

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// The tanh RNN's forward depth is 3 levels per step (matmul W_hh h, add, tanh) plus 7 outside
// the loop, counted by hand from the graph pkg/recurrent builds (notebook 01).
func TestDepthSweepRNN(t *testing.T) {
	b := testBackend(t)
	rows, err := DepthSweep(b, Recurrent(recurrent.RNNTanh), Fwd, Shape{B: 1, T: 999, D: 8, H: 64}, []int{4, 16})
	if err != nil {
		t.Fatal(err)
	}
	for i, T := range []int{4, 16} {
		built, err := BuildGraph(b, Recurrent(recurrent.RNNTanh), Fwd, Shape{B: 1, T: T, D: 8, H: 64})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := Analyze(built)
		want := DepthRow{T: T, Nodes: st.Nodes, Depth: st.Depth, Flops: st.Flops}
		if rows[i] != want || want.Depth != 3*T+7 {
			t.Errorf("T = %d: DepthSweep %+v, walk of the graph %+v, 3T + 7 = %d", T, rows[i], want, 3*T+7)
		}
	}
	if err := CheckDepth(rows, "3T + 7", func(T int) int { return 3*T + 7 }); err != nil {
		t.Errorf("CheckDepth on the true formula: %v", err)
	}
	err = CheckDepth(rows, "3T + 6", func(T int) int { return 3*T + 6 })
	if err == nil || err.Error() != "depth 19 is not 3T + 6 = 18 at T = 4" {
		t.Errorf("CheckDepth on a wrong formula: %v", err)
	}
	if _, err := DepthSweep(b, Recurrent(recurrent.RNNTanh), Fwd, Shape{B: 0, D: 8, H: 64}, []int{4}); err == nil {
		t.Error("DepthSweep accepted B = 0")
	}
}

func TestDepthPerStep(t *testing.T) {
	rows := []DepthRow{{T: 8, Depth: 5*8 + 9}, {T: 16, Depth: 5*16 + 9}, {T: 32, Depth: 5*32 + 9}}
	if a, c, err := DepthPerStep(rows); a != 5 || c != 9 || err != nil {
		t.Errorf("DepthPerStep = %d, %d, %v; want 5, 9", a, c, err)
	}
	rows[2].Depth++
	if _, _, err := DepthPerStep(rows); err == nil || !strings.Contains(err.Error(), "170 at T = 32, not 5·T + 9 = 169") {
		t.Errorf("DepthPerStep off the line: %v", err)
	}
	if _, _, err := DepthPerStep(rows[:1]); err == nil {
		t.Error("DepthPerStep accepted one row")
	}
}

func TestShapesAndThroughput(t *testing.T) {
	s := Shape{B: 2, T: 3, D: 4, H: 5}
	if got := AtLengths(s, []int{7, 9}); !slices.Equal(got, []Shape{{2, 7, 4, 5}, {2, 9, 4, 5}}) {
		t.Errorf("AtLengths: %v", got)
	}
	if got := AtBatches(s, []int{1, 8}); !slices.Equal(got, []Shape{{1, 3, 4, 5}, {8, 3, 4, 5}}) {
		t.Errorf("AtBatches: %v", got)
	}
	if got := (Row{B: 4, MedianMS: 2}).Throughput(); got != 2000 {
		t.Errorf("Throughput of 4 sequences in 2 ms = %v, want 2000/s", got)
	}
}

func TestFitLengths(t *testing.T) {
	var rows []Row
	for _, T := range []int{16, 64, 256, 1024} {
		rows = append(rows, Row{T: T, MinMS: 0.01*float64(T) + 0.5}) // 10 µs per step + 0.5 ms
	}
	l := FitLengths(rows)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b)) }
	if !near(l.Slope, 0.01) || !near(l.Intercept, 0.5) || !near(l.R2, 1) {
		t.Errorf("fit %v ms/step + %v ms, R² %v; want 0.01, 0.5, 1", l.Slope, l.Intercept, l.R2)
	}
	// time per step: (0.16 + 0.5)/16 ms = 41.25 µs at T = 16, (10.24 + 0.5)/1024 ms at T = 1024
	if !near(l.PerStepMaxUS, 41.25) || !near(l.PerStepMinUS, 10740.0/1024) || !near(l.Growth(), 64) {
		t.Errorf("per step %v to %v µs, growth %v", l.PerStepMinUS, l.PerStepMaxUS, l.Growth())
	}
	if fit := l.Fit(); !near(fit[3], rows[3].MinMS) {
		t.Errorf("Fit at T = 1024: %v, want %v", fit[3], rows[3].MinMS)
	}
	if err := l.Check(0.95, 4); err != nil { // spread 41.25 / 10.488 = 3.93
		t.Errorf("Check(0.95, 4): %v", err)
	}
	if err := l.Check(0.95, 3); err == nil || err.Error() != "in this run the time per step varied × 3.93 across T" {
		t.Errorf("Check(0.95, 3): %v", err)
	}
	rows[1].MinMS, rows[2].MinMS = 20, 0.1 // far off any line
	if err := FitLengths(rows).Check(0.95, 1e9); err == nil || !strings.Contains(err.Error(), "R² = ") {
		t.Errorf("Check on scattered times: %v", err)
	}
}

func TestMeasureLengths(t *testing.T) {
	b := testBackend(t)
	l, err := MeasureLengths(context.Background(), b, Recurrent(recurrent.RNNTanh), Fwd, Shape{B: 1, D: 2, H: 3}, []int{4, 8}, TimingOptions{Repeats: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Rows) != 2 || l.Rows[0].T != 4 || l.Rows[1].T != 8 || l.Rows[1].B != 1 || !(l.Rows[0].MinMS > 0) {
		t.Fatalf("rows %+v", l.Rows)
	}
	if want := 1000 * l.Rows[0].MinMS / 4; l.PerStepMinUS != want && l.PerStepMaxUS != want {
		t.Errorf("time per step at T = 4 (%v µs) is neither end of [%v, %v]", want, l.PerStepMinUS, l.PerStepMaxUS)
	}
}
