package svgplot

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// element is a parsed SVG element: name, attributes and text content (direct and nested).
type element struct {
	name  string
	attrs map[string]string
	text  string
}

// parseSVG decodes the whole document with encoding/xml and returns its elements in order.
func parseSVG(t *testing.T, svg string) []element {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	var els []element
	var open []int // indices in els of the open elements
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "SVG does not parse as XML")
		switch tok := tok.(type) {
		case xml.StartElement:
			e := element{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			els = append(els, e)
			open = append(open, len(els)-1)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			for _, i := range open {
				els[i].text += string(tok)
			}
		}
	}
	require.Empty(t, open, "unclosed elements")
	return els
}

// requireValidSVG checks the document rules of the package: parses as XML, one root <svg> with
// the SVG namespace, width, height and viewBox, sans-serif, and nothing that breaks when many
// SVGs share one HTML page or when scripts and external resources are stripped.
func requireValidSVG(t *testing.T, svg string) []element {
	t.Helper()
	els := parseSVG(t, svg)
	require.NotEmpty(t, els)
	root := els[0]
	require.Equal(t, "svg", root.name)
	require.Equal(t, "http://www.w3.org/2000/svg", root.attrs["xmlns"])
	require.Equal(t, "sans-serif", root.attrs["font-family"])
	require.Equal(t, "0 0 "+root.attrs["width"]+" "+root.attrs["height"], root.attrs["viewBox"])
	for _, bad := range []string{"<style", "<script", " id=", "href", "url(", "@import", "NaN", "Inf"} {
		require.NotContains(t, svg, bad)
	}
	for _, e := range els[1:] {
		require.NotEqual(t, "svg", e.name, "nested <svg>")
	}
	return els
}

func byClass(els []element, class string) []element {
	var out []element
	for _, e := range els {
		if e.attrs["class"] == class {
			out = append(out, e)
		}
	}
	return out
}

// pathPoints counts the M and L commands of a series path: one per drawn point.
func pathPoints(d string) int {
	return strings.Count(d, "M") + strings.Count(d, "L")
}

// texts returns the text content of every <text> element.
func texts(els []element) []string {
	var out []string
	for _, e := range els {
		if e.name == "text" {
			out = append(out, e.text)
		}
	}
	return out
}

func TestSeriesPaths(t *testing.T) {
	f := &Figure{
		Title: "two series", XLabel: "x", YLabel: "y",
		Series: []Series{
			{Name: "a", X: []float64{1, 2, 3, 4, 5}, Y: []float64{1, 4, 9, 16, 25}},
			{Name: "b", X: []float64{1, 2, 3}, Y: []float64{3, 2, 1}, Dashed: true, Markers: true},
		},
	}
	svg, err := f.SVG()
	require.NoError(t, err)
	els := requireValidSVG(t, svg)
	paths := byClass(els, "svgplot-series")
	require.Len(t, paths, 2)
	require.Equal(t, 5, pathPoints(paths[0].attrs["d"]))
	require.Equal(t, 3, pathPoints(paths[1].attrs["d"]))
	require.Equal(t, Palette[0], paths[0].attrs["stroke"])
	require.Equal(t, Palette[1], paths[1].attrs["stroke"])
	require.Equal(t, dashPattern, paths[1].attrs["stroke-dasharray"])
	require.Len(t, byClass(els, "svgplot-markers"), 1)
	require.Equal(t, "a", strings.TrimSpace(paths[0].text)) // <title> tooltip
	require.Equal(t, "640", els[0].attrs["width"])
	require.Equal(t, "400", els[0].attrs["height"])
}

func TestNaNBreaksLine(t *testing.T) {
	nan := math.NaN()
	f := &Figure{Series: []Series{{X: []float64{1, 2, 3, nan, 5, 6}, Y: []float64{1, 2, nan, 4, 5, 6}}}}
	svg, err := f.SVG()
	require.NoError(t, err)
	paths := byClass(requireValidSVG(t, svg), "svgplot-series")
	require.Len(t, paths, 1)
	d := paths[0].attrs["d"]
	// Points 0, 1 | (2, 3 skipped) | 4, 5: two strokes of two points.
	require.Equal(t, 2, strings.Count(d, "M"), d)
	require.Equal(t, 2, strings.Count(d, "L"), d)
}

func TestFixedRangeClips(t *testing.T) {
	f := &Figure{
		XRange: [2]float64{0, 10}, YRange: [2]float64{0, 1},
		Series: []Series{{X: []float64{0, 5, 10}, Y: []float64{0, 2, 0}}},
	}
	svg, err := f.SVG()
	require.NoError(t, err)
	els := requireValidSVG(t, svg)
	d := byClass(els, "svgplot-series")[0].attrs["d"]
	// The peak leaves the range: the line is cut at the top frame into two strokes.
	require.Equal(t, 2, strings.Count(d, "M"), d)
	require.Contains(t, texts(els), "1.0")
}

