package cost

import (
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func transformerRows(attDepth2 int) *Table {
	t := &Table{}
	for i, T := range []int{16, 256, 1024} {
		ad := 15
		if i == 2 {
			ad = attDepth2
		}
		t.Rows = append(t.Rows,
			Row{Model: "rnn", Pass: Fwd, T: T, B: 32, Depth: 3*T + 7, Flops: int64(T) * 1e6, MedianMS: float64(T)},
			Row{Model: "conv", Pass: Fwd, T: T, B: 32, Depth: 30, Flops: int64(T) * 2e6, MedianMS: 1},
			Row{Model: "attention", Pass: Fwd, T: T, B: 32, Depth: ad, Flops: int64(T*T) * 1e3, MedianMS: 2})
	}
	return t
}

func TestTransformerTable(t *testing.T) {
	h, rows, err := TransformerTable(transformerRows(15), 32)
	require.NoError(t, err)
	require.Len(t, rows, 6) // three layers at T = 16 and 1024
	assert.Len(t, h, len(rows[0]))
	assert.Equal(t, []any{"RNN", "O(n d²)", "O(n)", "O(n)", 1024, "1.02", 3079, "1023", "1.02e+03"}, rows[1])
	// ConvLayers(2, 256) = 8 layers, receptive field 1 + (2^8 − 1) = 256: x₁ reaches the output
	// at T = 16, not at T = 1024.
	assert.Equal(t, "8 layers", rows[2][7])
	assert.Equal(t, "none: x₁ is outside the 256-step receptive field", rows[3][7])
	assert.Equal(t, "1", rows[5][7])
	_, _, err = TransformerTable(transformerRows(17), 32)
	assert.EqualError(t, err, "attention's depth changes with T")
	_, _, err = TransformerTable(transformerRows(15), 8)
	assert.EqualError(t, err, "the sweep has no forward rows of attention at batch 8")
	var le *lang.Error
	assert.ErrorAs(t, err, &le)
}
