package notebook

import (
	"fmt"
	"math"

	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// Agreement is two curves over the same steps 1 … n that should agree to within Tol: the same
// computation done two ways (two trainers' losses, say).
type Agreement struct {
	Title, XLabel, YLabel string
	NameA, NameB          string
	A, B                  []float64 // value at step 1, 2, …; the same length
	Tol                   float64   // the largest |A − B| allowed
	Note                  string    // appended to the figure's note (e.g. Machine())
}

// Figure overlays the two curves (B dashed) and returns the largest |A[i] − B[i]|, which the
// figure's note states. It returns an error for curves of different or zero length.
func (a Agreement) Figure() (*svgplot.Figure, float64, error) {
	if len(a.A) != len(a.B) || len(a.A) == 0 {
		return nil, 0, fmt.Errorf("notebook.Agreement: curves of %d and %d values; want the same, non-zero length", len(a.A), len(a.B))
	}
	xs, diff := make([]float64, len(a.A)), 0.0
	for i := range xs {
		xs[i], diff = float64(i+1), math.Max(diff, math.Abs(a.A[i]-a.B[i]))
	}
	return &svgplot.Figure{Title: a.Title, XLabel: a.XLabel, YLabel: a.YLabel,
		Series: []svgplot.Series{
			{Name: a.NameA, X: xs, Y: a.A, Color: svgplot.Palette[0]},
			{Name: a.NameB, X: xs, Y: a.B, Color: svgplot.Palette[1], Dashed: true},
		},
		Notes: []string{Sprintf("largest |Δ| over %d steps: %.1e; ", len(xs), diff) + a.Note},
	}, diff, nil
}

// ShowAgreement displays the figure and returns the largest difference; when it exceeds Tol (or
// is NaN) it panics with a message in the learner's language naming both curves.
func ShowAgreement(a Agreement) float64 {
	f, diff, err := a.Figure()
	if err != nil {
		panic(err)
	}
	ShowFigure(f)
	if !(diff <= a.Tol) {
		panic(Sprintf("%s and %s differ by up to %.2e, more than the tolerance %.0e", a.NameA, a.NameB, diff, a.Tol))
	}
	return diff
}
