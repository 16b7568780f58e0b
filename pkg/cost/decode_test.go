package cost

import (
	"context"
	"math"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The decoding steps equal a host evaluation of their equations (float64 loops).
func TestDecodeStepValues(t *testing.T) {
	b := testBackend(t)
	const B, T, D, H = 2, 5, 3, 4
	for _, kind := range []DecodeKind{DecodeRNN, DecodeAttention} {
		built, err := DecodeStep(b, kind, B, T, D, H)
		require.NoError(t, err)
		in := NewInputs(built, 7)
		args := make([]any, len(in))
		vals := make([][]float64, len(in))
		for i, x := range in {
			args[i] = x
			for _, v := range tensors.MustCopyFlatData[float32](x) {
				vals[i] = append(vals[i], float64(v))
			}
		}
		require.NoError(t, built.Graph.Compile(built.Outputs...))
		got := tensors.MustCopyFlatData[float32](built.Graph.Run(args...)[0])
		// lin returns w·x + bias for w [rows, cols] (row-major), x [cols].
		lin := func(w, bias, x []float64, rows, cols int) []float64 {
			out := make([]float64, rows)
			for r := range rows {
				out[r] = bias[r]
				for c := range cols {
					out[r] += w[r*cols+c] * x[c]
				}
			}
			return out
		}
		for bi := range B {
			var want []float64
			switch kind {
			case DecodeRNN:
				wih, whh, bias, x, h := vals[0], vals[1], vals[2], vals[3][bi*D:(bi+1)*D], vals[4][bi*H:(bi+1)*H]
				a := lin(wih, bias, x, H, D)
				u := lin(whh, make([]float64, H), h, H, H)
				for j := range H {
					want = append(want, math.Tanh(a[j]+u[j]))
				}
			case DecodeAttention:
				x := vals[8][bi*D : (bi+1)*D]
				q, k, v := lin(vals[0], vals[1], x, H, D), lin(vals[2], vals[3], x, H, D), lin(vals[4], vals[5], x, H, D)
				keys, values := [][]float64{}, [][]float64{}
				for s := range T {
					keys = append(keys, vals[9][(bi*T+s)*H:(bi*T+s+1)*H])
					values = append(values, vals[10][(bi*T+s)*H:(bi*T+s+1)*H])
				}
				keys, values = append(keys, k), append(values, v)
				scores, mx := make([]float64, T+1), math.Inf(-1)
				for s := range T + 1 {
					for j := range H {
						scores[s] += q[j] * keys[s][j] / math.Sqrt(H)
					}
					mx = math.Max(mx, scores[s])
				}
				sum := 0.0
				for s := range scores {
					scores[s] = math.Exp(scores[s] - mx)
					sum += scores[s]
				}
				o := make([]float64, H)
				for s := range T + 1 {
					for j := range H {
						o[j] += scores[s] / sum * values[s][j]
					}
				}
				want = lin(vals[6], vals[7], o, H, H)
			}
			for j := range H {
				assert.InDelta(t, want[j], float64(got[bi*H+j]), 1e-5, "%s batch %d unit %d", kind, bi, j)
			}
		}
		built.Graph.Finalize()
	}
	_, err := DecodeStep(b, "lstm", 1, 1, 1, 1)
	require.ErrorContains(t, err, `unknown decode step "lstm"`)
	_, err = DecodeStep(b, DecodeRNN, 1, 0, 1, 1)
	require.ErrorContains(t, err, "t, D, H >= 1")
}

// An attention step's work grows linearly with the cache length; an RNN step's does not change.
func TestDecodeWork(t *testing.T) {
	b := testBackend(t)
	work := func(kind DecodeKind, pos int) int64 {
		built, err := DecodeStep(b, kind, 1, pos, 8, 64)
		require.NoError(t, err)
		defer built.Graph.Finalize()
		return Walk(built.Outputs...).Flops
	}
	assert.Equal(t, work(DecodeRNN, 16), work(DecodeRNN, 4096))
	a1, a2, a3 := work(DecodeAttention, 1024), work(DecodeAttention, 2048), work(DecodeAttention, 4096)
	assert.Greater(t, a2, a1)
	assert.InDelta(t, float64(a3-a2), 2*float64(a2-a1), 0.01*float64(a3-a2), "linear in t")
	row, err := MeasureDecode(context.Background(), b, DecodeAttention, 2, 64, 8, 16, TimingOptions{Repeats: 2})
	require.NoError(t, err)
	assert.Equal(t, "attention_decode", row.Model)
	assert.Equal(t, 64, row.T)
	assert.Positive(t, row.MedianMS)
}
