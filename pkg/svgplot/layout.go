package svgplot

import (
	"fmt"
	"math"
)

// Shared by Figure and BarChart: size defaults, title/notes header, axis construction,
// legends and the obstacle test used to place a legend where it hides no data.

const (
	defaultWidth  = 640
	defaultHeight = 400
	minWidth      = 160
	minHeight     = 120
	tickLen       = 5.0
)

// size applies the 640x400 default and rejects sizes too small to hold a plot.
func size(w, h int) (float64, float64, error) {
	if w == 0 {
		w = defaultWidth
	}
	if h == 0 {
		h = defaultHeight
	}
	if w < minWidth || h < minHeight {
		return 0, 0, fmt.Errorf("svgplot: size %dx%d is too small: want at least %dx%d px (0 means the default %dx%d)",
			w, h, minWidth, minHeight, defaultWidth, defaultHeight)
	}
	return float64(w), float64(h), nil
}

// header is the title (bold, centred) and the notes (small, grey) above the plot.
type header struct {
	title, notes []string
	bottom       float64 // y where the plot area may start
}

func makeHeader(title string, notes []string, W float64) header {
	h := header{title: wrap(title, fsTitle, W-20)}
	for _, n := range notes {
		h.notes = append(h.notes, wrap(n, fsNote, W-20)...)
	}
	y := 6.0
	if len(h.title) > 0 {
		y += 4 + 20*float64(len(h.title))
	}
	y += 14 * float64(len(h.notes))
	h.bottom = y + 14
	return h
}

func (h header) draw(b *builder, W float64) {
	y := 6.0
	for _, l := range h.title {
		y += 20
		b.text(W/2, y, l, "font-size", num(fsTitle), "font-weight", "bold", "text-anchor", "middle", "fill", colText)
	}
	if len(h.title) > 0 {
		y += 4
	}
	for _, l := range h.notes {
		y += 14
		b.text(W/2, y, l, "font-size", num(fsNote), "text-anchor", "middle", "fill", colMuted)
	}
}

// makeAxis builds a linear or log axis for data in [lo, hi] drawn over pxLen pixels. On a
// horizontal axis it lowers the tick density until the labels do not overlap.
func makeAxis(log bool, lo, hi float64, fixed bool, pxLen float64, horizontal bool) axis {
	spacing := 50.0 // px per tick, vertical
	if horizontal {
		spacing = 90
	}
	for {
		var a axis
		if log {
			per := 24.0
			if horizontal {
				per = spacing / 2
			}
			a = logAxis(lo, hi, pxLen, max(2, int(pxLen/per)), fixed)
		} else {
			a = linearAxis(lo, hi, min(10, max(2, int(pxLen/spacing))), fixed)
		}
		if !horizontal || labelsFit(a, pxLen) || spacing > pxLen {
			return a
		}
		spacing *= 1.4
	}
}

// labelsFit reports whether the horizontal tick labels of a leave at least 6 px between them.
func labelsFit(a axis, pxLen float64) bool {
	for i := 1; i < len(a.major); i++ {
		d := (a.frac(a.major[i].v) - a.frac(a.major[i-1].v)) * pxLen
		if d < (textWidth(a.major[i].label, fsTick)+textWidth(a.major[i-1].label, fsTick))/2+6 {
			return false
		}
	}
	return true
}

func maxLabelWidth(a axis) float64 {
	w := 0.0
	for _, t := range a.major {
		w = math.Max(w, textWidth(t.label, fsTick))
	}
	return w
}

// legendEntry is one row of a legend: a line sample (dashed or not, with or without a marker)
// or, for bar charts, a filled square.
type legendEntry struct {
	name, color, dash     string
	line, markers, swatch bool
}

const (
	legendRow    = 18.0
	legendSample = 26.0
	legendPad    = 8.0
)

func legendSize(entries []legendEntry) (w, h float64) {
	if len(entries) == 0 {
		return 0, 0
	}
	nameW := 0.0
	for _, e := range entries {
		nameW = math.Max(nameW, textWidth(e.name, fsLegend))
	}
	return legendPad + legendSample + 6 + nameW + legendPad, float64(len(entries))*legendRow + legendPad
}

func drawLegend(b *builder, x, y float64, entries []legendEntry) {
	w, h := legendSize(entries)
	b.rect(x, y, w, h, "fill", "white", "fill-opacity", "0.9", "stroke", "#bbbbbb", "rx", "3")
	for i, e := range entries {
		cy := y + legendPad/2 + legendRow*float64(i) + legendRow/2
		sx := x + legendPad
		switch {
		case e.swatch:
			b.rect(sx+legendSample/2-6, cy-6, 12, 12, "fill", e.color)
		default:
			if e.line {
				b.line(sx, cy, sx+legendSample, cy, "stroke", e.color, "stroke-width", "2", "stroke-dasharray", e.dash)
			}
			if e.markers {
				b.circle(sx+legendSample/2, cy, markerR, "fill", e.color, "stroke", "white", "stroke-width", "1")
			}
		}
		b.text(sx+legendSample+6, cy+fsLegend*0.35, e.name, "font-size", num(fsLegend), "fill", colText)
	}
}

type pt struct{ x, y float64 }

type rectF struct{ x0, y0, x1, y1 float64 }

func (r rectF) contains(p pt) bool {
	return p.x >= r.x0 && p.x <= r.x1 && p.y >= r.y0 && p.y <= r.y1
}

func (r rectF) overlaps(o rectF) bool {
	return r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1
}

// obstacles are what a legend must not cover: data points, line segments and boxes (bars,
// labels), all in pixels.
type obstacles struct {
	pts   []pt
	segs  [][2]pt
	rects []rectF
}

