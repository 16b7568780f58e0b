package deer

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// Conditioning measures how far a trajectory of a one-layer RNN can be trusted in floating
// point. Every evaluation of h_t = f(h_{t-1}, x_t) — the sequential loop's or a DEER iterate's —
// makes a rounding error e_t at every step. To first order such errors propagate through the
// linearised recurrence δ_t = J_t δ_{t-1} + e_t, so
//
//	|δ_t|_∞ ≤ Σ_{s≤t} ‖J_t J_{t-1} ⋯ J_{s+1}‖_∞ |e_s|_∞ ≤ κ_t max_s |e_s|_∞,
//	κ_t = Σ_{s=0..t} ‖J_t ⋯ J_{s+1}‖_∞     (the s = t term is ‖I‖ = 1),
//
// with J_t = ∂f/∂h at the trajectory (the Jacobians of the package doc). Conditioning returns κ_t
// for every step t, the largest over the batch. When every ‖J_t‖_∞ ≤ ρ < 1, κ_t stays below
// 1/(1-ρ) (the spectral radius of W_hh alone does not bound it: W_hh = 0.5 × orthogonal gives
// κ_t up to 3.3 at H = 8); for a chaotic recurrence it grows exponentially. Two computations of
// the same trajectory that round differently (a loop and a scan, two matmul kernels) can then
// differ by up to about (R + u)·κ_t, R their residual max_t |h_t - f(h_{t-1}, x_t)| and
// u = 2⁻⁵³ in float64, whatever method is used; the actual gap is usually well below the bound.
//
// h is the trajectory [B, T, H] (from [Sequential]), float32 or float64; w a one-layer tanh or
// ReLU RNN. The products are formed in float64 in plain Go: O(B T² H³) work, for the small
// problems of the tests and the course.
func Conditioning(w *recurrent.Weights, h *tensors.Tensor) ([]float64, error) {
	if w == nil || h == nil {
		return nil, fmt.Errorf("deer: Conditioning needs the weights and the trajectory, got weights %v, trajectory %v", w != nil, h != nil)
	}
	cfg := w.Config
	if cfg.Kind != recurrent.RNNTanh && cfg.Kind != recurrent.RNNReLU || cfg.NumLayers != 1 {
		return nil, fmt.Errorf("deer: Conditioning is for one-layer tanh and ReLU RNNs, got %s with %d layers", cfg.Kind, cfg.NumLayers)
	}
	H := cfg.HiddenSize
	if s := h.Shape(); s.Rank() != 3 || s.Dim(2) != H {
		return nil, fmt.Errorf("deer: the trajectory has shape %s, want [batch, time, %d]", s, H)
	}
	B, T := h.Shape().Dim(0), h.Shape().Dim(1)
	whh := flat64(w.Tensors[1]) // [H, H], row i: ∂a_i/∂h
	hs := flat64(h)             // [B, T, H]
	kappa := make([]float64, T)
	prods := make([][]float64, 0, T) // prods[s] = J_t ⋯ J_{s+1}, [H, H] row-major
	next := make([]float64, H*H)
	for b := range B {
		prods = prods[:0]
		for t := range T {
			ht := hs[(b*T+t)*H : (b*T+t+1)*H]
			d := make([]float64, H) // the diagonal factor of J_t = diag(d) W_hh
			for i, v := range ht {
				if cfg.Kind == recurrent.RNNTanh {
					d[i] = 1 - v*v
				} else if v > 0 {
					d[i] = 1
				}
			}
			sum := 1.0 // s = t
			for _, p := range prods {
				for i := range H { // next = diag(d) W_hh p
					for j := range H {
						acc := 0.0
						for k := range H {
							acc += whh[i*H+k] * p[k*H+j]
						}
						next[i*H+j] = d[i] * acc
					}
				}
				copy(p, next)
				sum += normInf(p, H)
			}
			id := make([]float64, H*H)
			for i := range H {
				id[i*H+i] = 1
			}
			prods = append(prods, id)
			if !(sum <= kappa[t]) {
				kappa[t] = sum // NaN propagates
			}
		}
	}
	return kappa, nil
}

// normInf is the largest absolute row sum of an [n, n] matrix.
func normInf(m []float64, n int) float64 {
	best := 0.0
	for i := range n {
		s := 0.0
		for _, v := range m[i*n : (i+1)*n] {
			s += math.Abs(v)
		}
		best = math.Max(best, s)
	}
	return best
}
