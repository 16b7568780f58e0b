package bptt

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
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
