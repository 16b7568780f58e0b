package bptt

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

func TestRandomInputsAndDecayRate(t *testing.T) {
	x := RandomInputs(2, 3, 4, 7, 9)
	require.Equal(t, []int{2, 3, 4}, x.Shape().Dimensions)
	rng := rand.New(rand.NewPCG(7, 9))
	for i, v := range tensors.MustCopyFlatData[float64](x) {
		require.Equal(t, rng.NormFloat64(), v, "value %d", i)
	}
	norms := []float64{8, 4, 2, 1, 0.5} // halves every step
	require.InDelta(t, 0.5, DecayRate(norms, 4), 1e-15)
	require.InDelta(t, 0.5, DecayRate(norms, 1), 1e-15)
}

// TestRadiusSweep: in the linear regime the gradient is g·(W_hhᵀ)^n with W_hh = ρ·orthogonal, so
// its norm is exactly ρ^n times the norm at lag 0; real inputs only shrink it (tanh' < 1).
func TestRadiusSweep(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	runs, err := RadiusSweep(b, []float64{0.5, 1.2}, 24, 6, 3, 1, 2, 3, 4)
	require.NoError(t, err)
	require.Len(t, runs, 2)
	for _, r := range runs {
		require.InDelta(t, r.Rho, r.LinearRatio, 1e-9*r.Rho)
		for n, v := range r.Linear {
			require.InDelta(t, r.Linear[0]*math.Pow(r.Rho, float64(n)), v, 1e-9*v, "ρ = %v, lag %d", r.Rho, n)
		}
		pred := r.LinearPrediction()
		require.InDelta(t, r.Linear[23], pred[23], 1e-9*pred[23])
		require.Less(t, r.RealRatio, r.LinearRatio)
		require.NoError(t, r.Check())
	}
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	require.True(t, strings.HasPrefix(runs[0].Line(), "ρ = 0.5: ratio per step back 0.5000 (linear regime)"), runs[0].Line())
	bad := runs[1]
	bad.LinearRatio = 1.3
	require.ErrorContains(t, bad.Check(), "linear regime: ratio 1.3000 is not ρ = 1.2")
	bad = runs[0]
	bad.RealRatio = 0.6
	require.ErrorContains(t, bad.Check(), "real inputs did not shrink")
	_, err = RadiusSweep(b, []float64{1}, 20, 6, 3, 1, 2, 3, 4)
	require.ErrorContains(t, err, "T >= 21")
}

// TestDecayRates: each rate is DecayRate of the setup's own measurement of that draw, and the
// report states the order that the rates give.
func TestDecayRates(t *testing.T) {
	b, _, err := backend.New()
	require.NoError(t, err)
	s := LagSetup{B: 2, H: 5, D: 3, InputSeed: 1, WeightSeed: 2, ProbeSeed: 3}
	kinds := []recurrent.Kind{recurrent.RNNTanh, recurrent.GRU}
	rates, err := s.DecayRates(b, kinds, 2, 4)
	require.NoError(t, err)
	s.T = 5
	for _, k := range kinds {
		for d := range 2 {
			norms, err := s.Norms(b, k, d)
			require.NoError(t, err)
			require.Equal(t, DecayRate(norms, 4), rates[k][d])
			w, err := recurrent.NewWeights(recurrent.Config{Kind: k, InputSize: 3, HiddenSize: 5, NumLayers: 1, DType: dtypes.Float64}, 2+uint64(d))
			require.NoError(t, err)
			want, err := GradientByLag(b, w, RandomInputs(2, 5, 3, 1, uint64(2+d)), 3+uint64(d))
			require.NoError(t, err)
			require.Equal(t, want, norms)
		}
	}
	_, err = s.DecayRates(b, kinds, 0, 4)
	require.Error(t, err)
}

func TestDecayReport(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	kinds := []recurrent.Kind{recurrent.RNNTanh, recurrent.LSTM, recurrent.GRU}
	rates := map[recurrent.Kind][]float64{
		recurrent.RNNTanh: {0.5, 0.52, 0.48}, recurrent.LSTM: {0.8, 0.82, 0.78}, recurrent.GRU: {0.7, 0.9, 0.8},
	}
	got, err := DecayReport(rates, kinds, 10)
	require.NoError(t, err)
	require.Equal(t, "rnn_tanh factor per step over the first 10 lags: 0.5 ± 0.012 (n = 3)\n"+
		"lstm     factor per step over the first 10 lags: 0.8 ± 0.012 (n = 3)\n"+
		"gru      factor per step over the first 10 lags: 0.8 ± 0.058 (n = 3)\n"+
		"Over these 3 draws the rnn_tanh's gradient falls fastest, by more than two standard errors.\n", got)
	rates[recurrent.RNNTanh] = []float64{0.75, 0.9, 0.6} // mean 0.75 ± 0.087: not separated from 0.8
	got, err = DecayReport(rates, kinds, 10)
	require.NoError(t, err)
	require.Contains(t, got, "These 3 draws do not separate the fastest-falling cell (rnn_tanh) from the next (lstm)")
	rates[recurrent.GRU] = []float64{0.7, 1.01, 0.8}
	_, err = DecayReport(rates, kinds, 10)
	require.ErrorContains(t, err, "gru: in one draw the gradient grew over the first 10 lags (factor 1.01 per step)")
}
