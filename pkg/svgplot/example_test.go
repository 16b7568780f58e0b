package svgplot_test

import (
	"fmt"
	"math"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// A loss chart with a log x axis and a baseline; then the error for a value a log axis cannot
// show.
func Example() {
	steps := []float64{10, 100, 1000, 10000}
	fig := &svgplot.Figure{
		Title:  "Validation loss",
		XLabel: "training step",
		YLabel: "loss (nats per char)",
		LogX:   true,
		Notes:  []string{"measured on AMD EPYC, 2 cores, Go backend"},
		Series: []svgplot.Series{
			{Name: "RNN", X: steps, Y: []float64{4.1, 3.0, 2.4, 2.3}},
			{Name: "LSTM", X: steps, Y: []float64{4.1, 2.6, 1.7, 1.5}, Dashed: true, Markers: true},
		},
		HLines: []svgplot.RefLine{{Y: math.Log(65), Label: "uniform baseline"}},
	}
	svg, err := fig.SVG()
	if err != nil {
		panic(err)
	}
	fmt.Println(svg[:strings.Index(svg, "\n")])
	fmt.Println(strings.Count(svg, `class="svgplot-series"`), "lines")
	// In a GoNB notebook: gonbui.DisplaySVG(svg)

	fig.LogY = true
	fig.Series[1].Y[3] = 0
	_, err = fig.SVG()
	fmt.Println(err)

	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400" font-family="sans-serif">
	// 2 lines
	// svgplot: series 1 ("LSTM"): Y[3]=0, but LogY is set and a log axis needs values > 0
}

// The diagrams are plain functions; the scan captions state work and depth.
func ExampleScanTree() {
	svg := svgplot.ScanTree(8, "blelloch")
	fmt.Println(strings.Contains(svg, "= 14 combines"))
	svg = svgplot.ScanTree(8, "hillis-steele")
	fmt.Println(strings.Contains(svg, "= 17 combines"))
	// Output:
	// true
	// true
}
