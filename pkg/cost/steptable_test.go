package cost

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStepTable(t *testing.T) {
	b := testBackend(t)
	tab := &Table{}
	for _, T := range []int{16, 32, 64} { // 0.01 ms per step + 1 ms, exactly linear
		tab.Rows = append(tab.Rows, Row{Model: "rnn", Pass: Fwd, T: T, B: 4, D: 3, H: 8, MedianMS: 0.01*float64(T) + 1})
	}
	tab.Rows = append(tab.Rows, Row{Model: "lstm", Pass: Fwd, T: 16, B: 4, D: 3, H: 8, MedianMS: 1}) // too few lengths
	h, rows, err := StepTable(b, tab, []string{"rnn", "lstm"}, 4, 2)
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Len(t, h, len(rows[0]))
	// The oracle of the work per step: the RNN's hidden matmul alone is 2·B·H·H flops, so a
	// step does more than that.
	m, _ := ModelByName("rnn")
	flops, err := StepFlops(b, m, Fwd, Shape{B: 4, T: 16, D: 3, H: 8})
	require.NoError(t, err)
	assert.Greater(t, flops, int64(2*4*8*8))
	floorUS := float64(flops) / 2e9 * 1e6 // at 2 GFLOP/s
	assert.Equal(t, []any{"rnn", Fwd, "10.0 µs", "1.0000", formatMflop(flops), formatUS(floorUS), formatTimes(10 / floorUS)}, rows[0])
	_, _, err = StepTable(b, tab, []string{"transformer"}, 4, 2)
	assert.Error(t, err)
}

func formatMflop(f int64) string   { return fmtf("%.3f Mflop", float64(f)/1e6) }
func formatUS(us float64) string   { return fmtf("%.1f µs", us) }
func formatTimes(x float64) string { return fmtf("%.1f×", x) }

var fmtf = fmt.Sprintf
