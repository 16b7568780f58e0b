package cost

import (
	"context"
	"io"

	"github.com/gomlx/compute"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// Generating one token at a time: a recurrence's step against attention's step with a key-value
// cache, measured at several positions.

// DecodeRun holds MeasureDecode's rows of each decoding step at each position (batch 1).
type DecodeRun struct {
	Positions []int
	Rows      map[DecodeKind][]Row // Rows[kind][i] is at Positions[i]
}

// DecodeSweep measures one step of each kind at each position (batch 1, input width D, hidden H),
// writing one line per step to log when it is not nil.
func DecodeSweep(ctx context.Context, b compute.Backend, kinds []DecodeKind, positions []int, D, H int, opts TimingOptions, log io.Writer) (*DecodeRun, error) {
	run := &DecodeRun{Positions: positions, Rows: map[DecodeKind][]Row{}}
	for _, kind := range kinds {
		for _, pos := range positions {
			row, err := MeasureDecode(ctx, b, kind, 1, pos, D, H, opts)
			if err != nil {
				return nil, err
			}
			run.Rows[kind] = append(run.Rows[kind], row)
			if log != nil {
				io.WriteString(log, lang.Sprintf("%-9s token at position %6d: %8.1f µs, %9d flops\n", kind, pos, 1000*row.MedianMS, row.Flops))
			}
		}
	}
	return run, nil
}

// Figure plots the time per token against its position, one series per kind, with note under
// the title.
func (d *DecodeRun) Figure(note string) *svgplot.Figure {
	fig := &svgplot.Figure{Title: lang.T("Generating one token: time against its position"),
		XLabel: lang.T("position t (tokens already generated)"), YLabel: lang.T("time per token (µs)"),
		LogX: true, LogY: true, Notes: []string{note}}
	for _, kind := range []DecodeKind{DecodeRNN, DecodeAttention} {
		var xs, ys []float64
		for i, r := range d.Rows[kind] {
			xs, ys = append(xs, float64(d.Positions[i])), append(ys, 1000*r.MedianMS)
		}
		if len(xs) > 0 {
			fig.Series = append(fig.Series, svgplot.Series{Name: string(kind) + lang.T(" step"), X: xs, Y: ys, Markers: true})
		}
	}
	return fig
}

// Growth returns how a kind's work and median time per token grow from the first position to
// the last: the ratios last/first.
func (d *DecodeRun) Growth(kind DecodeKind) (work, time float64) {
	r := d.Rows[kind]
	if len(r) < 2 || r[0].Flops == 0 || r[0].MedianMS <= 0 {
		return 0, 0
	}
	n := len(r) - 1
	return float64(r[n].Flops) / float64(r[0].Flops), r[n].MedianMS / r[0].MedianMS
}

// Check holds the claims notebook 05 makes about generation: the RNN's work per token does not
// depend on the position, and attention's time per token grows at least twofold from the first
// position to the last. The error is in the edition's language.
func (d *DecodeRun) Check() error {
	if w, _ := d.Growth(DecodeRNN); w != 1 {
		return lang.Errorf("the RNN's work per token should not depend on the position")
	}
	if _, t := d.Growth(DecodeAttention); t < 2 {
		p := d.Positions
		return lang.Errorf("in this run attention's time per token grew only × %.2f from position %d to %d", t, p[0], p[len(p)-1])
	}
	return nil
}