func TestLogTickLabels(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{1, 10000, []string{"1", "10", "100", "1k", "10k"}},
		{1.5, 9000, []string{"1", "10", "100", "1k"}}, // frame 1..9k: ends on a minor tick
		{1e-4, 1, []string{"1e-4", "1e-3", "0.01", "0.1", "1"}},
		{1e5, 1e9, []string{"100k", "1M", "10M", "100M", "1e9"}},
		// Less than a decade: {1, 2, 5} × 10^k.
		{2, 7, []string{"2", "5", "10"}},
		{3, 30, []string{"2", "5", "10", "20", "50"}},
		{0.03, 0.08, []string{"0.02", "0.05", "0.1"}},
		{5, 5, []string{"2", "5", "10"}},
	} {
		a := logAxis(tc.lo, tc.hi, 300, 12, false)
		var got []string
		for _, tk := range a.major {
			got = append(got, tk.label)
		}
		require.Equal(t, tc.want, got, "range %g..%g", tc.lo, tc.hi)
		require.GreaterOrEqual(t, len(got), 2)
	}
	a := logAxis(16, 2048, 300, 12, false)
	require.InDelta(t, 10, a.lo, 1e-9)
	require.InDelta(t, 3000, a.hi, 1e-9)
	// Within one mantissa step on a fixed range: still two labels.
	a = logAxis(3.1, 3.9, 300, 12, true)
	require.GreaterOrEqual(t, len(a.major), 2)
	// Many decades on a short axis: every other decade labelled, the rest become minor ticks.
	a = logAxis(1e-12, 1, 100, 4, false)
	require.LessOrEqual(t, len(a.major), 4)
	require.GreaterOrEqual(t, len(a.major), 2)
}

func TestLogAxisInFigure(t *testing.T) {
	f := &Figure{LogX: true, LogY: true, Series: []Series{{X: []float64{1, 10000}, Y: []float64{1, 10000}}}}
	svg, err := f.SVG()
	require.NoError(t, err)
	ts := texts(requireValidSVG(t, svg))
	// Both axes: exactly 1, 10, 100, 1k, 10k.
	require.Equal(t, []string{"1", "10", "100", "1k", "10k", "1", "10", "100", "1k", "10k"}, ts)
}

