package cost

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultModels(t *testing.T) {
	var names []string
	for _, m := range DefaultModels() {
		names = append(names, m.Name)
	}
	assert.Equal(t, []string{"rnn", "lstm", "gru", "attention", "attention4", "conv"}, names)
	m, err := ModelByName("attention4")
	require.NoError(t, err)
	assert.Equal(t, 2, m.WorkOrder)
	_, err = ModelByName("transformer")
	assert.ErrorContains(t, err, "unknown model")

	ps, err := AllParams(Recurrent(recurrent.LSTM), 8, 64)
	require.NoError(t, err)
	assert.Equal(t, Param{"weight_ih_l0", []int{256, 8}}, ps[0])
	assert.Equal(t, Param{"readout.weight", []int{1, 64}}, ps[len(ps)-2])

	ps, err = AllParams(CausalConv(2, 256), 8, 64)
	require.NoError(t, err)
	assert.Len(t, ps, 2*8+2)
	assert.Equal(t, []int{64, 2 * 8}, ps[0].Dims)
	assert.Equal(t, []int{64, 2 * 64}, ps[2].Dims)
	assert.Equal(t, 4, ConvLayers(3, 31)) // 1 + 2·(2^4 - 1) = 31
	assert.Equal(t, "conv_k3_rf31", CausalConv(3, 31).Name)
}

func TestModelErrors(t *testing.T) {
	b := testBackend(t)
	_, err := BuildGraph(b, Attention(3), Fwd, Shape{B: 2, T: 4, D: 3, H: 8})
	assert.ErrorContains(t, err, "multiple of the 3 heads")
	_, err = BuildGraph(b, Recurrent(recurrent.GRU), Fwd, Shape{B: 0, T: 4, D: 3, H: 8})
	assert.ErrorContains(t, err, "B, T, D, H must all be >= 1")
	_, err = BuildGraph(b, CausalConv(1, 8), Fwd, small(4))
	assert.ErrorContains(t, err, "kernel >= 2")
	_, err = BuildGraph(b, Model{Name: "bad", Params: func(D, H int) ([]Param, error) { return nil, nil },
		Build: func(_ []*Node, x *Node) *Node { return x }}, Fwd, small(4))
	assert.ErrorContains(t, err, "returned features of shape")
	_, err = BuildGraph(b, Recurrent(recurrent.RNNTanh), "train", small(4))
	assert.ErrorContains(t, err, "unknown pass")
}

// features evaluates m's features on x and returns them flat, [B, T, H] row-major.
func features(t *testing.T, m Model, s Shape, x []float64) []float64 {
	t.Helper()
	b := testBackend(t)
	ps, err := m.Params(s.D, s.H)
	require.NoError(t, err)
	g := NewGraph(b, "features")
	defer g.Finalize()
	var params []*Node
	var args []any
	for i, p := range ps {
		params = append(params, Parameter(g, p.Name, shapes.Make(dtypes.Float64, p.Dims...)))
		size := 1
		for _, d := range p.Dims {
			size *= d
		}
		v := make([]float64, size)
		for j := range v {
			v[j] = 0.3 * math.Sin(float64(7*i+j+1))
		}
		args = append(args, tensors.FromFlatDataAndDimensions(v, p.Dims...))
	}
	xn := Parameter(g, "x", shapes.Make(dtypes.Float64, s.B, s.T, s.D))
	require.NoError(t, g.Compile(m.Build(params, xn)))
	args = append(args, tensors.FromFlatDataAndDimensions(x, s.B, s.T, s.D))
	var out []float64
	g.Run(args...)[0].MustConstFlatData(func(flat any) { out = append(out, flat.([]float64)...) })
	return out
}

// TestCausal: changing x at step t0 leaves every feature before t0 unchanged and changes the
// features at t0, for attention (1 and 4 heads) and the convolution stack.
func TestCausal(t *testing.T) {
	s := Shape{B: 2, T: 9, D: 3, H: 8}
	x := make([]float64, s.B*s.T*s.D)
	for i := range x {
		x[i] = math.Cos(float64(i))
	}
	const t0 = 5
	x2 := append([]float64{}, x...)
	for b := range s.B {
		for d := range s.D {
			x2[(b*s.T+t0)*s.D+d] += 1
		}
	}
	for _, m := range []Model{Attention(1), Attention(4), CausalConv(2, 8), CausalConv(3, 9)} {
		y1, y2 := features(t, m, s, x), features(t, m, s, x2)
		for b := range s.B {
			for tt := range s.T {
				diff := 0.0
				for h := range s.H {
					i := (b*s.T+tt)*s.H + h
					diff = math.Max(diff, math.Abs(y1[i]-y2[i]))
				}
				if tt < t0 {
					assert.Zero(t, diff, "%s: step %d changed by a change at step %d", m.Name, tt, t0)
				} else if tt == t0 {
					assert.Positive(t, diff, "%s: step %d did not see its own input", m.Name, tt)
				}
			}
		}
	}
}

// TestGradientFiniteDifferences: the gradients of the attention and convolution losses exist
// (the convolution is built from Slice + Concatenate, whose gradients GoMLX defines) and match
// central finite differences in float64.
func TestGradientFiniteDifferences(t *testing.T) {
	b := testBackend(t)
	s := Shape{B: 2, T: 6, D: 3, H: 4}
	for _, m := range []Model{Attention(1), Attention(2), CausalConv(2, 8), Recurrent(recurrent.GRU)} {
		built, err := buildGraph(b, m, FwdBwd, s, dtypes.Float64)
		require.NoError(t, err)
		require.NoError(t, built.Graph.Compile(built.Outputs...))
		inputs := NewInputs(built, 3)
		run := func() []*tensors.Tensor {
			args := make([]any, len(inputs))
			for i, in := range inputs {
				args[i] = in
			}
			return built.Graph.Run(args...)
		}
		outs := run()
		for p := range len(built.Params) {
			var grad []float64
			outs[1+p].MustConstFlatData(func(flat any) { grad = append(grad, flat.([]float64)...) })
			for _, j := range []int{0, len(grad) - 1} {
				const eps = 1e-6
				var v0 float64
				inputs[p].MustConstFlatData(func(flat any) { v0 = flat.([]float64)[j] })
				set := func(v float64) float64 {
					inputs[p].MustMutableFlatData(func(flat any) { flat.([]float64)[j] = v })
					return run()[0].Value().(float64)
				}
				fd := (set(v0+eps) - set(v0-eps)) / (2 * eps)
				set(v0)
				assert.InDelta(t, fd, grad[j], 1e-6+1e-5*math.Abs(fd), "%s: d loss / d %s[%d]", m.Name, built.Params[p].Name, j)
			}
		}
		built.Graph.Finalize()
	}
}
