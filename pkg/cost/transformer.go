package cost

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// TransformerTable is d2l's comparison of a recurrence, a convolution and self-attention (the
// chapter "Self-Attention and Positional Encoding"; Vaswani et al. 2017, Table 1), with the
// asymptotic orders for length n and width d beside the exact counts of a sweep's forward rows
// at batch B, at the shortest and the longest length measured for attention: work, depth and
// median time, and the path from x₁ to the output at T. The convolution is the default stack
// CausalConv(2, 256): its path is ConvLayers(2, 256) layers within its receptive field and does
// not exist beyond. It returns an error, in the edition's language, when the exact depths break
// the orders: the RNN's must grow with T, attention's and the convolution's must not.
func TransformerTable(t *Table, B int) (header []string, rows [][]any, err error) {
	att := t.Select("attention", Fwd, B)
	if len(att) == 0 {
		return nil, nil, lang.Errorf("the sweep has no forward rows of attention at batch %d", B)
	}
	Ts := []int{att[0].T, att[len(att)-1].T}
	L := ConvLayers(2, 256)
	rf := 1 + (2-1)*(1<<L-1) // the stack's receptive field: the output at T sees x_{T-rf+1} … x_T
	layers := []struct {
		name, label, work, seq, path string
		pathAt                       func(T int) string
	}{
		{"rnn", "RNN", "O(n d²)", "O(n)", "O(n)", func(T int) string { return fmt.Sprint(T - 1) }},
		{"conv", lang.Sprintf("causal conv (kernel 2, dilated, %d layers)", L), "O(k n d²)", "O(1)", "O(log_k n)",
			func(T int) string {
				if T > rf {
					return lang.Sprintf("none: x₁ is outside the %d-step receptive field", rf)
				}
				return lang.Sprintf("%d layers", L)
			}},
		{"attention", lang.T("self-attention"), "O(n² d)", "O(1)", "O(1)", func(int) string { return "1" }},
	}
	header = []string{lang.T("layer"), lang.T("work per layer"), lang.T("sequential operations"),
		lang.T("maximum path length"), "T", lang.T("work (GFLOP)"), lang.T("depth (graph levels)"),
		lang.T("path from x₁ to the output at T"), lang.T("time here (ms)")}
	depth := map[string][]int{}
	for _, l := range layers {
		for _, T := range Ts {
			for _, r := range t.Select(l.name, Fwd, B) {
				if r.T == T {
					depth[l.name] = append(depth[l.name], r.Depth)
					rows = append(rows, []any{l.label, l.work, l.seq, l.path, T, fmt.Sprintf("%.3g", float64(r.Flops)/1e9),
						r.Depth, l.pathAt(T), fmt.Sprintf("%.3g", r.MedianMS)})
				}
			}
		}
	}
	// The orders, checked on the exact counts.
	if d := depth["rnn"]; len(d) == 2 && d[1] <= d[0] {
		return header, rows, lang.Errorf("the RNN's depth did not grow with T: %v", d)
	}
	for _, name := range []string{"attention", "conv"} {
		if d := depth[name]; len(d) == 2 && d[0] != d[1] {
			return header, rows, lang.Errorf("%s's depth changes with T", name)
		}
	}
	return header, rows, nil
}
