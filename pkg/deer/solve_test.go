package deer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/mingru"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/require"
)

// TestSolveMatchesSequential: DEER and quasi-DEER reach the trajectory of the sequential loop
// (recurrent.Forward, same PyTorch-initialised weights) to 1e-5 in float32 and 1e-10 in float64,
// for the tanh RNN and the GRU and T = 1, 7, 64, 300, within a bounded number of iterations.
// Measured (B=2, D=3, H=8): DEER 2 (T=1), 4-5 iterations; quasi-DEER 2, 8 (T=7), 11-38.
func TestSolveMatchesSequential(t *testing.T) {
	b := testBackend(t)
	ctx := context.Background()
	type key struct {
		kind   recurrent.Kind
		dtype  dtypes.DType
		method Method
	}
	// Upper bounds on the iterations (about 1.5x the measured counts), below the T+1 bound.
	maxIters := map[key]int{}
	for _, kind := range []recurrent.Kind{recurrent.RNNTanh, recurrent.GRU} {
		for _, dt := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			maxIters[key{kind, dt, Full}] = 8
			maxIters[key{kind, dt, Quasi}] = 30
		}
		maxIters[key{kind, dtypes.Float64, Quasi}] = 55 // a 1e-12 tolerance at a linear rate
	}
	var table []string
	for k, bound := range maxIters {
		for _, T := range []int{1, 7, 64, 300} {
			name := fmt.Sprintf("%s/%s/%s/T=%d", k.kind, k.dtype, k.method, T)
			t.Run(name, func(t *testing.T) {
				p := newProblem(t, k.kind, k.dtype, 2, T, 3, 8, 1)
				ref, err := Sequential(b, p.w, p.x, p.h0)
				require.NoError(t, err)
				tol, acc := 1e-12, 1e-10
				if k.dtype == dtypes.Float32 {
					tol, acc = 1e-6, 1e-5
				}
				res, err := Solve(ctx, b, Config{Method: k.method}, p.w, p.x, p.h0, Options{Tol: tol})
				require.NoError(t, err)
				e := maxAbsDiff(t, res.H, ref)
				require.LessOrEqual(t, e, acc, "max |DEER - sequential|")
				require.LessOrEqual(t, res.Iterations, min(bound, T+1))
				require.Len(t, res.Residuals, res.Iterations+1)
				require.Len(t, res.Updates, res.Iterations)
				require.Less(t, res.Updates[res.Iterations-1], tol)
				table = append(table, fmt.Sprintf("%-32s iterations %2d  max|h-h_seq| %.1e  residual %.1e",
					name, res.Iterations, e, res.Residual()))
			})
		}
	}
	t.Log("DEER vs the sequential loop (B=2, D=3, H=8):\n" + strings.Join(table, "\n"))
}

// TestSolveOptions: the Chunked elementwise scan, h0 as [1, B, H], the initial guess at the
// solution (one iteration), the Observe hook, Clip, and the ReLU RNN.
func TestSolveOptions(t *testing.T) {
	b := testBackend(t)
	ctx := context.Background()
	p := newProblem(t, recurrent.GRU, dtypes.Float64, 2, 40, 3, 6, 5)
	ref, err := Sequential(b, p.w, p.x, p.h0)
	require.NoError(t, err)

	res, err := Solve(ctx, b, Config{Method: Quasi, Scan: scan.ChunkedFunc(8)}, p.w, p.x, p.h0, Options{Tol: 1e-12})
	require.NoError(t, err)
	require.Less(t, maxAbsDiff(t, res.H, ref), 1e-10, "quasi-DEER with the chunked scan")

	h0 := withLeadingOne(p.h0) // [1, B, H]
	var seen []int
	res, err = Solve(ctx, b, Config{Clip: true}, p.w, p.x, h0, Options{Observe: func(k int, h *tensors.Tensor) {
		seen = append(seen, k)
	}})
	require.NoError(t, err)
	require.Less(t, maxAbsDiff(t, res.H, ref), 1e-10, "h0 as [1, B, H], Clip")
	require.Len(t, seen, res.Iterations+1)
	require.Equal(t, res.Iterations, seen[len(seen)-1])

	res, err = Solve(ctx, b, Config{}, p.w, p.x, p.h0, Options{Guess: ref})
	require.NoError(t, err)
	require.Equal(t, 1, res.Iterations, "starting at the solution")
	require.Less(t, res.Residuals[0], 1e-14)

	pr := newProblem(t, recurrent.RNNReLU, dtypes.Float64, 2, 50, 3, 6, 6)
	ref, err = Sequential(b, pr.w, pr.x, pr.h0)
	require.NoError(t, err)
	res, err = Solve(ctx, b, Config{}, pr.w, pr.x, pr.h0, Options{})
	require.NoError(t, err)
	require.Less(t, maxAbsDiff(t, res.H, ref), 1e-10, "ReLU RNN")
}