// hits counts the obstacles that intersect r.
func (o *obstacles) hits(r rectF) int {
	n := 0
	for _, p := range o.pts {
		if r.contains(p) {
			n++
		}
	}
	for _, s := range o.segs {
		if _, _, ok := clipSegment(s[0], s[1], r); ok {
			n++
		}
	}
	for _, q := range o.rects {
		if r.overlaps(q) {
			n++
		}
	}
	return n
}

// placeLegend returns the top-left corner of a w×h legend inside the plot rectangle plot:
// at the requested corner, or for LegendAuto the first of upper-left, upper-right, lower-right,
// lower-left that covers the fewest obstacles. ok is false when the legend should go outside
// (asked for, or nothing inside is free, or it does not fit).
func placeLegend(pos LegendPos, plot rectF, w, h float64, obs *obstacles) (x, y float64, ok bool) {
	const m = 8.0
	if w+2*m > plot.x1-plot.x0 || h+2*m > plot.y1-plot.y0 {
		return 0, 0, false
	}
	corners := map[LegendPos]pt{
		LegendUpperLeft:  {plot.x0 + m, plot.y0 + m},
		LegendUpperRight: {plot.x1 - m - w, plot.y0 + m},
		LegendLowerRight: {plot.x1 - m - w, plot.y1 - m - h},
		LegendLowerLeft:  {plot.x0 + m, plot.y1 - m - h},
	}
	if c, fixed := corners[pos]; fixed {
		return c.x, c.y, true
	}
	if pos != LegendAuto {
		return 0, 0, false
	}
	for _, p := range []LegendPos{LegendUpperLeft, LegendUpperRight, LegendLowerRight, LegendLowerLeft} {
		c := corners[p]
		if obs.hits(rectF{c.x - 2, c.y - 2, c.x + w + 2, c.y + h + 2}) == 0 {
			return c.x, c.y, true
		}
	}
	return 0, 0, false
}

// clipSegment clips the segment a-b to the rectangle r (Liang-Barsky). ok is false when no
// part of it is inside.
func clipSegment(a, b pt, r rectF) (pt, pt, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, c := range [4][2]float64{{-dx, a.x - r.x0}, {dx, r.x1 - a.x}, {-dy, a.y - r.y0}, {dy, r.y1 - a.y}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return a, b, false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return a, b, false
			}
			t0 = math.Max(t0, t)
		} else {
			if t < t0 {
				return a, b, false
			}
			t1 = math.Min(t1, t)
		}
	}
	return pt{a.x + t0*dx, a.y + t0*dy}, pt{a.x + t1*dx, a.y + t1*dy}, true
}

// drawYAxis draws horizontal grid lines, y tick marks and labels and the rotated y label.
func drawYAxis(b *builder, a axis, x0, x1 float64, py func(float64) float64, label string, labelX float64, y0, y1 float64) {
	for _, v := range a.minor {
		b.line(x0, py(v), x1, py(v), "stroke", colMinor, "stroke-width", "1")
	}
	for _, t := range a.major {
		b.line(x0, py(t.v), x1, py(t.v), "stroke", colGrid, "stroke-width", "1")
	}
	for _, v := range a.minor {
		b.line(x0-tickLen*0.6, py(v), x0, py(v), "stroke", colFrame, "stroke-width", "1")
	}
	for _, t := range a.major {
		y := py(t.v)
		b.line(x0-tickLen, y, x0, y, "stroke", colFrame, "stroke-width", "1")
		b.text(x0-tickLen-3, y+fsTick*0.35, t.label, "font-size", num(fsTick), "text-anchor", "end", "fill", colText)
	}
	if label != "" {
		cy := (y0 + y1) / 2
		b.text(labelX, cy, label, "font-size", num(fsLabel), "text-anchor", "middle", "fill", colText,
			"transform", "rotate(-90 "+num(labelX)+" "+num(cy)+")")
	}
}

// drawRefLines draws horizontal reference lines across the plot (labels false, before the
// data) or their labels (labels true, after the data, with a white halo), right-aligned above
// the line (below it when the line is near the top).
func drawRefLines(b *builder, lines []RefLine, x0, x1, y0, y1 float64, py func(float64) float64, labels bool) {
	for _, l := range lines {
		y := py(l.Y)
		if y < y0-0.5 || y > y1+0.5 {
			continue
		}
		c := l.Color
		if c == "" {
			c = colRef
		}
		if !labels {
			b.line(x0, y, x1, y, "stroke", c, "stroke-width", "1.2", "stroke-dasharray", "4 3")
		} else if l.Label != "" {
			ly := refLabelY(y, y0)
			b.text(x1-4, ly, l.Label, "font-size", num(fsNote), "text-anchor", "end", "fill", c,
				"stroke", "white", "stroke-width", "3", "stroke-linejoin", "round", "paint-order", "stroke")
		}
	}
}

func refLabelY(y, y0 float64) float64 {
	if y-4-fsNote < y0 {
		return y + 4 + fsNote
	}
	return y - 4
}

// refLineObstacles adds the reference lines and their labels to obs.
func refLineObstacles(obs *obstacles, lines []RefLine, x0, x1, y0 float64, py func(float64) float64) {
	for _, l := range lines {
		y := py(l.Y)
		obs.segs = append(obs.segs, [2]pt{{x0, y}, {x1, y}})
		if l.Label != "" {
			ly := refLabelY(y, y0)
			obs.rects = append(obs.rects, rectF{x1 - 4 - textWidth(l.Label, fsNote), ly - fsNote, x1 - 4, ly + 2})
		}
	}
}
