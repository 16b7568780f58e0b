package bptt

import (
	"fmt"
	"math"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// lagAxis is 0, 1, …, n−1: the lags of a curve of n values.
func lagAxis(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i)
	}
	return xs
}

// LagFigure plots ‖∂L/∂h_t‖ against the lag for each kind (norms[kind], as LagSetup.Norms
// returns them) on a log axis, with a gap where a norm underflowed to 0. H is the cells' size,
// for the title; note is appended to the figure's note (e.g. the machine).
func LagFigure(kinds []recurrent.Kind, norms map[recurrent.Kind][]float64, H int, note string) (*svgplot.Figure, error) {
	var series []svgplot.Series
	T := 0
	for _, kind := range kinds {
		n, ok := norms[kind]
		if !ok || len(n) == 0 {
			return nil, fmt.Errorf("bptt.LagFigure: no norms for %s", kind)
		}
		y := make([]float64, len(n))
		for i, v := range n {
			y[i] = v
			if v == 0 {
				y[i] = math.NaN() // underflow: leave a gap on the log axis
			}
		}
		T = max(T, len(n))
		series = append(series, svgplot.Series{Name: string(kind), X: lagAxis(len(n)), Y: y})
	}
	return &svgplot.Figure{
		Title:  lang.Sprintf("Gradient reaching h_t from a loss at step T=%d (fresh weights, H=%d)", T, H),
		XLabel: lang.T("lag T − t (steps back in time)"),
		YLabel: lang.T("‖∂L/∂h_t‖ (RMS over the batch)"),
		LogY:   true, Series: series,
		Notes: []string{lang.T("PyTorch's default initialisation U(−1/√H, 1/√H); inputs N(0, 1); float64; ") + note},
	}, nil
}

// radiusFigure is a half-width log plot of ‖∂L/∂h_t‖ against the lag.
func radiusFigure(title, note string, series []svgplot.Series) *svgplot.Figure {
	f := &svgplot.Figure{Title: title, XLabel: lang.T("lag T − t (steps)"), YLabel: "‖∂L/∂h_t‖",
		LogY: true, Series: series, Width: 460}
	if note != "" {
		f.Notes = []string{note}
	}
	return f
}

// RadiusFigures returns the two figures of a RadiusSweep, one curve per ρ: the linear regime and
// with real inputs (to be shown side by side).
func RadiusFigures(runs []RadiusRun) []*svgplot.Figure {
	var linear, real []svgplot.Series
	for _, r := range runs {
		name := fmt.Sprintf("ρ = %.1f", r.Rho)
		linear = append(linear, svgplot.Series{Name: name, X: lagAxis(len(r.Linear)), Y: r.Linear})
		real = append(real, svgplot.Series{Name: name, X: lagAxis(len(r.Real)), Y: r.Real})
	}
	return []*svgplot.Figure{
		radiusFigure(lang.T("Linear regime: W_ih = 0, biases = 0"), lang.T("tanh RNN, H=32, W_hh = ρ·orthogonal, float64"), linear),
		radiusFigure(lang.T("With inputs N(0,1) and PyTorch-initialised W_ih, biases"), lang.T("same W_hh; tanh saturates"), real),
	}
}

// Figure plots one run: the linear regime, real inputs, and the linear regime's prediction ρ^n
// (dashed).
func (r RadiusRun) Figure() *svgplot.Figure {
	x := lagAxis(len(r.Linear))
	return radiusFigure(fmt.Sprintf("ρ = %.1f", r.Rho), "", []svgplot.Series{
		{Name: lang.T("linear regime"), X: x, Y: r.Linear},
		{Name: lang.T("real inputs"), X: x, Y: r.Real},
		{Name: "ρ^n", X: x, Y: r.LinearPrediction(), Dashed: true},
	})
}
