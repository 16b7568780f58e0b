package deer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

var testKinds = []recurrent.Kind{recurrent.RNNTanh, recurrent.RNNReLU, recurrent.GRU}

// layer makes LayerParams of the first four graph inputs.
func layer(in []*Node) recurrent.LayerParams { return recurrent.SplitParams(in[:4])[0] }

func args(w *recurrent.Weights, rest ...*tensors.Tensor) []any {
	a := []any{}
	for _, t := range w.Tensors {
		a = append(a, t)
	}
	for _, t := range rest {
		a = append(a, t)
	}
	return a
}

// TestJacobianMatchesAutodiff compares the analytic J_t = ∂f/∂h_{t-1} of every cell with
// autodiff (row i of J is the gradient of f_i, summed over b and t: each f_t depends on its own
// h_{t-1} only) and with central finite differences, in float64; and diag(J) with the diagonal
// of the full J.
func TestJacobianMatchesAutodiff(t *testing.T) {
	b := testBackend(t)
	const B, T, D, H = 2, 3, 3, 5
	for _, kind := range testKinds {
		t.Run(string(kind), func(t *testing.T) {
			p := newProblem(t, kind, dtypes.Float64, B, T, D, H, 7)
			rng := rand.New(rand.NewPCG(3, 4))
			hprev := randTensor(rng, dtypes.Float64, 0.8, B, T, H)
			exec, err := NewExec(b, func(in []*Node) []*Node {
				x, hp := in[4], in[5]
				f, J := Jacobian(kind, layer(in), hp, x)
				_, d := DiagJacobian(kind, layer(in), hp, x)
				rows := make([]*Node, H)
				for i := range H {
					rows[i] = Gradient(ReduceAllSum(SliceAxis(f, 2, AxisElem(i))), hp)[0] // [B, T, H]
				}
				return []*Node{f, J, Stack(rows, 2), d}
			})
			require.NoError(t, err)
			out, err := exec.Call(args(p.w, p.x, hprev)...)
			require.NoError(t, err)
			J, auto, d := flat64(out[1]), flat64(out[2]), flat64(out[3])
			worst := 0.0
			for i := range J {
				worst = math.Max(worst, math.Abs(J[i]-auto[i]))
			}
			require.Less(t, worst, 1e-13, "analytic J vs autodiff")
			for n := range B * T {
				for i := range H {
					require.InDelta(t, J[(n*H+i)*H+i], d[n*H+i], 1e-15, "diag(J) at step %d, unit %d", n, i)
				}
			}

			// Central finite differences, one column j of J per pair of evaluations.
			cell, err := NewExec(b, func(in []*Node) *Node { return Cell(kind, layer(in), in[5], in[4]) })
			require.NoError(t, err)
			hp := flat64(hprev)
			const eps = 1e-6
			fdWorst := 0.0
			for j := range H {
				var fs [2][]float64
				for s, sign := range []float64{1, -1} {
					v := append([]float64(nil), hp...)
					for n := range B * T {
						v[n*H+j] += sign * eps
					}
					o, err := cell.Call(args(p.w, p.x, tensors.FromFlatDataAndDimensions(v, B, T, H))...)
					require.NoError(t, err)
					fs[s] = flat64(o[0])
				}
				for n := range B * T {
					for i := range H {
						fd := (fs[0][n*H+i] - fs[1][n*H+i]) / (2 * eps)
						fdWorst = math.Max(fdWorst, math.Abs(fd-J[(n*H+i)*H+j]))
					}
				}
			}
			require.Less(t, fdWorst, 1e-8, "analytic J vs finite differences")
			t.Logf("%s: |J - autodiff| %.1g, |J - finite differences| %.1g", kind, worst, fdWorst)
		})
	}
}

// TestCellMatchesSequential: f evaluated for all t at once on the sequential trajectory of
// package recurrent (shifted by one step) reproduces that trajectory: the residual is rounding.
func TestCellMatchesSequential(t *testing.T) {
	b := testBackend(t)
	for _, kind := range testKinds {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			t.Run(fmt.Sprintf("%s/%s", kind, dtype), func(t *testing.T) {
				p := newProblem(t, kind, dtype, 2, 9, 3, 6, 11)
				h, err := Sequential(b, p.w, p.x, p.h0)
				require.NoError(t, err)
				exec, err := NewExec(b, func(in []*Node) *Node { return Residual(kind, layer(in), in[4], in[5], in[6]) })
				require.NoError(t, err)
				out, err := exec.Call(args(p.w, p.x, p.h0, h)...)
				require.NoError(t, err)
				tol := 1e-14
				if dtype == dtypes.Float32 {
					tol = 1e-6
				}
				require.Less(t, scalar(out[0]), tol)
			})
		}
	}
}

func TestCheckSupported(t *testing.T) {
	for _, k := range []recurrent.Kind{recurrent.RNNTanh, recurrent.RNNReLU, recurrent.GRU} {
		require.NoError(t, CheckSupported(k))
	}
	require.ErrorContains(t, CheckSupported(recurrent.LSTM), "pair (h, c)")
	require.ErrorContains(t, CheckSupported("mingru"), `cell kind "mingru" is not supported`)
}
