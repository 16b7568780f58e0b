package cost

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

// StepTable is notebook 05's table of the cost of one time step of each recurrent cell named
// (both passes, batch B, rows from a sweep's table with at least 3 lengths): the slope of the
// straight-line fit of time against T (PerStep) and its R², the exact work of one step
// (StepFlops), the arithmetic floor (that work at floorGFLOPS, ArithmeticFloor) and the slope
// over the floor.
func StepTable(b compute.Backend, t *Table, names []string, B int, floorGFLOPS float64) (header []string, rows [][]any, err error) {
	header = []string{lang.T("cell"), lang.T("mode"), lang.T("time per step (slope)"), lang.T("R² of the line"),
		lang.T("work per step"), lang.T("arithmetic floor"), lang.T("measured / floor")}
	for _, name := range names {
		m, err := ModelByName(name)
		if err != nil {
			return nil, nil, err
		}
		for _, mode := range []Pass{Fwd, FwdBwd} {
			sel := t.Select(name, mode, B)
			if len(sel) < 3 {
				continue
			}
			msStep, _, r2 := PerStep(sel)
			flops, err := StepFlops(b, m, mode, Shape{B: B, T: 16, D: sel[0].D, H: sel[0].H})
			if err != nil {
				return nil, nil, err
			}
			floorUS := float64(ArithmeticFloor(flops, floorGFLOPS).Nanoseconds()) / 1000
			rows = append(rows, []any{name, mode, fmt.Sprintf("%.1f µs", msStep*1000), fmt.Sprintf("%.4f", r2),
				fmt.Sprintf("%.3f Mflop", float64(flops)/1e6), fmt.Sprintf("%.1f µs", floorUS), fmt.Sprintf("%.1f×", msStep*1000/floorUS)})
		}
	}
	return header, rows, nil
}
