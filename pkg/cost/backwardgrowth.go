package cost

import (
	"context"

	"github.com/gomlx/compute"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// BackwardGrowth is how the backward pass of several models grows with the sequence length T
// (notebook 02 section 6: GoMLX's ml/layers/lstm against the course's LSTM). Each of Nodes, MB
// and MS holds one slice per model, one value per length of Ts:
//
//   - Nodes: nodes of the backward pass alone, nodes(FwdBwd) − nodes(Fwd) (exact);
//   - MB: megabytes its data-movement nodes write, BytesMoved(FwdBwd) − BytesMoved(Fwd) (exact);
//   - MS: the fastest of the timed forward+backward runs on this machine (ms).
//
// A cost that grows like T doubles when T doubles; one that grows like T² quadruples.
type BackwardGrowth struct {
	Models     []string
	Ts         []int
	Nodes, MB  [][]float64
	MS         [][]float64
	Batch, Dim int // the shape's B and H, for the captions
}

// MeasureBackward builds the forward and the forward+backward graph of every model at every
// length of Ts (shape s, s.T ignored), counts both exactly and times forward+backward.
func MeasureBackward(ctx context.Context, b compute.Backend, models []Model, s Shape, Ts []int, opts TimingOptions) (BackwardGrowth, error) {
	n := len(models)
	g := BackwardGrowth{Ts: Ts, Nodes: make([][]float64, n), MB: make([][]float64, n), MS: make([][]float64, n), Batch: s.B, Dim: s.H}
	for _, m := range models {
		g.Models = append(g.Models, m.Name)
	}
	for _, T := range Ts {
		s.T = T
		for i, m := range models {
			fwd, err := GraphStats(b, m, Fwd, s) // built and walked, not compiled
			if err != nil {
				return g, err
			}
			both, err := Prepare(b, m, FwdBwd, s)
			if err != nil {
				return g, err
			}
			row, err := both.Run(ctx, opts)
			both.Release()
			if err != nil {
				return g, err
			}
			g.Nodes[i] = append(g.Nodes[i], float64(both.Stats.Nodes-fwd.Nodes))
			g.MB[i] = append(g.MB[i], float64(both.Stats.BytesMoved-fwd.BytesMoved)/1e6)
			g.MS[i] = append(g.MS[i], row.MinMS)
		}
	}
	return g, nil
}

// LastGrowth is the factor from the second-to-last length to the last: v[n]/v[n−1].
func LastGrowth(v []float64) float64 {
	n := len(v) - 1
	if n < 1 {
		return 0
	}
	return v[n] / v[n-1]
}

// CheckLinearVsQuadratic checks the lesson of notebook 02 section 6 on g, whose Models[0] is the
// course's layer and Models[1] GoMLX's: per doubling of T (the last two lengths) the backward
// bytes moved grow × more than 3.4 for GoMLX's (T²) and × less than 2.6 for the course's (T),
// the backward node counts about × 2 for both, and GoMLX's time over the course's widens more
// than twofold from the first length to the last. The error is in the learner's language.
func (g BackwardGrowth) CheckLinearVsQuadratic() error {
	if len(g.Models) != 2 || len(g.Ts) < 2 {
		return lang.Errorf("cost: the check compares two models at two lengths or more, got %d models and %d lengths", len(g.Models), len(g.Ts))
	}
	if g0, g1 := LastGrowth(g.MB[0]), LastGrowth(g.MB[1]); !(g1 > 3.4 && g0 < 2.6) {
		return lang.Errorf("per doubling of T, the backward pass's bytes moved grew × %.2f for GoMLX's layer and × %.2f for the course's; expected near 4 (T²) and near 2 (T)", g1, g0)
	}
	if g0, g1 := LastGrowth(g.Nodes[0]), LastGrowth(g.Nodes[1]); !(g0 > 1.8 && g0 < 2.2 && g1 > 1.8 && g1 < 2.2) {
		return lang.Errorf("per doubling of T, the backward node counts grew × %.2f and × %.2f; expected about 2 for both", g0, g1)
	}
	n := len(g.Ts) - 1
	if first, last := g.MS[1][0]/g.MS[0][0], g.MS[1][n]/g.MS[0][n]; !(last > 2*first) {
		return lang.Errorf("GoMLX's layer took %.1f× the course's time at T = %d and %.1f× at T = %d: in this run the gap did not widen more than twofold with T", first, g.Ts[0], last, g.Ts[n])
	}
	return nil
}
