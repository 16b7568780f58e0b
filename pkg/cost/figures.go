package cost

import (
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// Figures of a sweep's table, as notebooks 05 and 06 show them: solid lines for the recurrent
// models, dashed for the parallel ones.

// TimeFigure plots the median time per batch against T of every model with rows of the given
// pass and batch B, with min–max bars over the repeats.
func TimeFigure(t *Table, models []Model, mode Pass, B int, title string) *svgplot.Figure {
	fig := &svgplot.Figure{Title: title, XLabel: lang.T("sequence length T"), YLabel: lang.T("time per batch (ms)"),
		LogX: true, LogY: true, Width: 470, Legend: svgplot.LegendOutside}
	for _, m := range models {
		var xs, ys, lo, hi []float64
		for _, r := range t.Select(m.Name, mode, B) {
			xs, ys = append(xs, float64(r.T)), append(ys, r.MedianMS)
			lo, hi = append(lo, r.MinMS), append(hi, r.MaxMS)
		}
		if len(xs) > 0 {
			fig.Series = append(fig.Series, svgplot.Series{Name: m.Name, X: xs, Y: ys, Markers: true,
				Dashed: !m.Sequential, YErrLow: lo, YErrHigh: hi})
		}
	}
	return fig
}

// UtilisationFigures are four plots of the forward + backward rows: achieved throughput
// (Row.GFLOPS) and cores busy (Row.CoresBusy) against T at batch B, and against the batch at
// length batchT, with the matmul peak (GFLOP/s) and the number of cores as reference lines.
func UtilisationFigures(t *Table, models []Model, B, batchT int, peak float64, cores int) []*svgplot.Figure {
	peakLine := []svgplot.RefLine{{Y: peak, Label: lang.Sprintf("512² matmul: %.1f GFLOP/s", peak)}}
	coreLine := []svgplot.RefLine{{Y: float64(cores), Label: lang.Sprintf("%d cores", cores)}}
	lenT, batch, busy := lang.T("sequence length T"), lang.T("batch B"), lang.T("CPU time / wall time")
	figs := []*svgplot.Figure{
		{Title: lang.Sprintf("Achieved throughput, batch %d", B), XLabel: lenT, YLabel: "GFLOP/s", LogX: true, LogY: true, HLines: peakLine},
		{Title: lang.Sprintf("Cores busy, batch %d", B), XLabel: lenT, YLabel: busy, LogX: true, HLines: coreLine},
		{Title: lang.Sprintf("Achieved throughput, T = %d", batchT), XLabel: batch, YLabel: "GFLOP/s", LogX: true, LogY: true, HLines: peakLine},
		{Title: lang.Sprintf("Cores busy, T = %d", batchT), XLabel: batch, YLabel: busy, LogX: true, HLines: coreLine},
	}
	for i, m := range models {
		var x [2][]float64
		var y [4][]float64
		for _, r := range t.Select(m.Name, FwdBwd, B) {
			x[0], y[0], y[1] = append(x[0], float64(r.T)), append(y[0], r.GFLOPS()), append(y[1], r.CoresBusy())
		}
		for _, r := range t.Select(m.Name, FwdBwd, 0) {
			if r.T == batchT {
				x[1], y[2], y[3] = append(x[1], float64(r.B)), append(y[2], r.GFLOPS()), append(y[3], r.CoresBusy())
			}
		}
		for j, f := range figs {
			if xs := x[j/2]; len(xs) > 0 {
				f.Series = append(f.Series, svgplot.Series{Name: m.Name, X: xs, Y: y[j], Markers: true,
					Dashed: !m.Sequential, Color: svgplot.Palette[i%len(svgplot.Palette)]})
			}
		}
	}
	for _, f := range figs {
		f.Width = 460
	}
	return figs
}

// BatchFigures plots, at length T, the throughput (sequences per second) and the latency (ms per
// batch) of each model's rows of the given pass against the batch. ok is false when no model has
// two batches at T.
func BatchFigures(t *Table, models []Model, mode Pass, T int) (throughput, latency *svgplot.Figure, ok bool) {
	throughput = &svgplot.Figure{Title: lang.Sprintf("Throughput, T = %d, %s", T, passLabel(mode)), XLabel: lang.T("batch size"),
		YLabel: lang.T("sequences / s"), LogX: true, LogY: true, Width: 470}
	latency = &svgplot.Figure{Title: lang.Sprintf("Latency of a batch, T = %d, %s", T, passLabel(mode)), XLabel: lang.T("batch size"),
		YLabel: lang.T("ms per batch"), LogX: true, LogY: true, Width: 470, Legend: svgplot.LegendNone}
	for _, m := range models {
		var xs, tp, lt []float64
		for _, r := range t.Select(m.Name, mode, 0) {
			if r.T == T && r.MedianMS > 0 {
				xs, tp, lt = append(xs, float64(r.B)), append(tp, float64(r.B)/(r.MedianMS/1000)), append(lt, r.MedianMS)
			}
		}
		if len(xs) < 2 {
			continue
		}
		throughput.Series = append(throughput.Series, svgplot.Series{Name: m.Name, X: xs, Y: tp, Markers: true, Dashed: !m.Sequential})
		latency.Series = append(latency.Series, svgplot.Series{Name: m.Name, X: xs, Y: lt, Markers: true, Dashed: !m.Sequential})
	}
	return throughput, latency, len(throughput.Series) > 0
}

// DepthMemoryFigures plots the exact critical-path depth and the activation memory kept for the
// backward pass (MiB) of each model's forward + backward rows at batch B against T.
func DepthMemoryFigures(t *Table, models []Model, B int) (depth, memory *svgplot.Figure) {
	depth = &svgplot.Figure{Title: lang.T("Critical-path depth (forward + backward)"), XLabel: "T",
		YLabel: lang.T("operations on the longest chain"), LogX: true, LogY: true, Width: 470}
	memory = &svgplot.Figure{Title: lang.T("Activations kept for the backward pass"), XLabel: "T",
		YLabel: lang.Sprintf("MiB (batch %d)", B), LogX: true, LogY: true, Width: 470, Legend: svgplot.LegendNone}
	for _, m := range models {
		var xs, ds, xm, ms []float64
		for _, r := range t.Select(m.Name, FwdBwd, B) {
			xs, ds = append(xs, float64(r.T)), append(ds, float64(r.Depth))
			if r.ActBytes > 0 {
				xm, ms = append(xm, float64(r.T)), append(ms, float64(r.ActBytes)/(1<<20))
			}
		}
		if len(xs) > 0 {
			depth.Series = append(depth.Series, svgplot.Series{Name: m.Name, X: xs, Y: ds, Markers: true, Dashed: !m.Sequential})
		}
		if len(xm) > 0 {
			memory.Series = append(memory.Series, svgplot.Series{Name: m.Name, X: xm, Y: ms, Markers: true, Dashed: !m.Sequential})
		}
	}
	return depth, memory
}

// ModelFigure plots each named model's measured median time against T (solid, with markers)
// beside a work-depth model's prediction of the same rows (dotted, same colour): pred is
// PredictTable(measured, model). The series are named "<model> (CPU, measured)" and
// "<model> (H200 model)".
func ModelFigure(measured, pred *Table, names []string, mode Pass, B int, title, note string) *svgplot.Figure {
	fig := &svgplot.Figure{Title: title, XLabel: lang.T("sequence length T"), YLabel: lang.T("time (ms)"),
		LogX: true, LogY: true, Legend: svgplot.LegendOutside, Width: 780, Notes: []string{note}}
	for i, name := range names {
		xs, ys := measured.Series(name, mode, B)
		if len(xs) == 0 {
			continue
		}
		px, py := pred.Series(name, mode, B)
		color := svgplot.Palette[i%len(svgplot.Palette)]
		fig.Series = append(fig.Series,
			svgplot.Series{Name: name + lang.T(" (CPU, measured)"), X: xs, Y: ys, Markers: true, Color: color},
			svgplot.Series{Name: name + lang.T(" (H200 model)"), X: px, Y: py, Dashed: true, Color: color})
	}
	return fig
}

// passLabel names a pass in a title: "forward", "forward + backward".
func passLabel(p Pass) string {
	if p == Fwd {
		return lang.T("forward")
	}
	return lang.T("forward + backward")
}
