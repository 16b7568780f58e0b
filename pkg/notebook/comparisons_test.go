package notebook

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

func TestParityAndDiffTables(t *testing.T) {
	res := []*recurrent.ParityResult{
		{Case: "gru_a", Config: recurrent.Config{NumLayers: 1, HiddenSize: 4}, Arrays: []string{"out", "hn"}, RelDiff: map[string]float64{"out": 1e-7, "hn": 3e-6}},
		{Case: "lstm_b", Config: recurrent.Config{NumLayers: 2, HiddenSize: 6}, Arrays: []string{"out"}, RelDiff: map[string]float64{"out": 2e-5}},
	}
	md, worst := ParityTable(res)
	if worst != 2e-5 || !strings.Contains(md, "| gru_a | 1 | 4 | 2 | hn | 3.0e-06 |") || !strings.Contains(md, "| lstm_b | 2 | 6 | 1 | out | 2.0e-05 |") {
		t.Errorf("ParityTable: worst %v\n%s", worst, md)
	}
	res[0].RelDiff["hn"] = math.NaN()
	if _, worst := ParityTable(res); !math.IsNaN(worst) {
		t.Errorf("a NaN difference must be the worst, got %v", worst)
	}
	md, worst = DiffTable("array", "diff", []string{"out", "∂L/∂x"}, []float64{1e-16, 4e-15})
	if worst != 4e-15 || md != "| array | diff |\n|---|---|\n| out | 1.0e-16 |\n| ∂L/∂x | 4.0e-15 |\n" {
		t.Errorf("DiffTable: worst %v\n%s", worst, md)
	}
	if _, worst := DiffTable("a", "d", []string{"x", "y"}, []float64{math.NaN(), 1}); !math.IsNaN(worst) {
		t.Errorf("DiffTable with a NaN: worst %v", worst)
	}
	c := Bars("title", "y", "LSTM", []string{"a", "b"}, []float64{1, 8})
	if c.Title != "title" || len(c.Bars) != 1 || c.Bars[0].Values[1] != 8 || c.Categories[1] != "b" || !strings.Contains(Render(c), "<svg") {
		t.Errorf("Bars: %+v", c)
	}
}

func TestBackwardDisplays(t *testing.T) {
	g := cost.BackwardGrowth{
		Models: []string{"lstm", "lstm_gomlx"}, Ts: []int{16, 32},
		Nodes: [][]float64{{100, 200}, {110, 220}},
		MB:    [][]float64{{1, 2}, {1.5, 6}},
		MS:    [][]float64{{2, 4}, {3, 12}},
	}
	names := [2]string{"course", "GoMLX"}
	md := BackwardTable(g, names)
	if !strings.Contains(md, "| T | backward nodes, course | backward nodes, GoMLX |") ||
		!strings.Contains(md, "| 32 | 200 | 220 | 2.0 | 6.0 | 4.0 | 12.0 | 3.0× |") || !strings.Contains(md, "GoMLX ÷ course (time)") {
		t.Errorf("BackwardTable:\n%s", md)
	}
	lines := BackwardLines(g, names)
	if want := "GoMLX  from T = 16 to 32: backward nodes × 2.00, backward bytes moved × 4.00, fwd+bwd time × 4.00\n"; !strings.HasSuffix(lines, want) {
		t.Errorf("BackwardLines:\n%s\nwant last line\n%s", lines, want)
	}
	figs := BackwardFigures(g, names)
	if len(figs) != 2 || figs[0].Series[1].Y[1] != 6 || figs[1].Series[0].Y[0] != 2 || figs[0].Series[0].X[1] != 32 || figs[1].Series[1].Name != "GoMLX" {
		t.Errorf("BackwardFigures: %+v", figs)
	}
}

func TestLSTMLayouts(t *testing.T) {
	w, err := recurrent.NewWeights(recurrent.Config{Kind: recurrent.LSTM, InputSize: 4, HiddenSize: 5, NumLayers: 1, DType: dtypes.Float64}, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LSTMLayouts(Backend(), w)
	if err != nil {
		t.Fatal(err)
	}
	want := "PyTorch's layout (gates i, f, g, o):      weight_ih [20 4], weight_hh [20 5], bias_ih [20], bias_hh [20]\n" +
		"GoMLX's layout (ONNX, gates i, o, f, c):  inputsW [1 4 5 4], recurrentW [1 4 5 5], biases [1 8 5]\n"
	if got != want {
		t.Errorf("LSTMLayouts:\n%s\nwant\n%s", got, want)
	}
	if _, err := LSTMLayouts(Backend(), &recurrent.Weights{Config: w.Config, Tensors: w.Tensors[:1]}); err == nil {
		t.Error("LSTMLayouts accepted one tensor")
	}
}
