package cost

import (
	"context"
	"math"
	"slices"

	"github.com/gomlx/compute"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Scaling sweeps: one case measured at several sequence lengths or batch sizes, the straight
// line through the times, and the checks notebook 01 makes on them.

// GraphStats builds the graph of a case, walks it (Analyze) and frees it: the exact node count,
// depth S and work W of the case.
func GraphStats(b compute.Backend, m Model, mode Pass, s Shape) (Stats, error) {
	built, err := BuildGraph(b, m, mode, s)
	if err != nil {
		return Stats{}, err
	}
	defer built.Graph.Finalize()
	st, _ := Analyze(built)
	return st, nil
}

// DepthRow is the exact size of one case's graph at length T.
type DepthRow struct {
	T, Nodes, Depth int
	Flops           int64
}

// DepthSweep returns GraphStats of the case s at every length of Ts (s.T is ignored).
func DepthSweep(b compute.Backend, m Model, mode Pass, s Shape, Ts []int) ([]DepthRow, error) {
	rows := make([]DepthRow, 0, len(Ts))
	for _, T := range Ts {
		s.T = T
		st, err := GraphStats(b, m, mode, s)
		if err != nil {
			return nil, err
		}
		rows = append(rows, DepthRow{T: T, Nodes: st.Nodes, Depth: st.Depth, Flops: st.Flops})
	}
	return rows, nil
}

// CheckDepth returns an error, in the learner's language, at the first row whose depth is not
// want(T); formula is want written out ("3T + 7").
func CheckDepth(rows []DepthRow, formula string, want func(T int) int) error {
	for _, r := range rows {
		if w := want(r.T); r.Depth != w {
			return lang.Errorf("depth %d is not %s = %d at T = %d", r.Depth, formula, w, r.T)
		}
	}
	return nil
}

// DepthPerStep returns the levels one step adds, a, and the offset c of depth = a·T + c,
// from the first two rows; an error when a later row is off that line (the depth is not
// linear in T) or when there are fewer than two rows.
func DepthPerStep(rows []DepthRow) (perStep, offset int, err error) {
	if len(rows) < 2 || rows[1].T == rows[0].T {
		return 0, 0, lang.Errorf("cost: the depth's growth per step needs two different lengths, got %d rows", len(rows))
	}
	perStep = (rows[1].Depth - rows[0].Depth) / (rows[1].T - rows[0].T)
	offset = rows[0].Depth - perStep*rows[0].T
	for _, r := range rows {
		if r.Depth != perStep*r.T+offset {
			return 0, 0, lang.Errorf("the depth is not linear in T: %d at T = %d, not %d·T + %d = %d", r.Depth, r.T, perStep, offset, perStep*r.T+offset)
		}
	}
	return perStep, offset, nil
}

// MeasureShapes times one case at every shape of shapes (Measure each), in order.
func MeasureShapes(ctx context.Context, b compute.Backend, m Model, mode Pass, shapes []Shape, opts TimingOptions) ([]Row, error) {
	rows := make([]Row, 0, len(shapes))
	for _, s := range shapes {
		row, err := Measure(ctx, b, m, mode, s, opts)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// AtLengths is s at every length of Ts.
func AtLengths(s Shape, Ts []int) []Shape {
	out := make([]Shape, len(Ts))
	for i, T := range Ts {
		out[i], out[i].T = s, T
	}
	return out
}

// AtBatches is s at every batch size of Bs.
func AtBatches(s Shape, Bs []int) []Shape {
	out := make([]Shape, len(Bs))
	for i, B := range Bs {
		out[i], out[i].B = s, B
	}
	return out
}

// Throughput is the sequences per second of a row: B over its median time.
func (r Row) Throughput() float64 { return float64(r.B) / (r.MedianMS / 1000) }

// LengthScaling is the fastest time of one case at several lengths and the straight line
// through it: time ≈ Slope·T + Intercept (ms), with its R², and the time per step, min/T, at
// its smallest and largest (µs).
type LengthScaling struct {
	Rows                       []Row
	Slope, Intercept, R2       float64
	PerStepMinUS, PerStepMaxUS float64
}

// FitLengths fits the fastest times (MinMS: the runs least disturbed by other work) of rows,
// one case at increasing T, against T.
func FitLengths(rows []Row) LengthScaling {
	l := LengthScaling{Rows: rows, PerStepMinUS: math.Inf(1), PerStepMaxUS: math.Inf(-1)}
	xs, ys := l.Lengths(), l.Times()
	l.Slope, l.Intercept, l.R2 = FitLine(xs, ys)
	for i := range xs {
		us := 1000 * ys[i] / xs[i]
		l.PerStepMinUS, l.PerStepMaxUS = math.Min(l.PerStepMinUS, us), math.Max(l.PerStepMaxUS, us)
	}
	return l
}

// MeasureLengths times the case s at every length of Ts and fits the line (FitLengths).
func MeasureLengths(ctx context.Context, b compute.Backend, m Model, mode Pass, s Shape, Ts []int, opts TimingOptions) (LengthScaling, error) {
	rows, err := MeasureShapes(ctx, b, m, mode, AtLengths(s, Ts), opts)
	if err != nil {
		return LengthScaling{}, err
	}
	return FitLengths(rows), nil
}

// Lengths are the rows' T as float64.
func (l LengthScaling) Lengths() []float64 {
	xs := make([]float64, len(l.Rows))
	for i, r := range l.Rows {
		xs[i] = float64(r.T)
	}
	return xs
}

// Times are the rows' fastest times (ms).
func (l LengthScaling) Times() []float64 {
	ys := make([]float64, len(l.Rows))
	for i, r := range l.Rows {
		ys[i] = r.MinMS
	}
	return ys
}

// Fit is the fitted line at every length (ms).
func (l LengthScaling) Fit() []float64 {
	xs := l.Lengths()
	for i, x := range xs {
		xs[i] = l.Slope*x + l.Intercept
	}
	return xs
}

// Spread is the largest time per step over the smallest.
func (l LengthScaling) Spread() float64 { return l.PerStepMaxUS / l.PerStepMinUS }

// Growth is the largest length over the smallest.
func (l LengthScaling) Growth() float64 {
	xs := l.Lengths()
	return slices.Max(xs) / slices.Min(xs)
}

// Check says, in the learner's language, whether the times are linear in T: the line's R² at
// least minR2 and the time per step within a factor maxSpread over the lengths.
func (l LengthScaling) Check(minR2, maxSpread float64) error {
	if !(l.R2 >= minR2) {
		return lang.Errorf("in this run a straight line fits the times with R² = %.3f only", l.R2)
	}
	if !(l.Spread() <= maxSpread) {
		return lang.Errorf("in this run the time per step varied × %.2f across T", l.Spread())
	}
	return nil
}
