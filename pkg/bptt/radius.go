package bptt

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// RadiusRun is the gradient against the lag of a tanh RNN whose W_hh is ρ times a random
// orthogonal matrix (SetRecurrentSpectralRadius), measured twice on the same W_hh: in the linear
// regime (W_ih and the biases zero, so h_t = 0 and tanh'(a_t) = 1: the pure product of
// Jacobians, ‖∂L/∂h‖ ∝ ρ^n) and with real inputs (PyTorch-initialised W_ih and biases, inputs
// N(0, 1)).
type RadiusRun struct {
	Rho          float64
	Linear, Real []float64 // ‖∂L/∂h_t‖ by lag 0 … T−1
	// LinearRatio and RealRatio are the measured factors per step back between lags 1 and 20,
	// (‖∂L/∂h‖ at lag 20 / at lag 1)^(1/19).
	LinearRatio, RealRatio float64
}

// RadiusSweep measures a RadiusRun for each ρ in rhos: a one-layer tanh RNN of H units in
// float64, T steps (at least 21), a batch of B scalar inputs drawn with RandomInputs(B, T, 1,
// inputSeed, 5); weights from weightSeed, the orthogonal matrix from orthoSeed and the probe g of
// L = ⟨h_T, g⟩ from probeSeed, the same for every ρ.
func RadiusSweep(b compute.Backend, rhos []float64, T, H, B int, inputSeed, weightSeed, orthoSeed, probeSeed uint64) ([]RadiusRun, error) {
	if T < 21 || H < 1 || B < 1 {
		return nil, fmt.Errorf("bptt: RadiusSweep with T = %d, H = %d, B = %d; want T >= 21 (the ratio is measured between lags 1 and 20), H, B >= 1", T, H, B)
	}
	cfg := recurrent.Config{Kind: recurrent.RNNTanh, InputSize: 1, HiddenSize: H, NumLayers: 1, DType: dtypes.Float64}
	x := RandomInputs(B, T, 1, inputSeed, 5)
	var out []RadiusRun
	for _, rho := range rhos {
		run := RadiusRun{Rho: rho}
		for _, linear := range []bool{true, false} {
			w, err := recurrent.NewWeights(cfg, weightSeed)
			if err != nil {
				return nil, err
			}
			if err := SetRecurrentSpectralRadius(w, rho, orthoSeed); err != nil {
				return nil, err
			}
			if linear {
				for _, i := range []int{0, 2, 3} { // weight_ih, bias_ih, bias_hh
					w.Tensors[i].MustMutableFlatData(func(f any) { clear(f.([]float64)) })
				}
			}
			norms, err := GradientByLag(b, w, x, probeSeed)
			if err != nil {
				return nil, err
			}
			ratio := math.Pow(norms[20]/norms[1], 1.0/19)
			if linear {
				run.Linear, run.LinearRatio = norms, ratio
			} else {
				run.Real, run.RealRatio = norms, ratio
			}
		}
		out = append(out, run)
	}
	return out, nil
}

// Line describes the run in the learner's language: the two ratios per step and where the
// gradient with real inputs goes from lag 0 to the last lag.
func (r RadiusRun) Line() string {
	T := len(r.Real)
	verdict := lang.T("vanishes")
	if r.Real[T-1] > r.Real[0] {
		verdict = lang.T("grows")
	}
	return lang.Sprintf("ρ = %.1f: ratio per step back %.4f (linear regime), %.4f (real inputs); with real inputs ‖∂L/∂h_t‖ %s from %.3g at lag 0 to %.3g at lag %d\n",
		r.Rho, r.LinearRatio, r.RealRatio, verdict, r.Real[0], r.Real[T-1], T-1)
}

// Check returns an error, in the learner's language, when the run contradicts what notebook 03
// says of it: in the linear regime the ratio per step is ρ (within 2%); real inputs make it
// smaller; for ρ ≤ 1 the gradient with real inputs vanishes (is smaller at the last lag than at
// lag 0); for ρ = 1.5 it still grows.
func (r RadiusRun) Check() error {
	T := len(r.Real)
	if math.Abs(r.LinearRatio-r.Rho) > 0.02*r.Rho {
		return lang.Errorf("linear regime: ratio %.4f is not ρ = %.1f", r.LinearRatio, r.Rho)
	}
	if r.RealRatio >= r.LinearRatio {
		return lang.Errorf("ρ = %.1f: real inputs did not shrink the per-step ratio", r.Rho)
	}
	if r.Rho <= 1 && r.Real[T-1] >= r.Real[0] {
		return lang.Errorf("ρ = %.1f: the gradient did not vanish with real inputs", r.Rho)
	}
	if r.Rho == 1.5 && r.Real[T-1] <= r.Real[0] {
		return lang.Errorf("ρ = 1.5: in this run the gradient did not grow with the lag (%.3g at lag 0, %.3g at the longest lag)", r.Real[0], r.Real[T-1])
	}
	return nil
}

// LinearPrediction is the linear regime's prediction ρ^n for the run, anchored at lag 1:
// ‖∂L/∂h‖ at lag 1 times ρ^(n−1), for n = 0 … T−1.
func (r RadiusRun) LinearPrediction() []float64 {
	pred := make([]float64, len(r.Linear))
	for n := range pred {
		pred[n] = r.Linear[1] * math.Pow(r.Rho, float64(n-1))
	}
	return pred
}
