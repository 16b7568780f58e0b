package mingru

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/rnn-course/bottleneck/pkg/tasks"
	"github.com/stretchr/testify/require"
)

// trainSine trains a minGRU layer with a linear readout, ŷ_t = w_o · h_t + b_o, on next-value
// prediction of the noisy sine (package tasks) with Adam, running the recurrence in mode, and
// returns the mean training loss of the first and of the last 20 steps. The train step is one
// graph: forward, autodiff (graph.Gradient), Adam; parameters and Adam's moments are host
// tensors passed in and out.
func trainSine(t *testing.T, form scan.Form, steps int) (first, last float64) {
	const B, T, H, lr = 32, 64, 16, 0.02
	cfg := Config{Kind: MinGRU, InputSize: 1, HiddenSize: H, DType: dtypes.Float32,
		PositiveCandidate: form == LogSpace, Chunk: 16} // 4 chunks of 16 steps
	w, err := NewWeights(cfg, 1)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(2, 2))
	wo := fill(cfg.DType, []int{1, H}, func() float64 { return (2*rng.Float64() - 1) / math.Sqrt(H) })
	bo := fill(cfg.DType, []int{1}, func() float64 { return 0 })
	params := append(append([]*tensors.Tensor{}, w.Tensors...), wo, bo)
	P := len(params)
	var moments []*tensors.Tensor // m then v, zeros
	for range 2 {
		for _, p := range params {
			moments = append(moments, tensors.FromShape(p.Shape()))
		}
	}
	nw := len(w.Tensors)

	step, err := NewExec(testBackend(t), func(in []*Node) []*Node {
		ps, m, v := in[:P], in[P:2*P], in[2*P:3*P]
		count, x, y := in[3*P], in[3*P+1], in[3*P+2]                           // count: the 1-based step, a scalar
		h := Forward(cfg, ps[:nw], x, nil, form)                               // [B, T, H]
		pred := DotGeneral(h, []int{2}, nil, ps[nw], []int{1}, nil)            // [B, T, 1]
		pred = Add(pred, BroadcastToDims(Reshape(ps[nw+1], 1, 1, 1), B, T, 1)) // [B, T, 1]
		loss := ReduceAllMean(Square(Sub(pred, y)))
		grads := Gradient(loss, ps...)
		out := []*Node{loss}
		const b1, b2, eps = 0.9, 0.999, 1e-8
		corr1 := OneMinus(Pow(ConstAs(count, b1), count)) // 1 - β1^t
		corr2 := OneMinus(Pow(ConstAs(count, b2), count)) // 1 - β2^t
		var newM, newV []*Node
		for i, p := range ps {
			mi := Add(MulScalar(m[i], b1), MulScalar(grads[i], 1-b1))
			vi := Add(MulScalar(v[i], b2), MulScalar(Square(grads[i]), 1-b2))
			upd := Div(Div(mi, corr1), AddScalar(Sqrt(Div(vi, corr2)), eps))
			out = append(out, Sub(p, MulScalar(upd, lr)))
			newM, newV = append(newM, mi), append(newV, vi)
		}
		return append(append(out, newM...), newV...)
	})
	require.NoError(t, err)

	task, err := tasks.NewNoisySine(T, 0.1, 7)
	require.NoError(t, err)
	var losses []float64
	for s := range steps {
		xs, ys, err := task.Batch(B)
		require.NoError(t, err)
		args := make([]any, 0, 3*P+3)
		for _, p := range append(params, moments...) {
			args = append(args, p)
		}
		args = append(args, float32(s+1),
			tensors.FromFlatDataAndDimensions(xs, B, T, 1), tensors.FromFlatDataAndDimensions(ys, B, T, 1))
		outs, err := step.Call(args...)
		require.NoError(t, err)
		loss := float64(tensors.ToScalar[float32](outs[0]))
		require.False(t, math.IsNaN(loss) || math.IsInf(loss, 0), "step %d: loss %v", s, loss)
		losses = append(losses, loss)
		params, moments = outs[1:1+P], outs[1+P:]
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	return mean(losses[:20]), mean(losses[len(losses)-20:])
}

// TestTrainNoisySine trains minGRU through the chunked scan on the noisy sine (noise 0.1, so
// predicting 0 costs 0.51 and the floor is 0.01) and requires the loss of the last 20 of 300
// steps to be below 0.1. The log-space mode gets the same test when not in -short mode.
func TestTrainNoisySine(t *testing.T) {
	modes := []scan.Form{Chunked}
	if !testing.Short() {
		modes = append(modes, LogSpace, Sequential)
	}
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			first, last := trainSine(t, mode, 300)
			t.Logf("%s: mean MSE of the first 20 steps %.3f, of the last 20 steps %.3f", mode, first, last)
			require.Less(t, last, 0.1, "minGRU (%s) did not learn the noisy sine", mode)
		})
	}
}
