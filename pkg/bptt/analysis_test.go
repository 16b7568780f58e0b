package bptt

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

func TestCheckGradients(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	for _, kind := range recurrent.Kinds {
		rows, err := CheckGradients(b, recurrent.Config{Kind: kind, InputSize: 2, HiddenSize: 3, NumLayers: 1}, 2, 5, 1)
		require.NoError(t, err)
		require.Len(t, rows, 5)
		for _, r := range rows {
			require.Less(t, r.AutodiffVsFD, 1e-6, "%s %s", kind, r.Name)
			require.Less(t, r.HandVsAutodiff, 1e-9, "%s %s", kind, r.Name)
		}
	}
}

// TestGradientByLag checks the spectral-radius story on a linear-regime tanh RNN: with tiny
// inputs and an orthogonal W_hh scaled by rho, ||∂L/∂h_t|| ≈ rho^(T-t) ||g||.
func TestGradientByLag(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	cfg := recurrent.Config{Kind: recurrent.RNNTanh, InputSize: 1, HiddenSize: 16, NumLayers: 1, DType: dtypes.Float64}
	w, err := recurrent.NewWeights(cfg, 1)
	require.NoError(t, err)
	for _, idx := range []int{0, 2, 3} { // zero W_ih and the biases: h stays 0, tanh'(0) = 1
		w.Tensors[idx].MustMutableFlatData(func(f any) { clear(f.([]float64)) })
	}
	x := tensors.FromFlatDataAndDimensions(make([]float64, 4*20), 4, 20, 1)
	for _, rho := range []float64{0.8, 1.2} {
		require.NoError(t, SetRecurrentSpectralRadius(w, rho, 3))
		norms, err := GradientByLag(b, w, x, 5)
		require.NoError(t, err)
		require.Len(t, norms, 20)
		for lag := 1; lag < 20; lag++ {
			require.InDelta(t, rho, norms[lag]/norms[lag-1], 1e-9, "rho=%v lag=%d", rho, lag)
		}
	}
	_ = rand.New(rand.NewPCG(1, 1))
}

// TestParamGradientNorm checks ||∂L/∂θ|| against central differences of the same loss, one weight
// at a time (float64, a GRU so that every kind of weight matters).
func TestParamGradientNorm(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	cfg := recurrent.Config{Kind: recurrent.GRU, InputSize: 2, HiddenSize: 3, NumLayers: 1, DType: dtypes.Float64}
	w, err := recurrent.NewWeights(cfg, 2)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(4, 4))
	xs := make([]float64, 2*5*2)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	x := tensors.FromFlatDataAndDimensions(xs, 2, 5, 2)
	got, err := ParamGradientNorm(b, w, x, 7)
	require.NoError(t, err)

	loss := func() float64 {
		out, err := lastStateLossExec(b, w, x, 7, func(loss *Node, _ []*Node, _ *recurrent.Trace) *Node {
			return ConvertDType(Reshape(loss, 1), dtypes.Float64)
		})
		require.NoError(t, err)
		return out[0]
	}
	const eps = 1e-6
	sum := 0.0
	for _, wt := range w.Tensors {
		n := wt.Shape().Size()
		for i := range n {
			at := func(d float64) float64 {
				wt.MustMutableFlatData(func(f any) { f.([]float64)[i] += d })
				return loss()
			}
			lp := at(eps)
			lm := at(-2 * eps)
			at(eps) // restore
			g := (lp - lm) / (2 * eps)
			sum += g * g
		}
	}
	want := math.Sqrt(sum)
	require.InDelta(t, 1, got/want, 1e-6, "||∂L/∂θ|| = %v, central differences give %v", got, want)
}
