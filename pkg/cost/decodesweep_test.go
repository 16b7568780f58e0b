package cost

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSweep(t *testing.T) {
	var log bytes.Buffer
	run, err := DecodeSweep(context.Background(), testBackend(t), []DecodeKind{DecodeRNN, DecodeAttention}, []int{4, 64}, 3, 8,
		TimingOptions{Warmup: 1, Repeats: 1, MinRepeats: 1}, &log)
	require.NoError(t, err)
	require.Len(t, run.Rows[DecodeRNN], 2)
	require.Len(t, run.Rows[DecodeAttention], 2)
	assert.Equal(t, 4, strings.Count(log.String(), "token at position"))
	// The RNN's step does the same work at every position; attention's grows with it.
	w, _ := run.Growth(DecodeRNN)
	assert.Equal(t, 1.0, w)
	aw, _ := run.Growth(DecodeAttention)
	assert.Greater(t, aw, 1.0)
	f := run.Figure("note")
	require.Len(t, f.Series, 2)
	assert.Equal(t, []float64{4, 64}, f.Series[0].X)
}

func TestDecodeRunCheck(t *testing.T) {
	run := &DecodeRun{Positions: []int{16, 4096}, Rows: map[DecodeKind][]Row{
		DecodeRNN:       {{Flops: 100, MedianMS: 1}, {Flops: 100, MedianMS: 1.1}},
		DecodeAttention: {{Flops: 100, MedianMS: 1}, {Flops: 1000, MedianMS: 5}},
	}}
	w, tm := run.Growth(DecodeAttention)
	assert.Equal(t, 10.0, w)
	assert.Equal(t, 5.0, tm)
	require.NoError(t, run.Check())
	run.Rows[DecodeAttention][1].MedianMS = 1.5
	assert.EqualError(t, run.Check(), "in this run attention's time per token grew only × 1.50 from position 16 to 4096")
	run.Rows[DecodeRNN][1].Flops = 101
	assert.EqualError(t, run.Check(), "the RNN's work per token should not depend on the position")
}