// TestNotConverged: MaxIter = 2 on a long sequence returns a *NotConvergedError, not a
// trajectory.
func TestNotConverged(t *testing.T) {
	b := testBackend(t)
	for _, m := range []Method{Full, Quasi} {
		p := newProblem(t, recurrent.GRU, dtypes.Float32, 2, 300, 3, 8, 2)
		res, err := Solve(context.Background(), b, Config{Method: m}, p.w, p.x, p.h0, Options{MaxIter: 2})
		require.Nil(t, res)
		var nc *NotConvergedError
		require.ErrorAs(t, err, &nc)
		require.Equal(t, ReasonMaxIter, nc.Reason)
		require.Equal(t, 2, nc.Iterations)
		require.Equal(t, m, nc.Method)
		require.Len(t, nc.Residuals, 3)
		require.Greater(t, nc.Residual, 0.0)
		require.GreaterOrEqual(t, nc.Update, DefaultTol32)
		require.Contains(t, err.Error(), "MaxIter")
		t.Log(err)
	}
}

// chaotic returns a tanh RNN whose W_hh is gain x a random orthogonal matrix (spectral radius =
// gain): contractive for gain 0.5, chaotic for gain 3.
func chaotic(t testing.TB, dtype dtypes.DType, gain float64, T int) problem {
	p := newProblem(t, recurrent.RNNTanh, dtype, 1, T, 3, 8, 2)
	require.NoError(t, bptt.SetRecurrentSpectralRadius(p.w, gain, 3))
	return p
}

// TestDivergenceAndNonFinite: in the chaotic regime the first linearisation overshoots
// exponentially (|h^(1)| ~ 3^t); the default DivergenceFactor reports it, and in float32 without
// a divergence test the values overflow to Inf/NaN, which is reported too. NaN inputs also fail.
func TestDivergenceAndNonFinite(t *testing.T) {
	b := testBackend(t)
	ctx := context.Background()
	var nc *NotConvergedError

	p := chaotic(t, dtypes.Float64, 3, 64)
	_, err := Solve(ctx, b, Config{}, p.w, p.x, p.h0, Options{})
	require.ErrorAs(t, err, &nc)
	require.Equal(t, ReasonDiverged, nc.Reason)
	t.Log(err)

	p = chaotic(t, dtypes.Float32, 3, 300)
	_, err = Solve(ctx, b, Config{}, p.w, p.x, p.h0, Options{DivergenceFactor: -1})
	require.ErrorAs(t, err, &nc)
	require.Equal(t, ReasonNonFinite, nc.Reason)
	t.Log(err)

	// A NaN or Inf anywhere in the inputs is reported, although tanh may map NaN to a finite value
	// (compute's SIMD Tanh(NaN) = -1) and the iterate then looks finite.
	for _, kind := range []recurrent.Kind{recurrent.RNNTanh, recurrent.GRU} {
		for _, m := range []Method{Full, Quasi} {
			for _, where := range []string{"x", "h0", "W_hh", "b_ih"} {
				for _, v := range []float64{math.NaN(), math.Inf(1)} {
					p = newProblem(t, kind, dtypes.Float64, 1, 10, 3, 4, 1)
					poison := func(tt *tensors.Tensor, i int) *tensors.Tensor {
						d := flat64(tt)
						d[i] = v
						return tensors.FromFlatDataAndDimensions(d, tt.Shape().Dimensions...)
					}
					switch where {
					case "x":
						p.x = poison(p.x, 7)
					case "h0":
						p.h0 = poison(p.h0, 2)
					case "W_hh":
						p.w.Tensors[1] = poison(p.w.Tensors[1], 3)
					case "b_ih":
						p.w.Tensors[2] = poison(p.w.Tensors[2], 0)
					}
					_, err = Solve(ctx, b, Config{Method: m}, p.w, p.x, p.h0, Options{})
					require.ErrorAs(t, err, &nc, "%s %v, %v in %s", kind, m, v, where)
					require.Equal(t, ReasonNonFinite, nc.Reason, "%s %v, %v in %s", kind, m, v, where)
				}
			}
		}
	}
}

