package deer

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// The test problems of notebook 06: small tanh RNNs whose recurrent weights are ρ × an
// orthogonal matrix, contractive for ρ < 1 and, for most draws, chaotic for ρ > 1.

// Seeds are the three seeds a problem is drawn from: the weights, the orthogonal matrix of
// W_hh, and the input.
type Seeds [3]uint64

// Draw is a tanh RNN (input 3, H = 8, float64, W_hh = ρ × an orthogonal matrix) and an input
// x [2, T, 3] of standard normal values; draw numbers the draws from the same seeds.
func Draw(rho float64, T, draw int, seeds Seeds) (*recurrent.Weights, *tensors.Tensor, error) {
	cfg := recurrent.Config{Kind: recurrent.RNNTanh, InputSize: 3, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float64}
	w, err := recurrent.NewWeights(cfg, seeds[0]+uint64(draw))
	if err != nil {
		return nil, nil, err
	}
	if err := bptt.SetRecurrentSpectralRadius(w, rho, seeds[1]+uint64(draw)); err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(seeds[2], uint64(3+draw)))
	xs := make([]float64, 2*T*3)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	return w, tensors.FromFlatDataAndDimensions(xs, 2, T, 3), nil
}

// ChaoticKappa is the condition number κ_T above which Problem calls a trajectory chaotic.
const ChaoticKappa = 1e3

// Problem is the first Draw for ρ ≤ 1. For ρ > 1 it is the first of 20 draws whose trajectory
// is chaotic, its condition number κ_T (Conditioning) above ChaoticKappa: a spectral radius
// above 1 does not make every draw chaotic, since where the units saturate tanh' is small and
// the trajectory contracts after all.
func Problem(b compute.Backend, rho float64, T int, seeds Seeds) (*recurrent.Weights, *tensors.Tensor, error) {
	for draw := range 20 {
		w, x, err := Draw(rho, T, draw, seeds)
		if err != nil || rho <= 1 {
			return w, x, err
		}
		truth, err := Sequential(b, w, x, nil)
		if err != nil {
			return nil, nil, err
		}
		kappa, err := Conditioning(w, truth)
		if err != nil {
			return nil, nil, err
		}
		if kappa[T-1] > ChaoticKappa {
			return w, x, nil
		}
	}
	return nil, nil, lang.Errorf("none of 20 draws with ρ = %g gave a chaotic trajectory at T = %d", rho, T)
}

// Curve is DEER's error against the Newton iteration on one problem, for a plot.
type Curve struct {
	K, Err     []float64 // iterate k = 0, 1, … and max_t |h^(k)_t − h_t|, errors of 0 as 1e-17 (log axis)
	Iterations int       // Newton iterations to convergence; 0 if the solve did not converge
	Status     string    // "converged", or why not, in the edition's language
}

// ErrorCurve solves a problem with DEER (iterates clipped to (−1, 1), tolerance 1e-10, no
// divergence test) and measures every iterate's error against the sequential loop.
func ErrorCurve(ctx context.Context, b compute.Backend, method Method, w *recurrent.Weights, x *tensors.Tensor) Curve {
	e, res, err := ErrorByIteration(ctx, b, Config{Method: method, Clip: true}, w, x, nil, Options{Tol: 1e-10, DivergenceFactor: -1})
	var c Curve
	if err != nil {
		c.Status = lang.Explain(err)
	} else {
		c.Iterations, c.Status = res.Iterations, lang.T("converged")
	}
	if e != nil {
		for k, v := range e.Max {
			c.K, c.Err = append(c.K, float64(k)), append(c.Err, math.Max(v, 1e-17))
		}
	}
	return c
}

// Regime is one of notebook 06's two test problems: a tanh RNN with W_hh = Rho × an orthogonal
// matrix.
type Regime struct {
	Name string // in the edition's language
	Rho  float64
}

// Regimes are the contractive (ρ = 0.5) and the chaotic (ρ = 3) problems of notebook 06.
func Regimes() []Regime {
	return []Regime{{lang.T("contractive (ρ = 0.5)"), 0.5}, {lang.T("chaotic (ρ = 3)"), 3}}
}
