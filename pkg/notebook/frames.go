package notebook

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// Frames for Explore: small helpers that turn a cell's results into the SVG of one slider
// position.

// Labels formats one slider label per value, e.g. Labels("T = %d", []int{16, 64}).
func Labels[V any](format string, values []V) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = fmt.Sprintf(format, v)
	}
	return out
}

// Render returns the SVG of a figure or chart (svgplot.Figure, svgplot.BarChart); it panics with
// the rendering error.
func Render(p interface{ SVG() (string, error) }) string {
	svg, err := p.SVG()
	if err != nil {
		panic(err)
	}
	return svg
}

// SideBySide lays SVGs out in one row, each scaled down to its share of the page's width (HTML,
// for an Explore frame).
func SideBySide(svgs ...string) string {
	var b strings.Builder
	b.WriteString(`<style>.rnn-side svg{max-width:100%;height:auto}</style>` +
		`<div class="rnn-side" style="display:flex;gap:12px;align-items:flex-start">`)
	for _, s := range svgs {
		b.WriteString(`<div style="flex:1 1 0;min-width:0">` + s + `</div>`)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// Highlight is a one-point series that marks (x, y) on a line chart: the slider's position.
func Highlight(x, y float64) svgplot.Series {
	return svgplot.Series{X: []float64{x}, Y: []float64{y}, NoLine: true, Color: "#D55E00"}
}

// SweepLengths lists the sequence lengths a cost sweep measured at batch B, in increasing order.
func SweepLengths(t *cost.Table, B int) []int {
	var Ts []int
	for _, r := range t.Select("", "", B) {
		if !slices.Contains(Ts, r.T) {
			Ts = append(Ts, r.T)
		}
	}
	slices.Sort(Ts)
	return Ts
}

// ModelTimesAt is a bar chart of the median time per batch of every model of the sweep at
// length T and batch B, forward and forward + backward: one slider position of "time against
// T". A case the sweep skipped leaves an empty slot.
func ModelTimesAt(t *cost.Table, length, B int) *svgplot.BarChart {
	c := &svgplot.BarChart{
		Title:       Sprintf("Time per batch at T = %d, batch %d", length, B),
		YLabel:      T("time per batch (ms)"),
		ValueFormat: "%.3g",
	}
	var models []string
	for _, r := range t.Rows {
		if r.B == B && !slices.Contains(models, r.Model) {
			models = append(models, r.Model)
		}
	}
	c.Categories = models
	for _, mode := range []cost.Pass{cost.Fwd, cost.FwdBwd} {
		s := svgplot.BarSeries{Name: modeTitle(mode)}
		for _, m := range models {
			v := math.NaN()
			for _, r := range t.Select(m, mode, B) {
				if r.T == length {
					v = r.MedianMS
				}
			}
			s.Values = append(s.Values, v)
		}
		c.Bars = append(c.Bars, s)
	}
	return c
}

// ExploreFigures is Explore for frames that are line charts: fig(i) is the chart at position
// i, and every chart gets the same axes (the range of all of them, unless fig sets one), so
// that moving the slider moves the curves, not the axes.
func ExploreFigures(name string, labels []string, start int, fig func(i int) *svgplot.Figure) {
	var svgs []string
	Explore(name, labels, start, func(i int) string {
		if svgs == nil {
			svgs = commonAxes(len(labels), fig)
		}
		return svgs[i]
	})
}

// commonAxes draws fig(0..n-1) with the x and y ranges fixed to those of all the figures.
func commonAxes(n int, fig func(i int) *svgplot.Figure) []string {
	figs := make([]*svgplot.Figure, n)
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for i := range figs {
		figs[i] = fig(i)
		for _, s := range figs[i].Series {
			for j := range s.X {
				for a, v := range [2]float64{s.X[j], s.Y[j]} {
					logAxis := (a == 0 && figs[i].LogX) || (a == 1 && figs[i].LogY)
					if math.IsNaN(v) || math.IsInf(v, 0) || (logAxis && v <= 0) {
						continue
					}
					lo[a], hi[a] = math.Min(lo[a], v), math.Max(hi[a], v)
				}
			}
		}
	}
	svgs := make([]string, n)
	for i, f := range figs {
		g := *f
		pad := func(a int, log bool) [2]float64 {
			if lo[a] > hi[a] || lo[a] == hi[a] {
				return [2]float64{} // no data, or one value: automatic
			}
			if log {
				r := math.Pow(hi[a]/lo[a], 0.05)
				return [2]float64{lo[a] / r, hi[a] * r}
			}
			d := 0.05 * (hi[a] - lo[a])
			return [2]float64{lo[a] - d, hi[a] + d}
		}
		if g.XRange == [2]float64{} {
			g.XRange = pad(0, g.LogX)
		}
		if g.YRange == [2]float64{} {
			g.YRange = pad(1, g.LogY)
		}
		svgs[i] = Render(&g)
	}
	return svgs
}
