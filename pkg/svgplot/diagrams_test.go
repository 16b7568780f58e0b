package svgplot

import (
	"encoding/xml"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runScan executes a plan on strings with concatenation as ∘ (associative, not commutative,
// identity ""), so the result shows exactly which inputs, in which order, each output holds.
func runScan(p scanPlan, in []string) []string {
	v := append([]string(nil), in...)
	for _, r := range p.rows {
		old := append([]string(nil), v...)
		for _, op := range r.ops {
			if op.copy {
				v[op.dst] = old[op.a]
			} else {
				v[op.dst] = old[op.a] + old[op.b]
			}
		}
		if r.clear >= 0 {
			v[r.clear] = ""
		}
	}
	return v
}

// TestScanPlans checks that each plan computes the scan it claims and that its work and depth
// are the textbook counts: sequential T−1 and T−1; Hillis–Steele T·log2T − (T−1) and log2 T;
// Blelloch 2(T−1) and 2·log2 T.
func TestScanPlans(t *testing.T) {
	for _, T := range []int{2, 4, 8, 16} {
		logT := bits.TrailingZeros(uint(T))
		in := make([]string, T)
		for i := range in {
			in[i] = string(rune('a' + i))
		}
		for _, tc := range []struct {
			kind          string
			work, depth   int
			wantInclusive bool
		}{
			{"sequential", T - 1, T - 1, true},
			{"hillis-steele", T*logT - (T - 1), logT, true},
			{"blelloch", 2 * (T - 1), 2 * logT, false},
		} {
			t.Run(fmt.Sprintf("%s/T=%d", tc.kind, T), func(t *testing.T) {
				p, err := newScanPlan(T, tc.kind)
				require.NoError(t, err)
				require.Equal(t, tc.wantInclusive, p.inclusive)
				work, depth := p.counts()
				require.Equal(t, tc.work, work, "work")
				require.Equal(t, tc.depth, depth, "depth")
				got := runScan(p, in)
				all := strings.Join(in, "")
				for i := range T {
					want := all[:i] // exclusive
					if p.inclusive {
						want = all[:i+1]
					}
					require.Equal(t, want, got[i], "output %d", i)
				}
				// The drawing has one filled circle per combine and states the counts.
				svg := ScanTree(T, tc.kind)
				els := requireValidSVG(t, svg)
				filled := 0
				for _, e := range els {
					if e.name == "circle" && e.attrs["r"] == "7" && (e.attrs["fill"] == colFwd || e.attrs["fill"] == colDown) {
						filled++
					}
				}
				require.Equal(t, work, filled)
				caption := strings.Join(texts(els), "\n")
				require.Contains(t, caption, fmt.Sprintf("= %d combine", work))
				require.Contains(t, caption, fmt.Sprintf("= %d", depth))
				var rowLabels []string // "depth 1", "depth 2", ...: one per row with combines
				for _, s := range texts(els) {
					if strings.HasPrefix(s, "depth ") {
						rowLabels = append(rowLabels, s)
					}
				}
				require.Len(t, rowLabels, depth)
				require.Equal(t, fmt.Sprintf("depth %d", depth), rowLabels[depth-1])
			})
		}
	}
}

func TestScanTreeBadInput(t *testing.T) {
	for _, tc := range []struct {
		T    int
		kind string
		want string
	}{
		{12, "blelloch", "T=12; want a power of two"},
		{32, "blelloch", "T=32"},
		{1, "sequential", "T=1"},
		{8, "kogge-stone", `kind="kogge-stone"`},
	} {
		svg := ScanTree(tc.T, tc.kind)
		ts := texts(requireValidSVG(t, svg))
		require.Len(t, ts, 1)
		require.Contains(t, ts[0], tc.want)
		require.True(t, strings.HasPrefix(ts[0], "svgplot.ScanTree: "))
	}
}

func TestUnrolledRNN(t *testing.T) {
	for _, tc := range []struct {
		T        int
		hNodes   int
		ellipsis bool
	}{{1, 2, false}, {5, 6, false}, {8, 9, false}, {9, 6, true}, {100, 6, true}} {
		svg := UnrolledRNN(tc.T, true)
		els := requireValidSVG(t, svg)
		h := 0
		for _, e := range els {
			if e.name == "circle" && e.attrs["fill"] == "#eaf2fb" {
				h++
			}
		}
		require.Equal(t, tc.hNodes, h, "T=%d", tc.T)
		all := strings.Join(texts(els), "\n")
		require.Equal(t, tc.ellipsis, strings.Contains(all, "⋯"), "T=%d", tc.T)
		want := fmt.Sprintf("critical path: %d sequential steps", tc.T)
		if tc.T == 1 {
			want = "critical path: 1 sequential step"
		}
		require.Contains(t, all, want)
		require.Contains(t, all, fmt.Sprintf("h%d", tc.T)) // the last state, subscript flattened
		require.Contains(t, svg, `stroke="`+colCrit+`" stroke-width="3"`)
	}
	plain := UnrolledRNN(4, false)
	requireValidSVG(t, plain)
	require.NotContains(t, plain, colCrit)
	require.NotContains(t, plain, "critical path")
	require.Contains(t, UnrolledRNN(0, true), "T=0; want T ≥ 1")
}

func TestBPTTDiagram(t *testing.T) {
	for _, T := range []int{1, 3, 8, 50} {
		svg := BPTTDiagram(T)
		els := requireValidSVG(t, svg)
		all := strings.Join(texts(els), "\n")
		require.Contains(t, all, "forward")
		require.Contains(t, all, "backward")
		require.Contains(t, all, fmt.Sprintf("∂L/∂h%d", T))
		require.Contains(t, all, fmt.Sprintf("another %d sequential", T))
		// Backward arrows point left: every vermillion arrowhead's tip is its leftmost point.
		for _, e := range els {
			if e.name != "polygon" || e.attrs["fill"] != colCrit {
				continue
			}
			var xs [3]float64
			for i, p := range strings.Fields(e.attrs["points"]) {
				_, err := fmt.Sscanf(strings.Split(p, ",")[0], "%g", &xs[i])
				require.NoError(t, err)
			}
			require.Less(t, xs[0], xs[1])
			require.Less(t, xs[0], xs[2])
		}
	}
	require.Contains(t, BPTTDiagram(-1), "T=-1")
}

// The scan diagrams take the names of package scan's forms.
func TestScanTreeNamesAreScanForms(t *testing.T) {
	for _, kind := range []string{"sequential", "blelloch", "hillis-steele"} {
		_, err := scan.ParseForm(kind)
		require.NoError(t, err, kind)
		_, err = newScanPlan(8, kind)
		require.NoError(t, err, kind)
	}
}

// The gate diagrams are well-formed SVG with the gates each cell has: LSTM σ f, i, o and
// tanh g, tanh(c); GRU σ r, z and tanh n.
func TestGateDiagram(t *testing.T) {
	for kind, want := range map[string][]string{
		"lstm": {"σ: f", "σ: i", "σ: o", "tanh: g", "tanh"},
		"gru":  {"σ: r", "σ: z", "tanh: n", "1−z"},
	} {
		svg := GateDiagram(kind)
		dec := xml.NewDecoder(strings.NewReader(svg))
		var texts []string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			require.NoError(t, err, kind)
			if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
				texts = append(texts, strings.TrimSpace(string(cd)))
			}
		}
		all := strings.Join(texts, "|")
		for _, w := range want {
			assert.Contains(t, texts, w, "%s diagram lacks %q (texts %s)", kind, w, all)
		}
		sigmas := 0
		for _, s := range texts {
			if strings.HasPrefix(s, "σ:") {
				sigmas++
			}
		}
		assert.Equal(t, map[string]int{"lstm": 3, "gru": 2}[kind], sigmas, kind)
	}
	assert.Contains(t, GateDiagram("rnn"), `want &quot;lstm&quot; or &quot;gru&quot;`)
}
