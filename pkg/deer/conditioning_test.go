package deer

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// TestConditioningMatchesPerturbation checks κ_t against its definition, with the Jacobian
// products measured by central differences of a plain-Go loop: column j of J_t ⋯ J_{s+1} is
// ∂h_t/∂h_s along e_j, obtained by restarting the recurrence from h_s ± ε e_j. Contractive
// and chaotic tanh RNNs, and a ReLU RNN.
func TestConditioningMatchesPerturbation(t *testing.T) {
	b := testBackend(t)
	for _, c := range []struct {
		kind recurrent.Kind
		gain float64
	}{{recurrent.RNNTanh, 0.5}, {recurrent.RNNTanh, 3}, {recurrent.RNNReLU, 0.9}} {
		const B, T, D, H = 2, 9, 3, 4
		p := newProblem(t, c.kind, dtypes.Float64, B, T, D, H, 4)
		require.NoError(t, bptt.SetRecurrentSpectralRadius(p.w, c.gain, 3))
		truth, err := Sequential(b, p.w, p.x, p.h0)
		require.NoError(t, err)
		kappa, err := Conditioning(p.w, truth)
		require.NoError(t, err)
		require.Len(t, kappa, T)

		wih, whh := flat64(p.w.Tensors[0]), flat64(p.w.Tensors[1])
		bias := flat64(p.w.Tensors[2])
		for i, v := range flat64(p.w.Tensors[3]) {
			bias[i] += v
		}
		xs, hs, h0 := flat64(p.x), flat64(truth), flat64(p.h0)
		step := func(bi, t int, h []float64) []float64 { // h_t from h_{t-1}
			out := make([]float64, H)
			for i := range H {
				a := bias[i]
				for k := range D {
					a += wih[i*D+k] * xs[(bi*T+t)*D+k]
				}
				for k := range H {
					a += whh[i*H+k] * h[k]
				}
				if c.kind == recurrent.RNNTanh {
					out[i] = math.Tanh(a)
				} else {
					out[i] = math.Max(a, 0)
				}
			}
			return out
		}
		state := func(bi, t int) []float64 { // h_t of the loop; t = -1: h0
			if t < 0 {
				return h0[bi*H : (bi+1)*H]
			}
			return hs[(bi*T+t)*H : (bi*T+t+1)*H]
		}
		const eps = 1e-6
		for ti := range T {
			want := 0.0
			for bi := range B {
				sum := 0.0
				for s := 0; s <= ti; s++ { // ‖∂h_t/∂h_s‖_∞
					prod := make([]float64, H*H)
					for j := range H {
						run := func(sign float64) []float64 {
							h := append([]float64(nil), state(bi, s)...)
							h[j] += sign * eps
							for u := s + 1; u <= ti; u++ {
								h = step(bi, u, h)
							}
							return h
						}
						hp, hm := run(1), run(-1)
						for i := range H {
							prod[i*H+j] = (hp[i] - hm[i]) / (2 * eps)
						}
					}
					sum += normInf(prod, H)
				}
				want = math.Max(want, sum)
			}
			require.InEpsilon(t, want, kappa[ti], 1e-5, "%s gain %g: κ_%d", c.kind, c.gain, ti)
		}
		t.Logf("%s gain %g: κ_t = %.3g", c.kind, c.gain, kappa)
	}
}

// TestConditioningErrors: unsupported cells and wrong shapes.
func TestConditioningErrors(t *testing.T) {
	p := newProblem(t, recurrent.GRU, dtypes.Float64, 1, 5, 3, 4, 1)
	_, err := Conditioning(p.w, tensors.FromShape(p.x.Shape()))
	require.ErrorContains(t, err, "tanh and ReLU")
	p = newProblem(t, recurrent.RNNTanh, dtypes.Float64, 1, 5, 3, 4, 1)
	_, err = Conditioning(p.w, p.x) // [1, 5, 3]: not [B, T, 4]
	require.ErrorContains(t, err, "want [batch, time, 4]")
	_, err = Conditioning(nil, p.x)
	require.ErrorContains(t, err, "needs the weights")
}
