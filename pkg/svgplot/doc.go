// Package svgplot draws the charts and diagrams of the course as SVG documents returned as
// strings, with the standard library only. The output is meant to be displayed by a GoNB
// notebook cell (pkg/notebook.ShowSVG), saved with the notebook, exported by nbconvert and shown
// by GitHub's notebook viewer, so every document is self-contained: one root
// <svg xmlns width height viewBox font-family="sans-serif">, presentation attributes only (no
// <style>, no scripts, no external fonts or links), and no id attributes (arrowheads are
// polygons, not <marker>s; lines are clipped in Go, not with <clipPath>), so that any number of
// them can be inlined into one HTML page. The output is deterministic: the same input gives the
// same bytes, so regenerated notebooks diff cleanly.
//
// What there is:
//
//   - Figure: line and scatter charts with linear or log axes, markers, dashed lines, error
//     bars, horizontal reference lines (e.g. the uniform-prediction baseline), notes under the
//     title (hardware, backend) and a legend placed where it hides no data (or outside).
//   - BarChart: grouped bars with category labels, e.g. ms per step by model.
//   - Grid: several figures side by side in one SVG.
//   - UnrolledRNN, ScanTree, BPTTDiagram: the diagrams of the course: the critical path of
//     h_t = f(h_{t-1}, x_t), work and depth of sequential, Hillis–Steele and Blelloch scans,
//     and the backward-in-time chain of BPTT.
//
// Axes: linear ticks are at multiples of {1, 2, 5} × 10^k; log axes are labelled at powers of
// ten (1, 10, 100, 1k, 10k, 100k, 1M; 0.1, 0.01; 1e-3 and 1e9 beyond) with minor ticks at
// 2..9 × 10^k, and data spanning less than two decades is labelled at {1, 2, 5} × 10^k, so
// it always gets at least two labels. Colours default to the Okabe-Ito palette, which stays
// distinguishable with the common forms of colour blindness; series past the eighth colour
// repeat colours with a dotted line.
//
// Bad input is an error, not a panic: mismatched X/Y lengths, ±Inf, values ≤ 0 on a log axis
// (the message names the series and index), figures without any finite point. NaN is not an
// error: the point is skipped and the line broken there (a gap in a training curve). The
// diagram functions return an SVG that states the problem for invalid arguments.
//
// Usage:
//
//	fig := &svgplot.Figure{
//		Title: "Validation loss", XLabel: "step", YLabel: "loss (nats/char)", LogX: true,
//		Notes:  []string{"measured on AMD EPYC, 2 cores, Go backend"},
//		Series: []svgplot.Series{{Name: "LSTM", X: steps, Y: loss}},
//		HLines: []svgplot.RefLine{{Y: math.Log(vocab), Label: "uniform baseline"}},
//	}
//	svg, err := fig.SVG()
//	if err != nil {
//		return err
//	}
//	notebook.ShowSVG(svg) // in a notebook (pkg/notebook waits for GoNB to take it); or os.WriteFile("loss.svg", []byte(svg), 0o644)
//
//	notebook.ShowSVG(svgplot.ScanTree(8, "blelloch"))
//
// Examples of every chart and diagram are in testdata/ (regenerate them with
// go test ./pkg/svgplot -run TestExamples -update).
package svgplot