// TestContractiveVsChaotic measures DEER's error against Newton iteration for a contractive tanh
// RNN (W_hh = 0.5 x orthogonal) and a chaotic one (3 x orthogonal), float64, B=1, H=8. It
// asserts that the converged trajectory solves the recurrence (residual at the tolerance), that
// it matches the sequential loop as well as floating point allows — |h_t - h_loop,t| ≤
// 16 (R + u) κ_t, the first-order bound of [Conditioning] with R the residual and u = 2⁻⁵³ —
// Newton's guarantee (iterate k has at least its first k steps exact, on the steps where
// 16 u κ_t is below the threshold of "exact"), that the contractive case converges in a few
// iterations whatever T, and that the chaotic one needs several times more. Measured (T = 16 /
// 64 / 300; the course build, whose SIMD matmul rounds differently from the loop's):
//
//	contractive  DEER 5 / 5 / 5         quasi-DEER 17 / 29 / 30
//	chaotic      DEER 15 / 51 / 237     quasi-DEER 17 / 65 / 302 (= T+2)
//	  with Clip  DEER 12 / 37 / 200     quasi-DEER 17 / 65 / 302
//
// In the chaotic case at T = 300, κ_t reaches 6e5 at t = 40 and 2e24 at the end: beyond t ≈ 190 DEER and
// the loop, both correct to rounding, differ by O(1) (largest ratio error / (u κ_t) seen: 2).
func TestContractiveVsChaotic(t *testing.T) {
	b := testBackend(t)
	ctx := context.Background()
	const u = 0x1p-53 // float64's unit roundoff
	Ts := []int{16, 64, 300}
	if testing.Short() {
		Ts = []int{16, 64}
	}
	iters := map[string]int{}
	for _, T := range Ts {
		for _, gain := range []float64{0.5, 3} {
			p := chaotic(t, dtypes.Float64, gain, T)
			truth, err := Sequential(b, p.w, p.x, p.h0)
			require.NoError(t, err)
			ref, H := flat64(truth), truth.Shape().Dim(2) // [B, T, H]
			kappa, err := Conditioning(p.w, truth)
			require.NoError(t, err)
			opts := Options{Tol: 1e-10, DivergenceFactor: -1}
			horizon := 0 // leading steps whose rounding floor 16 u κ_t is below the threshold of "exact"
			for horizon < T && 16*u*kappa[horizon] <= 100*opts.Tol {
				horizon++
			}
			require.GreaterOrEqual(t, horizon, min(T, 30), "gain %g T %d: κ = %.1e", gain, T, kappa)
			for _, cfg := range []Config{{Method: Full}, {Method: Quasi}, {Method: Full, Clip: true}, {Method: Quasi, Clip: true}} {
				name := fmt.Sprintf("gain=%g/%s/clip=%v/T=%d", gain, cfg.Method, cfg.Clip, T)
				errs, res, err := ErrorByIteration(ctx, b, cfg, p.w, p.x, p.h0, opts)
				require.NoError(t, err, name)
				require.Len(t, errs.Max, res.Iterations+1)
				R := res.Residual()
				require.LessOrEqual(t, R, 10*opts.Tol, name)
				worst := 0.0
				for n, v := range flat64(res.H) {
					step := (n / H) % T
					e := math.Abs(v - ref[n])
					require.LessOrEqual(t, e, 16*(R+u)*kappa[step], "%s: step %d, κ = %.2g", name, step, kappa[step])
					worst = math.Max(worst, e/((R+u)*kappa[step]))
				}
				for k, n := range errs.Exact {
					require.GreaterOrEqual(t, n, min(k, horizon), "%s: iterate %d has only %d exact steps", name, k, n)
				}
				iters[name] = res.Iterations
				series := make([]string, len(errs.Max))
				for k, e := range errs.Max {
					series[k] = fmt.Sprintf("%.0e", e)
				}
				if len(series) > 24 {
					series = append(series[:20], "…", series[len(series)-2], series[len(series)-1])
				}
				t.Logf("%-30s iterations %3d  error/((R+u)κ) ≤ %.2g  max|h^(k) - h_true|: %s", name, res.Iterations, worst, strings.Join(series, " "))
			}
			t.Logf("gain=%g T=%d: max κ_t = %.2g, exact-prefix checked on the first %d steps", gain, T, slices.Max(kappa), horizon)
		}
		key := func(gain float64, m Method) string { return fmt.Sprintf("gain=%g/%s/clip=false/T=%d", gain, m, T) }
		require.LessOrEqual(t, iters[key(0.5, Full)], 7, "contractive DEER")
		require.LessOrEqual(t, iters[key(0.5, Quasi)], 40, "contractive quasi-DEER")
		if T >= 64 {
			require.GreaterOrEqual(t, iters[key(3, Full)], 5*iters[key(0.5, Full)], "chaotic DEER")
			require.GreaterOrEqual(t, iters[key(3, Quasi)], T/2, "chaotic quasi-DEER")
		}
	}
}

