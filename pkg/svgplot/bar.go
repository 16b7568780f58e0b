package svgplot

import (
	"fmt"
	"math"
)

// BarChart is a grouped bar chart: one group per category, one bar per BarSeries in each
// group, e.g. "ms per step" (Categories: models, Bars: one series per sequence length). The y
// axis is linear and always includes 0; bars start at 0 (negative values point down).
//
// NaN values leave an empty slot (no bar); ±Inf is an error.
type BarChart struct {
	Title, XLabel, YLabel string
	Categories            []string // labels under the groups; long ones are slanted
	Bars                  []BarSeries
	Width, Height         int // px; default 640x400
	Notes                 []string
	HLines                []RefLine
	Legend                LegendPos // default LegendAuto (upper corners, else outside)

	// ValueFormat, if set, is a fmt verb for a label on top of each bar, e.g. "%.1f".
	ValueFormat string

	// YRange fixes the y limits {min, max}; {0, 0} means automatic.
	YRange [2]float64
}

// BarSeries is one bar per category, in a common colour.
type BarSeries struct {
	Name   string    // legend entry (no legend when no series has a name)
	Values []float64 // one per category
	Color  string    // default Palette[i % len(Palette)]
}

func (c *BarChart) validate() (yr [2]float64, err error) {
	if len(c.Categories) == 0 || len(c.Bars) == 0 {
		return yr, fmt.Errorf("svgplot: bar chart %q needs at least one category and one bar series; got %d and %d",
			c.Title, len(c.Categories), len(c.Bars))
	}
	lo, hi := 0.0, 0.0 // bars start at 0, so 0 is always in range
	for i, s := range c.Bars {
		if len(s.Values) != len(c.Categories) {
			return yr, fmt.Errorf("svgplot: bar series %d (%q) has %d values; want one per category (%d)",
				i, s.Name, len(s.Values), len(c.Categories))
		}
		for j, v := range s.Values {
			if math.IsInf(v, 0) {
				return yr, fmt.Errorf("svgplot: bar series %d (%q): Values[%d]=%v; use NaN for a missing bar", i, s.Name, j, v)
			}
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	for i, l := range c.HLines {
		if math.IsNaN(l.Y) || math.IsInf(l.Y, 0) {
			return yr, fmt.Errorf("svgplot: HLines[%d] (%q): Y=%g; want a finite value", i, l.Label, l.Y)
		}
		lo, hi = math.Min(lo, l.Y), math.Max(hi, l.Y)
	}
	if c.ValueFormat != "" { // head room for the value labels
		lo, hi = lo-(hi-lo)*0.06*boolf(lo < 0), hi+(hi-lo)*0.06
	}
	if c.YRange != [2]float64{} {
		if !(c.YRange[0] < c.YRange[1]) || math.IsInf(c.YRange[0], 0) || math.IsInf(c.YRange[1], 0) {
			return yr, fmt.Errorf("svgplot: YRange=%v; want finite min < max, or {0, 0} for automatic", c.YRange)
		}
		return c.YRange, nil
	}
	return [2]float64{lo, hi}, nil
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// SVG renders the bar chart as a standalone SVG document.
func (c *BarChart) SVG() (string, error) {
	W, H, err := size(c.Width, c.Height)
	if err != nil {
		return "", err
	}
	var b builder
	b.open(W, H)
	if err := c.render(&b); err != nil {
		return "", err
	}
	return b.finish(), nil
}

const slant = 30.0 // degrees, for category labels too wide for their group

type barLayout struct {
	plotLayout
	slanted bool
	catW    float64 // estimated width of the widest category label
}

func (c *BarChart) layout(W, H float64, yr [2]float64, reserveRight float64) barLayout {
	var l barLayout
	l.W, l.H, l.hd = W, H, makeHeader(c.Title, c.Notes, W)
	l.y0 = l.hd.bottom
	for _, s := range c.Categories {
		l.catW = math.Max(l.catW, textWidth(s, fsTick))
	}
	for pass := range 2 {
		bottom := 8 + tickLen + 4 + fsTick
		if l.slanted {
			bottom += l.catW * math.Sin(slant*math.Pi/180)
		}
		if c.XLabel != "" {
			bottom += 8 + fsLabel
		}
		l.y1 = H - bottom
		l.ya = makeAxis(false, yr[0], yr[1], c.YRange != [2]float64{}, l.y1-l.y0, false)
		l.x0 = 10 + maxLabelWidth(l.ya) + tickLen + 4
		if c.YLabel != "" {
			l.x0 += fsLabel + 8
		}
		l.x1 = W - 16 - reserveRight
		if pass == 0 {
			l.slanted = l.catW > (l.x1-l.x0)/float64(len(c.Categories))-6
			if l.slanted {
				// The first label, anchored at the centre of the first group, must not leave the image.
				l.x0 = math.Max(l.x0, l.catW*math.Cos(slant*math.Pi/180)-(l.x1-l.x0)/float64(len(c.Categories))/2+16)
				continue
			}
			break
		}
	}
	return l
}

// bars returns the rectangle of each bar, [series][category], and whether it is drawn.
func (c *BarChart) bars(l *barLayout) (rs [][]rectF, ok [][]bool) {
	groupW := (l.x1 - l.x0) / float64(len(c.Categories))
	barW := groupW * 0.8 / float64(len(c.Bars))
	base := l.py(math.Min(math.Max(0, l.ya.lo), l.ya.hi))
	for i, s := range c.Bars {
		rs = append(rs, make([]rectF, len(s.Values)))
		ok = append(ok, make([]bool, len(s.Values)))
		for j, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			x := l.x0 + groupW*float64(j) + groupW*0.1 + barW*float64(i)
			y := l.py(math.Min(math.Max(v, l.ya.lo), l.ya.hi))
			rs[i][j] = rectF{x, math.Min(y, base), x + barW, math.Max(y, base)}
			ok[i][j] = true
		}
	}
	return rs, ok
}

func (c *BarChart) render(b *builder) error {
	W, H, err := size(c.Width, c.Height)
	if err != nil {
		return err
	}
	yr, err := c.validate()
	if err != nil {
		return err
	}
	var entries []legendEntry
	for i, s := range c.Bars {
		if s.Name != "" && c.Legend != LegendNone {
			entries = append(entries, legendEntry{name: s.Name, color: seriesColor(s.Color, i), swatch: true})
		}
	}
	lw, lh := legendSize(entries)
	l := c.layout(W, H, yr, 0)
	var lx, ly float64
	if len(entries) > 0 {
		obs := &obstacles{}
		rs, ok := c.bars(&l)
		for i := range rs {
			for j, r := range rs[i] {
				if ok[i][j] {
					obs.rects = append(obs.rects, rectF{r.x0, r.y0 - fsTick - 4, r.x1, r.y1 + fsTick + 4})
				}
			}
		}
		refLineObstacles(obs, c.HLines, l.x0, l.x1, l.y0, l.py)
		var inside bool
		lx, ly, inside = placeLegend(c.Legend, l.rect(), lw, lh, obs)
		if !inside {
			l = c.layout(W, H, yr, lw+12)
			lx, ly = l.x1+12, l.y0
		}
	}

	l.hd.draw(b, W)
	drawYAxis(b, l.ya, l.x0, l.x1, l.py, c.YLabel, 10+fsLabel, l.y0, l.y1)
	groupW := (l.x1 - l.x0) / float64(len(c.Categories))
	for j, cat := range c.Categories {
		x := l.x0 + groupW*(float64(j)+0.5)
		y := l.y1 + tickLen + 4 + fsTick*0.8
		if l.slanted {
			b.text(x+3, y, cat, "font-size", num(fsTick), "text-anchor", "end", "fill", colText,
				"transform", "rotate(-"+num(slant)+" "+num(x+3)+" "+num(y)+")")
		} else {
			b.text(x, y, cat, "font-size", num(fsTick), "text-anchor", "middle", "fill", colText)
		}
		b.line(x, l.y1, x, l.y1+tickLen, "stroke", colFrame, "stroke-width", "1")
	}
	if c.XLabel != "" {
		b.text((l.x0+l.x1)/2, H-10, c.XLabel, "font-size", num(fsLabel), "text-anchor", "middle", "fill", colText)
	}
	rs, ok := c.bars(&l)
	for i, s := range c.Bars {
		color := seriesColor(s.Color, i)
		b.openEl("g", "class", "svgplot-bars", "fill", color)
		for j, r := range rs[i] {
			if !ok[i][j] {
				continue
			}
			b.rect(r.x0, r.y0, r.x1-r.x0, r.y1-r.y0, "stroke", "white", "stroke-width", "0.5")
		}
		b.closeEl("g")
		if c.ValueFormat == "" {
			continue
		}
		fs := valueLabelSize(c, rs[i][0].x1-rs[i][0].x0)
		for j, r := range rs[i] {
			if !ok[i][j] {
				continue
			}
			v := s.Values[j]
			y := r.y0 - 3
			if v < 0 {
				y = r.y1 + fs + 1
			}
			b.text((r.x0+r.x1)/2, y, fmt.Sprintf(c.ValueFormat, v), "font-size", num(fs), "text-anchor", "middle", "fill", colText)
		}
	}
	if l.ya.lo < 0 && l.ya.hi > 0 {
		b.line(l.x0, l.py(0), l.x1, l.py(0), "stroke", colFrame, "stroke-width", "1")
	}
	b.rect(l.x0, l.y0, l.x1-l.x0, l.y1-l.y0, "fill", "none", "stroke", colFrame, "stroke-width", "1")
	drawRefLines(b, c.HLines, l.x0, l.x1, l.y0, l.y1, l.py, false)
	drawRefLines(b, c.HLines, l.x0, l.x1, l.y0, l.y1, l.py, true)
	if len(entries) > 0 {
		drawLegend(b, lx, ly, entries)
	}
	return nil
}

// valueLabelSize is the font size of the value labels: 10 px, smaller (down to 7 px) when the
// widest label would be wider than a bar plus a small gap.
func valueLabelSize(c *BarChart, barW float64) float64 {
	w := 0.0
	for _, s := range c.Bars {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				w = math.Max(w, textWidth(fmt.Sprintf(c.ValueFormat, v), 10))
			}
		}
	}
	if w <= barW+2 {
		return 10
	}
	return math.Max(7, math.Floor(10*(barW+2)/w*2)/2)
}
