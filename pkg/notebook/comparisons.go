package notebook

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// Display helpers for notebook 02's comparisons: cells against PyTorch, GoMLX's LSTM layer
// against the course's.

// ParityTable is one Markdown row per PyTorch parity case (case, layers, H, arrays compared,
// worst array, its relative difference) and the worst difference over all cases (NaN counts as
// the worst).
func ParityTable(results []*recurrent.ParityResult) (md string, worst float64) {
	var rows [][]any
	for _, res := range results {
		name, w := res.Worst()
		if math.IsNaN(w) || w > worst {
			worst = w
		}
		c := res.Config
		rows = append(rows, []any{res.Case, c.NumLayers, c.HiddenSize, len(res.Arrays), name, fmt.Sprintf("%.1e", w)})
	}
	header := []string{T("case"), T("layers"), "H", T("arrays compared"), T("worst array"), T("max rel. diff")}
	return MarkdownTable(header, rows), worst
}

// DiffTable is a two-column Markdown table, each name and its relative difference (%.1e), and
// the largest difference (NaN counts as the largest).
func DiffTable(nameHeader, diffHeader string, names []string, diffs []float64) (md string, worst float64) {
	rows := make([][]any, len(names))
	for i, n := range names {
		rows[i] = []any{n, fmt.Sprintf("%.1e", diffs[i])}
		if math.IsNaN(diffs[i]) || diffs[i] > worst {
			worst = diffs[i]
		}
	}
	return MarkdownTable([]string{nameHeader, diffHeader}, rows), worst
}

// Bars is a bar chart of one series: a value per category.
func Bars(title, yLabel, series string, categories []string, values []float64) *svgplot.BarChart {
	return &svgplot.BarChart{Title: title, YLabel: yLabel, Categories: categories,
		Bars: []svgplot.BarSeries{{Name: series, Values: values}}}
}

// BackwardTable is g (two models, named names) as a Markdown table, one row per length: the
// backward nodes, the backward MB moved and the fwd+bwd time of each, and the ratio of the
// second model's time to the first's.
func BackwardTable(g cost.BackwardGrowth, names [2]string) string {
	var rows [][]any
	for j, n := range g.Ts {
		rows = append(rows, []any{n,
			fmt.Sprintf("%.0f", g.Nodes[0][j]), fmt.Sprintf("%.0f", g.Nodes[1][j]),
			fmt.Sprintf("%.1f", g.MB[0][j]), fmt.Sprintf("%.1f", g.MB[1][j]),
			fmt.Sprintf("%.1f", g.MS[0][j]), fmt.Sprintf("%.1f", g.MS[1][j]), fmt.Sprintf("%.1f×", g.MS[1][j]/g.MS[0][j])})
	}
	return MarkdownTable([]string{"T",
		Sprintf("backward nodes, %s", names[0]), Sprintf("backward nodes, %s", names[1]),
		Sprintf("backward MB moved, %s", names[0]), Sprintf("backward MB moved, %s", names[1]),
		Sprintf("fwd+bwd ms, %s", names[0]), Sprintf("fwd+bwd ms, %s", names[1]),
		Sprintf("%s ÷ %s (time)", names[1], names[0]),
	}, rows)
}

// BackwardLines says, per model, how its backward nodes, bytes and time grew over the last
// doubling of T.
func BackwardLines(g cost.BackwardGrowth, names [2]string) string {
	var sb strings.Builder
	n := len(g.Ts) - 1
	for i, name := range names {
		sb.WriteString(Sprintf("%-6s from T = %d to %d: backward nodes × %.2f, backward bytes moved × %.2f, fwd+bwd time × %.2f\n",
			name, g.Ts[n-1], g.Ts[n], cost.LastGrowth(g.Nodes[i]), cost.LastGrowth(g.MB[i]), cost.LastGrowth(g.MS[i])))
	}
	return sb.String()
}

// BackwardFigures plot g's backward bytes moved and fwd+bwd time against T, log–log, one line
// per model (names is each model's legend).
func BackwardFigures(g cost.BackwardGrowth, names [2]string) []*svgplot.Figure {
	x := make([]float64, len(g.Ts))
	for j, n := range g.Ts {
		x[j] = float64(n)
	}
	series := func(v [][]float64) []svgplot.Series {
		return []svgplot.Series{
			{Name: names[0], X: x, Y: v[0], Markers: true},
			{Name: names[1], X: x, Y: v[1], Markers: true, Dashed: true},
		}
	}
	return []*svgplot.Figure{
		{Title: T("Backward pass: bytes moved"), XLabel: "T", YLabel: "MB", LogX: true, LogY: true, Series: series(g.MB)},
		{Title: T("Forward+backward time, this CPU"), XLabel: "T", YLabel: "ms", LogX: true, LogY: true, Series: series(g.MS)},
	}
}

// LSTMLayouts prints the shapes of one LSTM layer's weights w in PyTorch's layout, and after
// recurrent.ToGoMLXLSTM in GoMLX's (ONNX's), one line each.
func LSTMLayouts(b compute.Backend, w *recurrent.Weights) (string, error) {
	if len(w.Tensors) < recurrent.ParamsPerLayer {
		return "", fmt.Errorf("notebook: LSTMLayouts needs one layer's %d weights, got %d", recurrent.ParamsPerLayer, len(w.Tensors))
	}
	ws := w.Tensors
	layout, err := graph.ExecOnceN(b, func(in []*graph.Node) []*graph.Node {
		iw, rw, bs := recurrent.ToGoMLXLSTM(in[0], in[1], in[2], in[3])
		return []*graph.Node{iw, rw, bs}
	}, ws[0], ws[1], ws[2], ws[3])
	if err != nil {
		return "", err
	}
	return Sprintf("PyTorch's layout (gates i, f, g, o):      weight_ih %v, weight_hh %v, bias_ih %v, bias_hh %v\n",
		ws[0].Shape().Dimensions, ws[1].Shape().Dimensions, ws[2].Shape().Dimensions, ws[3].Shape().Dimensions) +
		Sprintf("GoMLX's layout (ONNX, gates i, o, f, c):  inputsW %v, recurrentW %v, biases %v\n",
			layout[0].Shape().Dimensions, layout[1].Shape().Dimensions, layout[2].Shape().Dimensions), nil
}