// TestInputErrors: wrong inputs come back as errors that say what was expected.
func TestInputErrors(t *testing.T) {
	b := testBackend(t)
	ctx := context.Background()
	p := newProblem(t, recurrent.RNNTanh, dtypes.Float32, 2, 5, 3, 4, 1)
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"lstm", func() error {
			w, _ := recurrent.NewWeights(recurrent.Config{Kind: recurrent.LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}, 1)
			_, err := Solve(ctx, b, Config{}, w, p.x, nil, Options{})
			return err
		}, "not supported"},
		{"layers", func() error {
			w, _ := recurrent.NewWeights(recurrent.Config{Kind: recurrent.GRU, InputSize: 3, HiddenSize: 4, NumLayers: 2, DType: dtypes.Float32}, 1)
			_, err := Solve(ctx, b, Config{}, w, p.x, nil, Options{})
			return err
		}, "NumLayers = 1"},
		{"method", func() error { _, err := Solve(ctx, b, Config{Method: "newton"}, p.w, p.x, nil, Options{}); return err }, "unknown method"},
		{"clip relu", func() error {
			w, _ := recurrent.NewWeights(recurrent.Config{Kind: recurrent.RNNReLU, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}, 1)
			_, err := Solve(ctx, b, Config{Clip: true}, w, p.x, nil, Options{})
			return err
		}, "bounded cell"},
		{"nil weights", func() error { _, err := Solve(ctx, b, Config{}, nil, p.x, nil, Options{}); return err }, "weights are nil"},
		{"x features", func() error {
			_, err := Solve(ctx, b, Config{}, p.w, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 4)), nil, Options{})
			return err
		}, "input size 3"},
		{"x dtype", func() error {
			_, err := Solve(ctx, b, Config{}, p.w, tensors.FromShape(shapes.Make(dtypes.Float64, 2, 5, 3)), nil, Options{})
			return err
		}, "dtype"},
		{"h0", func() error {
			_, err := Solve(ctx, b, Config{}, p.w, p.x, tensors.FromShape(shapes.Make(dtypes.Float32, 3, 4)), Options{})
			return err
		}, "h0 has shape"},
		{"guess", func() error {
			_, err := Solve(ctx, b, Config{}, p.w, p.x, nil, Options{Guess: tensors.FromShape(shapes.Make(dtypes.Float32, 2, 4, 4))})
			return err
		}, "initial guess"},
		{"tol", func() error { _, err := Solve(ctx, b, Config{}, p.w, p.x, nil, Options{Tol: -1}); return err }, "tolerance"},
		{"maxiter", func() error { _, err := Solve(ctx, b, Config{}, p.w, p.x, nil, Options{MaxIter: -3}); return err }, "MaxIter"},
		{"solver mismatch", func() error {
			s, err := NewSolver(b, recurrent.Config{Kind: recurrent.GRU, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}, Config{})
			require.NoError(t, err)
			_, err = s.Solve(ctx, p.w, p.x, nil, Options{})
			return err
		}, "weights are for"},
		{"mingru layer", func() error {
			_, err := NewSolver(b, mingru.Layer{Config: mingru.Config{Kind: mingru.MinGRU, InputSize: 3, HiddenSize: 4,
				DType: dtypes.Float32}, Form: mingru.Sequential}, Config{})
			return err
		}, "the layer is a mingru.Layer"},
		{"lstm spec", func() error {
			_, err := NewSolver(b, recurrent.Config{Kind: recurrent.LSTM, InputSize: 3, HiddenSize: 4, NumLayers: 1, DType: dtypes.Float32}, Config{})
			return err
		}, "lstm is not supported"},
		{"canceled", func() error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, err := Solve(c, b, Config{}, p.w, p.x, nil, Options{})
			return err
		}, "canceled"},
		{"cost", func() error {
			_, err := IterationCost(b, p.w.Config, Config{}, 0, 4)
			return err
		}, "batch and time"},
	}
	for _, c := range cases {
		err := c.run()
		require.Error(t, err, c.name)
		require.Contains(t, err.Error(), c.want, c.name)
		var nc *NotConvergedError
		require.False(t, errors.As(err, &nc), "%s: not a convergence failure", c.name)
	}
	m, err := ParseMethod("quasi-deer")
	require.NoError(t, err)
	require.Equal(t, Quasi, m)
	_, err = ParseMethod("x")
	require.Error(t, err)
}