func TestLinearTicks(t *testing.T) {
	a := linearAxis(0, 49, 3, false)
	require.InDelta(t, 55, a.hi, 1e-9)
	for _, tc := range []struct {
		lo, hi float64
		target int
		want   []string
	}{
		{0, 1, 5, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{0.3, 9.7, 5, []string{"0", "2", "4", "6", "8", "10"}},
		{-3, 3, 6, []string{"−3", "−2", "−1", "0", "1", "2", "3"}},
		{0, 200000, 4, []string{"0", "50k", "100k", "150k", "200k"}},
		{0, 4e-5, 4, []string{"0", "1e-5", "2e-5", "3e-5", "4e-5"}},
		{7, 7, 4, []string{"4", "6", "8", "10"}}, // frame 3.5..10.5
		{0, 49, 3, []string{"0", "20", "40"}},    // frame 0..50, not 0..60
	} {
		a := linearAxis(tc.lo, tc.hi, tc.target, false)
		var got []string
		for _, tk := range a.major {
			got = append(got, tk.label)
		}
		require.Equal(t, tc.want, got, "range %g..%g", tc.lo, tc.hi)
		require.LessOrEqual(t, a.lo, tc.lo)
		require.GreaterOrEqual(t, a.hi, tc.hi)
	}
}

func TestErrors(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		fig  Figure
		want string
	}{
		{"empty", Figure{}, "no series"},
		{"all NaN", Figure{Series: []Series{{X: []float64{nan}, Y: []float64{1}}}}, "no finite data points"},
		{"length", Figure{Series: []Series{{Name: "s", X: []float64{1, 2}, Y: []float64{1}}}}, `series 0 ("s"): len(X)=2 but len(Y)=1`},
		{"log y", Figure{LogY: true, Series: []Series{{}, {Name: "loss", X: []float64{1, 2, 3}, Y: []float64{1, 0, 3}}}},
			`series 1 ("loss"): Y[1]=0, but LogY is set`},
		{"log x", Figure{LogX: true, Series: []Series{{X: []float64{-1}, Y: []float64{1}}}}, "X[0]=-1, but LogX is set"},
		{"inf", Figure{Series: []Series{{X: []float64{1}, Y: []float64{math.Inf(1)}}}}, "Y[0]=+Inf; use NaN"},
		{"errbar length", Figure{Series: []Series{{X: []float64{1}, Y: []float64{1}, YErrLow: []float64{}, YErrHigh: []float64{}}}}, "len(YErrLow)=0"},
		{"errbar one side", Figure{Series: []Series{{X: []float64{1}, Y: []float64{1}, YErrLow: []float64{1}}}}, "only one of YErrLow"},
		{"errbar log", Figure{LogY: true, Series: []Series{{X: []float64{1}, Y: []float64{1}, YErrLow: []float64{-1}, YErrHigh: []float64{2}}}}, "YErrLow[0]=-1"},
		{"hline log", Figure{LogY: true, HLines: []RefLine{{Y: 0, Label: "zero"}}, Series: []Series{{X: []float64{1}, Y: []float64{1}}}}, `HLines[0] ("zero")`},
		{"range", Figure{YRange: [2]float64{1, 0}, Series: []Series{{X: []float64{1}, Y: []float64{1}}}}, "YRange"},
		{"size", Figure{Width: 50, Series: []Series{{X: []float64{1}, Y: []float64{1}}}}, "too small"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svg, err := tc.fig.SVG()
			require.ErrorContains(t, err, tc.want)
			require.Empty(t, svg)
		})
	}
	bad := []*BarChart{
		{},
		{Categories: []string{"a", "b"}, Bars: []BarSeries{{Values: []float64{1}}}},
		{Categories: []string{"a"}, Bars: []BarSeries{{Values: []float64{math.Inf(-1)}}}},
	}
	for _, c := range bad {
		_, err := c.SVG()
		require.Error(t, err)
	}
	_, err := Grid(0, sampleLoss())
	require.ErrorContains(t, err, "cols=0")
	_, err = Grid(2)
	require.Error(t, err)
	_, err = Grid(2, sampleLoss(), &Figure{})
	require.ErrorContains(t, err, "Grid subplot 1")
}

func TestDeterministic(t *testing.T) {
	a, b := examples(t), examples(t)
	require.Equal(t, a, b)
	// Rendering does not modify the figure.
	f := sampleLoss()
	s1, err := f.SVG()
	require.NoError(t, err)
	s2, err := f.SVG()
	require.NoError(t, err)
	require.Equal(t, s1, s2)
}

func TestLegendPlacement(t *testing.T) {
	// Data fills the upper left: the legend goes elsewhere inside the plot.
	f := &Figure{Series: []Series{{Name: "falling", X: []float64{0, 1, 2, 10}, Y: []float64{10, 9, 1, 0}}}}
	svg, err := f.SVG()
	require.NoError(t, err)
	requireValidSVG(t, svg)
	l := f.layout(640, 400, [2]float64{0, 10}, [2]float64{0, 10}, 0)
	w, h := legendSize(f.legendEntries())
	x, y, ok := placeLegend(LegendAuto, l.rect(), w, h, f.obstacles(&l))
	require.True(t, ok)
	require.Greater(t, x, (l.x0+l.x1)/2, "legend should avoid the upper-left data")
	require.Less(t, y, (l.y0+l.y1)/2)

	// Data everywhere: the legend goes outside and the plot gets narrower.
	var xs, ys []float64
	for i := range 200 {
		xs = append(xs, float64(i%20))
		ys = append(ys, float64(i/20))
	}
	g := &Figure{Series: []Series{{Name: "everywhere", X: xs, Y: ys, NoLine: true}}}
	svg, err = g.SVG()
	require.NoError(t, err)
	els := requireValidSVG(t, svg)
	require.Empty(t, byClass(els, "svgplot-series"))
	require.Len(t, byClass(els, "svgplot-markers"), 1)
	var legendText element
	for _, e := range els {
		if e.name == "text" && e.text == "everywhere" {
			legendText = e
		}
	}
	require.NotEmpty(t, legendText.name)
	lg := g.layout(640, 400, [2]float64{0, 19}, [2]float64{0, 9}, 0)
	x, _, ok = placeLegend(LegendAuto, lg.rect(), 100, 30, g.obstacles(&lg))
	require.False(t, ok, "no free corner at %v", x)
}

func TestEscaping(t *testing.T) {
	f := &Figure{Title: `a < b & "c"`, Series: []Series{{Name: "x<y>\x01", X: []float64{1}, Y: []float64{1}}}}
	svg, err := f.SVG()
	require.NoError(t, err)
	ts := texts(requireValidSVG(t, svg))
	require.Contains(t, ts, `a < b & "c"`)
	require.Contains(t, ts, "x<y>")
}

