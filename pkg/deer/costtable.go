package deer

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// CostTable is notebook 06's table of what a Newton iteration costs against the sequential loop
// it replaces, for a one-layer GRU (input 8, float32, batch 1, length T) at each hidden width in
// Hs: the exact flops of one iteration of full DEER and quasi-DEER (IterationCost), their ratio to
// the whole loop's (SequentialCost), and both depths. ratio["<method>/<H>"] is that ratio. It
// returns an error, in the edition's language, if an iteration is not shallower than the loop.
func CostTable(b compute.Backend, Hs []int, T int) (header []string, rows [][]any, ratio map[string]float64, err error) {
	header = []string{"H", lang.T("method"), lang.T("flops per Newton iteration"), lang.T("× the whole sequential loop"),
		lang.T("depth per iteration"), lang.T("depth of the loop")}
	ratio = map[string]float64{}
	for _, H := range Hs {
		cell := recurrent.Config{Kind: recurrent.GRU, InputSize: 8, HiddenSize: H, NumLayers: 1, DType: dtypes.Float32}
		seq, err := SequentialCost(b, cell, 1, T)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, m := range []Method{Full, Quasi} {
			it, err := IterationCost(b, cell, Config{Method: m}, 1, T)
			if err != nil {
				return nil, nil, nil, err
			}
			r := float64(it.Flops) / float64(seq.Flops)
			rows = append(rows, []any{H, m, fmt.Sprintf("%.3g", float64(it.Flops)), fmt.Sprintf("%.1f×", r), it.Depth, seq.Depth})
			ratio[fmt.Sprintf("%s/%d", m, H)] = r
			if it.Depth >= seq.Depth {
				return header, rows, ratio, lang.Errorf("a Newton iteration should be shallower than the loop")
			}
		}
	}
	return header, rows, ratio, nil
}
