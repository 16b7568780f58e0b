package notebook

import (
	"strings"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// Display helpers for the scaling sweeps of package cost (notebook 01): the lines a cell
// prints, its figures and its slider, in the edition's language.

// DepthLines is one line per row of a depth sweep: nodes, depth, the depth formula's value
// want(T) (formula written out, e.g. "3T + 7") and the work in Mflop.
func DepthLines(rows []cost.DepthRow, formula string, want func(T int) int) string {
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(Sprintf("  T = %4d: %6d nodes, depth %5d, %s = %5d, work %8.2f Mflop\n",
			r.T, r.Nodes, r.Depth, formula, want(r.T), float64(r.Flops)/1e6))
	}
	return sb.String()
}

// LengthLines is one line per length of l (fastest time, compilation, time per step), then the
// fitted line and the range of the time per step.
func LengthLines(l cost.LengthScaling) string {
	var sb strings.Builder
	for _, r := range l.Rows {
		sb.WriteString(Sprintf("T = %5d: %8.2f ms (compile %6.0f ms), %.1f µs per step\n",
			r.T, r.MinMS, r.CompileMS, 1000*r.MinMS/float64(r.T)))
	}
	sb.WriteString(Sprintf("linear fit: %.1f µs per step, intercept %.2f ms, R² = %.4f\n", l.Slope*1000, l.Intercept, l.R2))
	sb.WriteString(Sprintf("time per step: %.1f to %.1f µs (× %.2f) while T grows × %.0f\n",
		l.PerStepMinUS, l.PerStepMaxUS, l.Spread(), l.Growth()))
	return sb.String()
}

// shapeNote says the batch, input width and machine of a measurement, for a figure's note.
func shapeNote(r cost.Row) string {
	return Sprintf("batch %d, %d inputs, float32; ", r.B, r.D) + Machine()
}

// LengthFigure plots the fastest times of l against T with the fitted line.
func LengthFigure(l cost.LengthScaling, title string) *svgplot.Figure {
	xs := l.Lengths()
	f := &svgplot.Figure{
		Title:  title,
		XLabel: T("sequence length T (steps)"),
		YLabel: T("time (ms)"),
		Series: []svgplot.Series{
			{Name: T("measured (fastest run)"), X: xs, Y: l.Times(), Markers: true},
			{Name: Sprintf("linear fit: %.1f µs/step, R² = %.3f", l.Slope*1000, l.R2), X: xs, Y: l.Fit(), Dashed: true}},
	}
	if len(l.Rows) > 0 {
		f.Notes = []string{shapeNote(l.Rows[0])}
	}
	return f
}

// lengthFrame is the slider's frame at the i-th length of l: the unrolled graph beside the
// times, the i-th one marked, with the depth formula's value in the title.
func lengthFrame(l cost.LengthScaling, i int, formula string, depth func(T int) int) string {
	xs, ys := l.Lengths(), l.Times()
	n := l.Rows[i].T
	return SideBySide(svgplot.UnrolledRNN(n, true), Render(&svgplot.Figure{
		Title:  Sprintf("T = %d: depth %s = %d, %.2f ms", n, formula, depth(n), ys[i]),
		XLabel: T("sequence length T (steps)"), YLabel: T("time (ms)"), Width: 460,
		Series: []svgplot.Series{{X: xs, Y: ys, Markers: true}, Highlight(xs[i], ys[i])}}))
}

// ExploreLengths shows a slider over the lengths of l (Explore): at each, the unrolled graph,
// its depth depth(T) (formula written out) and the measured time.
func ExploreLengths(l cost.LengthScaling, formula string, depth func(T int) int) {
	Ts := make([]int, len(l.Rows))
	for i, r := range l.Rows {
		Ts[i] = r.T
	}
	Explore("T", Labels("T = %d", Ts), 0, func(i int) string { return lengthFrame(l, i, formula, depth) })
}

// BatchLines is one line per row of a batch sweep (rows at increasing B): median time of a
// batch and throughput; then, with two rows or more, how much throughput grew from the first
// batch size to the last and over the last step, and which batch was the fastest.
func BatchLines(rows []cost.Row) string {
	var sb strings.Builder
	fastest := 0
	for i, r := range rows {
		sb.WriteString(Sprintf("B = %4d: batch takes %8.2f ms → %8.0f sequences/s\n", r.B, r.MedianMS, r.Throughput()))
		if r.MedianMS < rows[fastest].MedianMS {
			fastest = i
		}
	}
	if n := len(rows); n >= 2 {
		first, prev, last := rows[0], rows[n-2], rows[n-1]
		sb.WriteString(Sprintf("throughput × %.1f from B = %d to B = %d, × %.2f over the last step (B = %d → %d); fastest batch: B = %d, %.2f ms\n",
			last.Throughput()/first.Throughput(), first.B, last.B, last.Throughput()/prev.Throughput(), prev.B, last.B,
			rows[fastest].B, rows[fastest].MedianMS))
	}
	return sb.String()
}

// BatchFigures are throughput and latency against the batch size of rows (one case at
// increasing B), on log–log axes; name labels the case.
func BatchFigures(rows []cost.Row, name string) []*svgplot.Figure {
	var xs, thr, lat []float64
	for _, r := range rows {
		xs, thr, lat = append(xs, float64(r.B)), append(thr, r.Throughput()), append(lat, r.MedianMS)
	}
	return []*svgplot.Figure{{
		Title:  T("Throughput against the batch size"),
		XLabel: T("batch size B"), YLabel: T("sequences per second"),
		LogX: true, LogY: true, Width: 460,
		Series: []svgplot.Series{{Name: name, X: xs, Y: thr, Markers: true}},
	}, {
		Title:  T("…but each sequence still waits T steps"),
		XLabel: T("batch size B"), YLabel: T("time of one batch (ms)"),
		LogX: true, LogY: true, Width: 460,
		Series: []svgplot.Series{{Name: T("latency of every sequence in the batch"), X: xs, Y: lat, Markers: true}},
	}}
}

// GPUThroughput is the throughput against the batch size of the committed GPU run's forward
// tanh RNN at length T, GoMLX on XLA beside PyTorch, and one line per point; the figure is nil
// when the run has no such rows.
func GPUThroughput(run *cost.GPURun, length int) (*svgplot.Figure, string) {
	fig := &svgplot.Figure{
		Title:  T("Throughput against the batch on a GPU"),
		XLabel: T("batch size B"), YLabel: T("sequences per second"),
		LogX: true, LogY: true,
		Notes: []string{T("measured: ") + run.Label()}}
	var sb strings.Builder
	for _, src := range []struct {
		name, model string
		tab         *cost.Table
	}{{T("GoMLX on XLA"), "rnn", run.Go}, {T("PyTorch (cuDNN)"), "torch_rnn", run.Torch}} {
		var xs, ys []float64
		for _, r := range src.tab.Select(src.model, cost.Fwd, 0) {
			if r.T != length {
				continue
			}
			xs, ys = append(xs, float64(r.B)), append(ys, r.Throughput())
			sb.WriteString(Sprintf("%-16s B = %4d: %8.3f ms per batch → %10.0f sequences/s\n", src.name, r.B, r.MedianMS, r.Throughput()))
		}
		if len(xs) > 0 {
			fig.Series = append(fig.Series, svgplot.Series{Name: src.name, X: xs, Y: ys, Markers: true})
		}
	}
	if len(fig.Series) == 0 {
		return nil, Sprintf("The committed GPU run has no forward rows of the RNN at T = %d.\n", length)
	}
	return fig, sb.String()
}
