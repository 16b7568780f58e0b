package svgplot

import (
	"fmt"
	"math"
	"strings"
)

// LegendPos says where the legend goes. The zero value, LegendAuto, tries the upper-left,
// upper-right, lower-right and lower-left corners of the plot in that order and takes the first
// that covers no data point, line, error bar or reference line; if none is free, the legend goes
// outside, to the right of the plot (which then gets narrower).
type LegendPos int

const (
	LegendAuto LegendPos = iota
	LegendUpperLeft
	LegendUpperRight
	LegendLowerLeft
	LegendLowerRight
	LegendOutside // to the right of the plot area
	LegendNone    // no legend
)

// RefLine is a horizontal reference line across the plot, e.g. a "uniform baseline" loss of
// ln(vocab). Its label is written at the right end, above the line.
type RefLine struct {
	Y     float64
	Label string
	Color string // default dark grey; the line is always dashed
}

// Series is one line and/or set of markers.
//
// NaN in X or Y (or in both) skips that point and breaks the line there: the next point
// starts a new stroke. A point isolated between NaNs is therefore visible only with Markers.
// ±Inf is an error (replace it by NaN to leave a gap).
type Series struct {
	Name    string // legend entry; series without a name are left out of the legend
	X, Y    []float64
	Dashed  bool   // dashed line (e.g. a baseline or a second model family)
	Markers bool   // a filled circle at each point
	NoLine  bool   // markers only (a scatter plot); implies Markers
	Color   string // any SVG colour; default Palette[i % len(Palette)] for the i-th series

	// YErrLow and YErrHigh, if set, are the y values of the lower and upper end of an error bar
	// at each point (absolute values, not offsets: e.g. min and max, or 10th and 90th
	// percentile over seeds). Both or neither; one value per point; NaN skips that bar.
	YErrLow, YErrHigh []float64
}

// Figure is a line or scatter chart with optional log axes. The zero value of every field is
// a sensible default; Series must hold at least one finite point.
type Figure struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool // log10 axes; then every value on that axis must be > 0
	Width, Height         int  // px; default 640x400
	Series                []Series
	HLines                []RefLine
	Notes                 []string  // small grey lines under the title: hardware, backend, seeds
	Legend                LegendPos // default LegendAuto

	// XRange and YRange fix the axis limits {min, max}; the zero value {0, 0} means automatic:
	// the data range (error bars and reference lines included) widened to round tick values.
	// Lines leaving a fixed range are clipped at the frame.
	XRange, YRange [2]float64
}

// Marker radius and dash pattern of series lines.
const (
	markerR     = 3.0
	dashPattern = "7 4"
	dotPattern  = "1.5 3.5"
)

// SVG renders the figure as a standalone SVG document. It returns an error, and no SVG, for a
// figure without points, series with len(X) != len(Y) or badly sized error bars, ±Inf values,
// values ≤ 0 on a log axis, and invalid fixed ranges.
func (f *Figure) SVG() (string, error) {
	W, H, err := size(f.Width, f.Height)
	if err != nil {
		return "", err
	}
	var b builder
	b.open(W, H)
	if err := f.render(&b); err != nil {
		return "", err
	}
	return b.finish(), nil
}

