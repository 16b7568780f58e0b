package svgplot

import (
	"fmt"
	"math"
)

// Grid places figures in one SVG, row by row, cols per row. Each figure keeps its own Width and
// Height (so set them smaller than the 640x400 default for subplots); a column is as wide as its
// widest figure and a row as tall as its tallest. An error in any figure is returned with the
// subplot's index.
func Grid(cols int, figs ...*Figure) (string, error) {
	if cols < 1 {
		return "", fmt.Errorf("svgplot: Grid: cols=%d; want at least 1", cols)
	}
	if len(figs) == 0 {
		return "", fmt.Errorf("svgplot: Grid: no figures")
	}
	rows := (len(figs) + cols - 1) / cols
	colW := make([]float64, min(cols, len(figs)))
	rowH := make([]float64, rows)
	for i, f := range figs {
		if f == nil {
			return "", fmt.Errorf("svgplot: Grid: subplot %d is nil", i)
		}
		w, h, err := size(f.Width, f.Height)
		if err != nil {
			return "", fmt.Errorf("%w (Grid subplot %d)", err, i)
		}
		colW[i%cols] = math.Max(colW[i%cols], w)
		rowH[i/cols] = math.Max(rowH[i/cols], h)
	}
	sum := func(xs []float64, n int) float64 {
		s := 0.0
		for _, x := range xs[:n] {
			s += x
		}
		return s
	}
	var b builder
	b.open(sum(colW, len(colW)), sum(rowH, rows))
	for i, f := range figs {
		b.openEl("g", "transform", "translate("+num(sum(colW, i%cols))+" "+num(sum(rowH, i/cols))+")")
		if err := f.render(&b); err != nil {
			return "", fmt.Errorf("%w (Grid subplot %d)", err, i)
		}
		b.closeEl("g")
	}
	return b.finish(), nil
}
