package cost

import (
	"fmt"
	"math"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Which term of a work-depth model sets a layer's time, and whether a fitted model may say so.

// TermSplit is a work-depth model's prediction for one row, split into its two terms: the work term
// W/(P·F) and the depth term S·L (Brent 1974).
type TermSplit struct {
	Machine, Model  string // the WorkDepthModel's name and the row's model
	T, Depth        int
	Flops           int64
	WorkMS, DepthMS float64
}

// TotalMS is the predicted time, WorkMS + DepthMS.
func (s TermSplit) TotalMS() float64 { return s.WorkMS + s.DepthMS }

// DepthShare is DepthMS / TotalMS: 1 when depth alone sets the predicted time, 0 for work.
func (s TermSplit) DepthShare() float64 { return s.DepthMS / s.TotalMS() }

// SplitOf splits m's prediction for row r.
func SplitOf(m WorkDepthModel, r Row) TermSplit {
	return TermSplit{Machine: m.Name, Model: r.Model, T: r.T, Depth: r.Depth, Flops: r.Flops,
		WorkMS: ms(m.Predict(r.Flops, 0)), DepthMS: ms(m.Predict(0, r.Depth))}
}

// Splits splits each work-depth model's prediction for each named model's row at length T (pass
// mode, batch B), machines in the outer order; a model without a row at T is left out.
func Splits(t *Table, machines []WorkDepthModel, names []string, mode Pass, B, T int) []TermSplit {
	var out []TermSplit
	for _, m := range machines {
		for _, name := range names {
			for _, r := range t.Select(name, mode, B) {
				if r.T == T {
					out = append(out, SplitOf(m, r))
				}
			}
		}
	}
	return out
}

// SplitTable lays splits out as a table: header and rows for a Markdown table.
func SplitTable(splits []TermSplit) (header []string, rows [][]any) {
	header = []string{lang.T("machine"), lang.T("model"), "T", lang.T("depth S"), lang.T("work (GFLOP)"),
		lang.T("work term (ms)"), lang.T("depth term (ms)"), lang.T("depth's share")}
	for _, s := range splits {
		rows = append(rows, []any{s.Machine, s.Model, s.T, s.Depth, fmt.Sprintf("%.3g", float64(s.Flops)/1e9),
			fmt.Sprintf("%.3g", s.WorkMS), fmt.Sprintf("%.3g", s.DepthMS), fmt.Sprintf("%.0f%%", 100*s.DepthShare())})
	}
	return header, rows
}

// Verdict says what a fitted work-depth model allows one to conclude about one layer: how well it
// reproduces the layer's times (Quality over all its rows, both passes, every T and batch), its
// split at the layer's longest T (forward + backward at the batch given to Verdicts), and, only
// if the fit is GoodEnough, which term sets the time: depth for a depth share ≥ 2/3, work for
// ≤ 1/3, both in between.
type Verdict struct {
	Model   string
	Quality FitReport
	Longest TermSplit
	Drawn   bool   // the fit is good enough for a verdict
	Call    string // the verdict, or why there is none, in the edition's language
}

// Verdicts draws a Verdict for each model with rows in t, from the fitted model fit.
func Verdicts(t *Table, fit WorkDepthModel, models []Model, B int) []Verdict {
	var out []Verdict
	for _, m := range models {
		q := fit.Quality(t.Select(m.Name, "", 0))
		if q.N == 0 {
			continue
		}
		v := Verdict{Model: m.Name, Quality: q, Longest: TermSplit{WorkMS: math.NaN()}}
		for _, r := range t.Select(m.Name, FwdBwd, B) {
			v.Longest = SplitOf(fit, r) // rows are in increasing T: the last is the longest
		}
		v.Call = lang.T("none: the fit misses this layer's times")
		if v.Drawn = q.GoodEnough(); v.Drawn {
			switch share := v.Longest.DepthShare(); {
			case share >= 2.0/3:
				v.Call = lang.T("depth sets the time")
			case share <= 1.0/3:
				v.Call = lang.T("work sets the time")
			default:
				v.Call = lang.T("work and depth both weigh")
			}
		}
		out = append(out, v)
	}
	return out
}

// VerdictRule states the bar a fit must pass for a verdict and how the verdict is read, in the
// edition's language.
func VerdictRule() string {
	return lang.Sprintf("A verdict needs a good enough fit: over the layer's rows, R² of log time ≥ %.2f and median relative error ≤ %.0f%%. "+
		"Then depth sets the time if its fitted share is ≥ 2/3, work if it is ≤ 1/3, and both weigh in between.",
		GoodFitMinLogR2, 100*GoodFitMaxMedianRelErr)
}

// VerdictTable lays verdicts out as a table, and counts those drawn.
func VerdictTable(vs []Verdict) (header []string, rows [][]any, drawn int) {
	header = []string{lang.T("layer"), lang.T("rows"), lang.T("R² of log time"), lang.T("median rel. error"),
		lang.T("fitted depth share"), lang.T("verdict on this CPU")}
	for _, v := range vs {
		if v.Drawn {
			drawn++
		}
		rows = append(rows, []any{v.Model, v.Quality.N, fmt.Sprintf("%.3f", v.Quality.R2), fmt.Sprintf("%.0f%%", 100*v.Quality.MedianRelErr),
			fmt.Sprintf("%.0f%% (T = %d)", 100*v.Longest.DepthShare(), v.Longest.T), v.Call})
	}
	return header, rows, drawn
}
