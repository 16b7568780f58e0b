package cost

import (
	"testing"

	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// TestGoMLXLSTMModel checks that the model over GoMLX's ml/layers/lstm computes the same loss
// and parameter gradients as Recurrent(LSTM) from the same inputs, and that its backward pass
// moves O(T²) bytes where the course's moves O(T): from T = 32 to 64 the backward pass's bytes
// (fwdbwd minus fwd) grow 3.8× for GoMLX's layer (4T zero-padded copies of a [4, B, T, H]
// tensor, 4× per doubling in the limit) and 2.0× for the course's (measured 2026-12-07).
func TestGoMLXLSTMModel(t *testing.T) {
	b := testutil.Backend(t)
	s := Shape{B: 4, T: 6, D: 3, H: 5}
	var outs [2][]float64
	for i, m := range []Model{Recurrent(recurrent.LSTM), GoMLXLSTM()} {
		built, err := BuildGraph(b, m, FwdBwd, s)
		require.NoError(t, err)
		require.NoError(t, built.Graph.Compile(built.Outputs...))
		res := built.Graph.Run(anyTensors(NewInputs(built, 3))...)
		for _, r := range res {
			outs[i] = append(outs[i], testutil.Flat64(r)...)
		}
		built.Graph.Finalize()
	}
	require.Less(t, testutil.RelErr(outs[1], outs[0]), 1e-6, "loss and gradients of lstm_gomlx against lstm")

	backwardBytes := func(m Model, T int) int64 {
		var bytes [2]int64
		for i, mode := range []Pass{Fwd, FwdBwd} {
			p, err := Prepare(b, m, mode, Shape{B: 32, T: T, D: 8, H: 64})
			require.NoError(t, err)
			bytes[i] = p.Stats.BytesMoved
			p.Release()
		}
		return bytes[1] - bytes[0]
	}
	for _, tc := range []struct {
		m        Model
		min, max float64
	}{{Recurrent(recurrent.LSTM), 1.8, 2.2}, {GoMLXLSTM(), 3.6, 4}} {
		growth := float64(backwardBytes(tc.m, 64)) / float64(backwardBytes(tc.m, 32))
		require.True(t, growth > tc.min && growth < tc.max, "%s: backward bytes grow %.2f× from T=32 to 64, want %.1f–%.1f", tc.m.Name, growth, tc.min, tc.max)
	}
}

func anyTensors[T any](ts []T) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = t
	}
	return out
}
