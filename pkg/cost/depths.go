package cost

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Depths builds each model's graph (pass mode, shape s) at each length in Ts, walks it, and
// returns the exact counts as a table without times (Nodes, Depth, Flops, ActBytes of each
// row): the depth of a graph does not need a run. skip, when not nil, leaves a case out (a
// graph too slow to build, say).
func Depths(b compute.Backend, models []Model, mode Pass, s Shape, Ts []int, skip func(m Model, T int) bool) (*Table, error) {
	t := &Table{}
	for _, m := range models {
		for _, T := range Ts {
			if skip != nil && skip(m, T) {
				continue
			}
			s.T = T
			built, err := BuildGraph(b, m, mode, s)
			if err != nil {
				return t, err
			}
			st, act := Analyze(built)
			built.Graph.Finalize()
			t.Rows = append(t.Rows, Row{Model: m.Name, Pass: mode, T: T, B: s.B, D: s.D, H: s.H,
				Nodes: st.Nodes, Depth: st.Depth, KernelDepth: st.KernelDepth, Flops: st.Flops, ActBytes: act})
		}
	}
	return t, nil
}

// ModelTable lays out each named model's measured median time beside a work-depth model's
// prediction (pred = PredictTable(measured, model)), per length: header and rows of a Markdown
// table.
func ModelTable(measured, pred *Table, names []string, mode Pass, B int) (header []string, rows [][]any) {
	header = []string{lang.T("form"), "T", lang.T("CPU measured (ms)"), lang.T("H200 model (ms)")}
	for _, name := range names {
		xs, ys := measured.Series(name, mode, B)
		_, py := pred.Series(name, mode, B)
		for j := range xs {
			rows = append(rows, []any{name, int(xs[j]), fmt.Sprintf("%.1f", ys[j]), fmt.Sprintf("%.3f", py[j])})
		}
	}
	return header, rows
}