// validate checks the input and returns the data limits {xmin, xmax}, {ymin, ymax} (the fixed
// ranges where given).
func (f *Figure) validate() (xr, yr [2]float64, err error) {
	if len(f.Series) == 0 {
		return xr, yr, fmt.Errorf("svgplot: figure %q has no series", f.Title)
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	addY := func(v float64) {
		ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
	}
	points := 0
	for i, s := range f.Series {
		where := fmt.Sprintf("svgplot: series %d (%q)", i, s.Name)
		if len(s.X) != len(s.Y) {
			return xr, yr, fmt.Errorf("%s: len(X)=%d but len(Y)=%d; want one x per y", where, len(s.X), len(s.Y))
		}
		if (s.YErrLow == nil) != (s.YErrHigh == nil) {
			return xr, yr, fmt.Errorf("%s: only one of YErrLow and YErrHigh is set; set both or neither", where)
		}
		if s.YErrLow != nil && (len(s.YErrLow) != len(s.Y) || len(s.YErrHigh) != len(s.Y)) {
			return xr, yr, fmt.Errorf("%s: len(YErrLow)=%d, len(YErrHigh)=%d; want len(Y)=%d (one per point)",
				where, len(s.YErrLow), len(s.YErrHigh), len(s.Y))
		}
		check := func(name string, v float64, j int, log bool, axisName string) error {
			if math.IsInf(v, 0) {
				return fmt.Errorf("%s: %s[%d]=%v; use NaN to leave a gap", where, name, j, v)
			}
			if log && v <= 0 {
				return fmt.Errorf("%s: %s[%d]=%g, but %s is set and a log axis needs values > 0", where, name, j, v, axisName)
			}
			return nil
		}
		for j := range s.X {
			x, y := s.X[j], s.Y[j]
			if math.IsNaN(x) || math.IsNaN(y) {
				continue
			}
			if err := check("X", x, j, f.LogX, "LogX"); err != nil {
				return xr, yr, err
			}
			if err := check("Y", y, j, f.LogY, "LogY"); err != nil {
				return xr, yr, err
			}
			points++
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
			addY(y)
			if s.YErrLow != nil {
				for _, e := range []struct {
					name string
					v    float64
				}{{"YErrLow", s.YErrLow[j]}, {"YErrHigh", s.YErrHigh[j]}} {
					if math.IsNaN(e.v) {
						continue
					}
					if err := check(e.name, e.v, j, f.LogY, "LogY"); err != nil {
						return xr, yr, err
					}
					addY(e.v)
				}
			}
		}
	}
	if points == 0 {
		return xr, yr, fmt.Errorf("svgplot: figure %q has no finite data points (every series is empty or NaN)", f.Title)
	}
	for i, l := range f.HLines {
		if math.IsNaN(l.Y) || math.IsInf(l.Y, 0) || (f.LogY && l.Y <= 0) {
			return xr, yr, fmt.Errorf("svgplot: HLines[%d] (%q): Y=%g; want a finite value (> 0 on a log y axis)", i, l.Label, l.Y)
		}
		addY(l.Y)
	}
	xr, yr = [2]float64{xmin, xmax}, [2]float64{ymin, ymax}
	for _, r := range []struct {
		name string
		v    [2]float64
		log  bool
		dst  *[2]float64
	}{{"XRange", f.XRange, f.LogX, &xr}, {"YRange", f.YRange, f.LogY, &yr}} {
		if r.v == [2]float64{} {
			continue
		}
		if !(r.v[0] < r.v[1]) || math.IsInf(r.v[0], 0) || math.IsInf(r.v[1], 0) || (r.log && r.v[0] <= 0) {
			return xr, yr, fmt.Errorf("svgplot: %s=%v; want finite min < max (and min > 0 on a log axis), or {0, 0} for automatic", r.name, r.v)
		}
		*r.dst = r.v
	}
	return xr, yr, nil
}

// plotLayout is the geometry of one chart: plot rectangle in px and the two axes.
type plotLayout struct {
	W, H           float64
	hd             header
	x0, y0, x1, y1 float64
	xa, ya         axis
}

func (l *plotLayout) px(v float64) float64 { return l.x0 + l.xa.frac(v)*(l.x1-l.x0) }
func (l *plotLayout) py(v float64) float64 { return l.y1 - l.ya.frac(v)*(l.y1-l.y0) }
func (l *plotLayout) rect() rectF          { return rectF{l.x0, l.y0, l.x1, l.y1} }

// layout computes margins from the text that goes in them; reserveRight is extra room on
// the right (an outside legend).
func (f *Figure) layout(W, H float64, xr, yr [2]float64, reserveRight float64) plotLayout {
	l := plotLayout{W: W, H: H, hd: makeHeader(f.Title, f.Notes, W)}
	l.y0 = l.hd.bottom
	bottom := 8 + tickLen + 4 + fsTick
	if f.XLabel != "" {
		bottom += 8 + fsLabel
	}
	l.y1 = H - bottom
	l.ya = makeAxis(f.LogY, yr[0], yr[1], f.YRange != [2]float64{}, l.y1-l.y0, false)
	l.x0 = 10 + maxLabelWidth(l.ya) + tickLen + 4
	if f.YLabel != "" {
		l.x0 += fsLabel + 8
	}
	right := 16 + reserveRight
	for range 2 {
		l.x1 = W - right
		l.xa = makeAxis(f.LogX, xr[0], xr[1], f.XRange != [2]float64{}, l.x1-l.x0, true)
		last := l.xa.major[len(l.xa.major)-1]
		overhang := l.px(last.v) + textWidth(last.label, fsTick)/2 + 4 - (W - reserveRight)
		if overhang <= 0 {
			break
		}
		right += overhang
	}
	return l
}

func (f *Figure) legendEntries() []legendEntry {
	var es []legendEntry
	for i, s := range f.Series {
		if s.Name == "" {
			continue
		}
		es = append(es, legendEntry{name: s.Name, color: seriesColor(s.Color, i), line: !s.NoLine,
			dash: seriesDash(&f.Series[i], i), markers: s.Markers || s.NoLine})
	}
	return es
}

func seriesColor(c string, i int) string {
	if c != "" {
		return c
	}
	return Palette[i%len(Palette)]
}

// seriesDash is the dash pattern of series i: dashed if asked for; dotted when the palette has
// wrapped around and the colour repeats that of an earlier series.
func seriesDash(s *Series, i int) string {
	switch {
	case s.Dashed:
		return dashPattern
	case s.Color == "" && (i/len(Palette))%2 == 1:
		return dotPattern
	}
	return ""
}

// render draws the figure into b in its own coordinates (0..W, 0..H).
func (f *Figure) render(b *builder) error {
	W, H, err := size(f.Width, f.Height)
	if err != nil {
		return err
	}
	xr, yr, err := f.validate()
	if err != nil {
		return err
	}
	entries := f.legendEntries()
	if f.Legend == LegendNone {
		entries = nil
	}
	lw, lh := legendSize(entries)
	l := f.layout(W, H, xr, yr, 0)
	var lx, ly float64
	if len(entries) > 0 {
		var inside bool
		lx, ly, inside = placeLegend(f.Legend, l.rect(), lw, lh, f.obstacles(&l))
		if !inside {
			l = f.layout(W, H, xr, yr, lw+12)
			lx, ly = l.x1+12, l.y0
		}
	}

	l.hd.draw(b, W)
	// Grid: vertical lines for x ticks; drawYAxis adds the horizontal ones and the y ticks.
	for _, v := range l.xa.minor {
		b.line(l.px(v), l.y0, l.px(v), l.y1, "stroke", colMinor, "stroke-width", "1")
	}
	for _, t := range l.xa.major {
		b.line(l.px(t.v), l.y0, l.px(t.v), l.y1, "stroke", colGrid, "stroke-width", "1")
	}
	labelX := 10 + fsLabel
	drawYAxis(b, l.ya, l.x0, l.x1, l.py, f.YLabel, labelX, l.y0, l.y1)
	for _, v := range l.xa.minor {
		b.line(l.px(v), l.y1, l.px(v), l.y1+tickLen*0.6, "stroke", colFrame, "stroke-width", "1")
	}
	for _, t := range l.xa.major {
		x := l.px(t.v)
		b.line(x, l.y1, x, l.y1+tickLen, "stroke", colFrame, "stroke-width", "1")
		b.text(x, l.y1+tickLen+4+fsTick*0.8, t.label, "font-size", num(fsTick), "text-anchor", "middle", "fill", colText)
	}
	if f.XLabel != "" {
		b.text((l.x0+l.x1)/2, H-10, f.XLabel, "font-size", num(fsLabel), "text-anchor", "middle", "fill", colText)
	}
	b.rect(l.x0, l.y0, l.x1-l.x0, l.y1-l.y0, "fill", "none", "stroke", colFrame, "stroke-width", "1")
	drawRefLines(b, f.HLines, l.x0, l.x1, l.y0, l.y1, l.py, false)
	for i := range f.Series {
		f.drawSeries(b, &l, i)
	}
	drawRefLines(b, f.HLines, l.x0, l.x1, l.y0, l.y1, l.py, true)
	if len(entries) > 0 {
		drawLegend(b, lx, ly, entries)
	}
	return nil
}

// drawSeries writes, for series i: one <path> of error bars (if any), one <path> for the line
// (class "svgplot-series", one M or L command per drawn point) and one <path> of markers.
func (f *Figure) drawSeries(b *builder, l *plotLayout, i int) {
	s := &f.Series[i]
	color := seriesColor(s.Color, i)
	clip := l.rect()
	clip = rectF{clip.x0 - 0.5, clip.y0 - 0.5, clip.x1 + 0.5, clip.y1 + 0.5}
	finite := func(j int) bool { return !math.IsNaN(s.X[j]) && !math.IsNaN(s.Y[j]) }

	if s.YErrLow != nil {
		var d strings.Builder
		for j := range s.X {
			lo, hi := s.YErrLow[j], s.YErrHigh[j]
			if !finite(j) || math.IsNaN(lo) || math.IsNaN(hi) {
				continue
			}
			x := l.px(s.X[j])
			a, c, ok := clipSegment(pt{x, l.py(lo)}, pt{x, l.py(hi)}, clip)
			if !ok {
				continue
			}
			d.WriteString("M" + num(a.x) + "," + num(a.y) + "V" + num(c.y))
			for _, y := range []float64{l.py(lo), l.py(hi)} {
				if clip.contains(pt{x, y}) {
					d.WriteString("M" + num(x-3) + "," + num(y) + "h6")
				}
			}
		}
		if d.Len() > 0 {
			b.el("path", "class", "svgplot-errbars", "d", d.String(), "fill", "none", "stroke", color,
				"stroke-width", "1.2", "stroke-opacity", "0.8")
		}
	}

	if !s.NoLine {
		var d strings.Builder
		penDown, havePrev := false, false
		var prev pt
		for j := range s.X {
			if !finite(j) {
				penDown, havePrev = false, false
				continue
			}
			p := pt{l.px(s.X[j]), l.py(s.Y[j])}
			if !havePrev {
				if clip.contains(p) {
					d.WriteString("M" + num(p.x) + "," + num(p.y))
					penDown = true
				}
				prev, havePrev = p, true
				continue
			}
			a, c, ok := clipSegment(prev, p, clip)
			if ok {
				if !penDown || a != prev {
					d.WriteString("M" + num(a.x) + "," + num(a.y))
				}
				d.WriteString("L" + num(c.x) + "," + num(c.y))
				penDown = c == p
			} else {
				penDown = false
			}
			prev = p
		}
		if d.Len() > 0 {
			b.openEl("path", "class", "svgplot-series", "d", d.String(), "fill", "none", "stroke", color,
				"stroke-width", "2", "stroke-linejoin", "round", "stroke-linecap", "butt", "stroke-dasharray", seriesDash(s, i))
			if s.Name != "" {
				b.raw("<title>" + esc(s.Name) + "</title>\n")
			}
			b.closeEl("path")
		}
	}

	if s.Markers || s.NoLine {
		var d strings.Builder
		r := markerR
		for j := range s.X {
			if !finite(j) {
				continue
			}
			p := pt{l.px(s.X[j]), l.py(s.Y[j])}
			if !clip.contains(p) {
				continue
			}
			d.WriteString("M" + num(p.x-r) + "," + num(p.y) + "a" + num(r) + "," + num(r) + " 0 1,0 " + num(2*r) + ",0a" +
				num(r) + "," + num(r) + " 0 1,0 " + num(-2*r) + ",0z")
		}
		if d.Len() > 0 {
			b.el("path", "class", "svgplot-markers", "d", d.String(), "fill", color, "stroke", "white", "stroke-width", "0.8")
		}
	}
}

// obstacles collects, in pixels, everything a legend inside the plot would hide.
func (f *Figure) obstacles(l *plotLayout) *obstacles {
	obs := &obstacles{}
	for _, s := range f.Series {
		var prev pt
		havePrev := false
		for j := range s.X {
			if math.IsNaN(s.X[j]) || math.IsNaN(s.Y[j]) {
				havePrev = false
				continue
			}
			p := pt{l.px(s.X[j]), l.py(s.Y[j])}
			obs.pts = append(obs.pts, p)
			if havePrev && !s.NoLine {
				obs.segs = append(obs.segs, [2]pt{prev, p})
			}
			if s.YErrLow != nil && !math.IsNaN(s.YErrLow[j]) && !math.IsNaN(s.YErrHigh[j]) {
				obs.segs = append(obs.segs, [2]pt{{p.x, l.py(s.YErrLow[j])}, {p.x, l.py(s.YErrHigh[j])}})
			}
			prev, havePrev = p, true
		}
	}
	refLineObstacles(obs, f.HLines, l.x0, l.x1, l.y0, l.py)
	return obs
}
