package notebook

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

func TestLabelsAndLayout(t *testing.T) {
	if got := Labels("T = %d", []int{16, 64}); !slices.Equal(got, []string{"T = 16", "T = 64"}) {
		t.Errorf("Labels: %q", got)
	}
	row := SideBySide("<svg>a</svg>", "<svg>b</svg>")
	if strings.Count(row, "<svg>") != 2 || !strings.Contains(row, "max-width:100%") || strings.Index(row, "a</svg>") > strings.Index(row, "b</svg>") {
		t.Errorf("SideBySide: %q", row)
	}
	h := Highlight(3, 4)
	if !h.NoLine || !slices.Equal(h.X, []float64{3}) || !slices.Equal(h.Y, []float64{4}) {
		t.Errorf("Highlight: %+v", h)
	}
	if svg := Render(&svgplot.Figure{Series: []svgplot.Series{{X: []float64{1, 2}, Y: []float64{1, 2}}, h}}); !strings.HasPrefix(svg, "<svg") {
		t.Errorf("Render: %.80q", svg)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("Render of a figure without series did not panic")
		}
	}()
	Render(&svgplot.Figure{})
}

func TestModelTimesAt(t *testing.T) {
	tab := &cost.Table{Rows: []cost.Row{
		{Model: "rnn", Pass: cost.Fwd, T: 64, B: 32, MedianMS: 2},
		{Model: "rnn", Pass: cost.FwdBwd, T: 64, B: 32, MedianMS: 5},
		{Model: "rnn", Pass: cost.Fwd, T: 16, B: 32, MedianMS: 0.5},
		{Model: "attn", Pass: cost.Fwd, T: 64, B: 32, MedianMS: 1},
		{Model: "rnn", Pass: cost.Fwd, T: 64, B: 8, MedianMS: 1.5}, // another batch: left out
		{Model: "conv", Pass: cost.Fwd, T: 128, B: 8, MedianMS: 9},
	}}
	if got := SweepLengths(tab, 32); !slices.Equal(got, []int{16, 64}) {
		t.Errorf("SweepLengths(32) = %v, want [16 64]", got)
	}
	c := ModelTimesAt(tab, 64, 32)
	if !slices.Equal(c.Categories, []string{"rnn", "attn"}) || len(c.Bars) != 2 {
		t.Fatalf("categories %q, %d bar series", c.Categories, len(c.Bars))
	}
	fwd, bwd := c.Bars[0].Values, c.Bars[1].Values
	if fwd[0] != 2 || fwd[1] != 1 || bwd[0] != 5 || !math.IsNaN(bwd[1]) {
		t.Errorf("forward %v, forward+backward %v; want [2 1] and [5 NaN]", fwd, bwd)
	}
	if !strings.Contains(c.Title, "T = 64") || !strings.Contains(Render(c), "<svg") {
		t.Errorf("title %q", c.Title)
	}
}

// TestCommonAxes: every frame gets the axes of all frames, so the frame whose curve is lower
// draws it lower on the page.
func TestCommonAxes(t *testing.T) {
	fig := func(i int) *svgplot.Figure {
		k := float64(i + 1)
		return &svgplot.Figure{LogY: true, Series: []svgplot.Series{{X: []float64{0, 1, 2}, Y: []float64{k, k * 10, math.NaN()}}}}
	}
	svgs := commonAxes(2, fig)
	auto := []string{Render(fig(0)), Render(fig(1))}
	if svgs[0] == auto[0] && svgs[1] == auto[1] {
		t.Error("commonAxes drew the same SVGs as automatic axes")
	}
	// Both frames now carry the same tick labels (same axes); with automatic axes they differ.
	ticks := func(svg string) string {
		i := strings.Index(svg, "<text")
		return svg[i:]
	}
	want := Render(&svgplot.Figure{LogY: true, XRange: [2]float64{-0.1, 2.1}, YRange: [2]float64{1 / math.Pow(20, 0.05), 20 * math.Pow(20, 0.05)},
		Series: fig(0).Series})
	if svgs[0] != want {
		t.Errorf("frame 0 is not drawn on the common range:\n%.300s\nwant\n%.300s", ticks(svgs[0]), ticks(want))
	}
}