func TestBarChart(t *testing.T) {
	c := sampleBars()
	svg, err := c.SVG()
	require.NoError(t, err)
	els := requireValidSVG(t, svg)
	groups := byClass(els, "svgplot-bars")
	require.Len(t, groups, 2)
	rects := 0
	for _, e := range els {
		if e.name == "rect" && e.attrs["stroke"] == "white" {
			rects++
		}
	}
	require.Equal(t, 8, rects)
	ts := texts(els)
	for _, want := range []string{"RNN", "LSTM", "39.5", "T = 256"} {
		require.Contains(t, ts, want)
	}
	// NaN leaves a slot empty; negative values are fine.
	c.Bars[0].Values[1] = math.NaN()
	c.Bars[1].Values[0] = -3
	svg, err = c.SVG()
	require.NoError(t, err)
	requireValidSVG(t, svg)
}

func TestGrid(t *testing.T) {
	svg, err := sampleGrid()
	require.NoError(t, err)
	els := requireValidSVG(t, svg)
	require.Equal(t, "960", els[0].attrs["width"])
	require.Equal(t, "320", els[0].attrs["height"])
	require.Len(t, byClass(els, "svgplot-series"), 5)
}

func TestRich(t *testing.T) {
	require.Equal(t, `h<tspan dy="4.2" font-size="10.5">t−1</tspan>`, rich("h_{t−1}", 14))
	require.Equal(t, `x<tspan dy="3" font-size="7.5">12</tspan><tspan dy="-3">, a_</tspan>`+
		`<tspan dy="3" font-size="7.5">b</tspan>`, rich("x_12, a__b", 10))
	require.Equal(t, "a &lt; b", rich("a < b", 10))
}

func TestPaletteWrapsWithDots(t *testing.T) {
	f := &Figure{}
	for i := range len(Palette) + 1 {
		f.Series = append(f.Series, Series{Name: string(rune('A' + i)), X: []float64{0, 1}, Y: []float64{float64(i), float64(i + 1)}})
	}
	svg, err := f.SVG()
	require.NoError(t, err)
	paths := byClass(requireValidSVG(t, svg), "svgplot-series")
	require.Len(t, paths, len(Palette)+1)
	first, wrapped := paths[0], paths[len(Palette)]
	require.Equal(t, first.attrs["stroke"], wrapped.attrs["stroke"])
	require.Empty(t, first.attrs["stroke-dasharray"])
	require.Equal(t, dotPattern, wrapped.attrs["stroke-dasharray"])
}

func TestLegendOptions(t *testing.T) {
	base := Figure{Series: []Series{{Name: "only", X: []float64{0, 1}, Y: []float64{0, 1}}}}
	hidden := base
	hidden.Legend = LegendNone
	svg, err := hidden.SVG()
	require.NoError(t, err)
	require.NotContains(t, texts(requireValidSVG(t, svg)), "only")

	outside := base
	outside.Legend = LegendOutside
	svgOut, err := outside.SVG()
	require.NoError(t, err)
	svgIn, err := base.SVG()
	require.NoError(t, err)
	frame := func(svg string) string { // the plot frame is the only rect with fill="none"
		for _, e := range requireValidSVG(t, svg) {
			if e.name == "rect" && e.attrs["fill"] == "none" {
				return e.attrs["width"]
			}
		}
		return ""
	}
	require.NotEqual(t, frame(svgIn), frame(svgOut), "an outside legend narrows the plot")
}

func TestBarChartSlantedLabels(t *testing.T) {
	c := &BarChart{
		Width: 400, Height: 300, ValueFormat: "%+.2f",
		Categories: []string{"vanilla RNN tanh", "LSTM with peepholes", "minGRU (parallel scan)"},
		Bars:       []BarSeries{{Name: "a", Values: []float64{0.1, -0.2, 0.3}}, {Name: "b", Values: []float64{-0.1, 0.25, math.NaN()}}},
	}
	svg, err := c.SVG()
	require.NoError(t, err)
	els := requireValidSVG(t, svg)
	slanted := 0
	for _, e := range els {
		if e.name == "text" && strings.HasPrefix(e.attrs["transform"], "rotate(-30") {
			slanted++
		}
	}
	require.Equal(t, 3, slanted)
	ticks := 0
	for _, s := range texts(els) {
		if s == "0.0" || s == "−0.2" || s == "0.2" {
			ticks++
		}
	}
	require.Equal(t, 3, ticks, "y axis keeps at least three labelled ticks: %v", texts(els))
}
