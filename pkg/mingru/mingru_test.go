package mingru

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnn-course/bottleneck/internal/testutil"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/require"
)

// Shared test helpers (internal/testutil).
var (
	fill   = testutil.Fill
	flat64 = testutil.Flat64
	relErr = testutil.RelErr
)

func testBackend(t testing.TB) compute.Backend {
	b, _, err := backend.New()
	require.NoError(t, err)
	return b
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// refForward is the layer in plain Go, float64, step by step from the paper's equations: the
// oracle. w holds the flat parameters in ParamNames order, x is [B, T, D], h0 [B, H] or nil.
func refForward(cfg Config, w [][]float64, x, h0 []float64, B, T int) []float64 {
	D, H := cfg.InputSize, cfg.HiddenSize
	lin := func(p, b, t, j int) float64 {
		s := w[2*p+1][j]
		for d := range D {
			s += w[2*p][j*D+d] * x[(b*T+t)*D+d]
		}
		return s
	}
	g := func(v float64) float64 {
		if !cfg.PositiveCandidate {
			return v
		}
		if v >= 0 {
			return v + 0.5
		}
		return sigmoid(v)
	}
	out := make([]float64, B*T*H)
	for b := range B {
		for j := range H {
			h := 0.0
			if h0 != nil {
				h = h0[b*H+j]
			}
			for t := range T {
				if cfg.Kind == MinLSTM {
					f, i := sigmoid(lin(0, b, t, j)), sigmoid(lin(1, b, t, j))
					h = f/(f+i)*h + i/(f+i)*g(lin(2, b, t, j))
				} else {
					z := sigmoid(lin(0, b, t, j))
					h = (1-z)*h + z*g(lin(1, b, t, j))
				}
				out[(b*T+t)*H+j] = h
			}
		}
	}
	return out
}

// modeCase is one configuration to compare across modes.
type modeCase struct {
	kind     Kind
	positive bool
	T        int
	withH0   bool
}

func (c modeCase) String() string {
	return fmt.Sprintf("%s/positive=%v/T=%d/h0=%v", c.kind, c.positive, c.T, c.withH0)
}

// runModes builds one graph that runs the layer in the given modes and returns their outputs,
// with the inputs used.
func runModes(t *testing.T, cfg Config, modes []scan.Form, B, T int, withH0 bool, seed uint64) (outs []*tensors.Tensor, w *Weights, x, h0 *tensors.Tensor) {
	w, err := NewWeights(cfg, seed)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(seed, uint64(T)))
	x = fill(cfg.DType, []int{B, T, cfg.InputSize}, rng.NormFloat64)
	if withH0 {
		h0 = fill(cfg.DType, []int{B, cfg.HiddenSize}, func() float64 { return 0.1 + rng.Float64() }) // > 0 for LogSpace
	}
	n := len(w.Tensors)
	exec, err := NewExec(testBackend(t), func(in []*Node) []*Node {
		var h0n *Node
		if len(in) == n+2 {
			h0n = in[n+1]
		}
		var out []*Node
		for _, m := range modes {
			out = append(out, Forward(cfg, in[:n], in[n], h0n, m))
		}
		return out
	})
	require.NoError(t, err)
	args := []any{}
	for _, t := range w.Tensors {
		args = append(args, t)
	}
	args = append(args, x)
	if h0 != nil {
		args = append(args, h0)
	}
	outs, err = exec.Call(args...)
	require.NoError(t, err)
	return outs, w, x, h0
}

// TestModesMatchSequential checks every mode against Sequential, and Sequential against the
// plain-Go oracle, for both cells, with and without the positive candidate, for lengths that
// are and are not powers of two, in float64 (scans < 1e-12, log space < 1e-9) and float32.
func TestModesMatchSequential(t *testing.T) {
	var cases []modeCase
	for i, T := range []int{1, 5, 16, 37, 200} {
		for _, kind := range []Kind{MinGRU, MinLSTM} {
			for _, positive := range []bool{false, true} {
				cases = append(cases, modeCase{kind, positive, T, (i+len(cases))%2 == 0})
			}
		}
	}
	worst := map[string]float64{}
	for _, dtype := range []dtypes.DType{dtypes.Float64, dtypes.Float32} {
		tolScan, tolLog := 1e-12, 1e-9
		if dtype == dtypes.Float32 {
			tolScan, tolLog = 1e-5, 1e-4
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", dtype, c), func(t *testing.T) {
				cfg := Config{Kind: c.kind, InputSize: 3, HiddenSize: 5, DType: dtype, PositiveCandidate: c.positive, Chunk: 4}
				modes := []scan.Form{Sequential, Blelloch, Chunked, HillisSteele}
				if c.positive {
					modes = append(modes, LogSpace)
				}
				B := 2
				outs, w, x, h0 := runModes(t, cfg, modes, B, c.T, c.withH0, 3)
				ws := make([][]float64, len(w.Tensors))
				for i, wt := range w.Tensors {
					ws[i] = flat64(wt)
				}
				var h0f []float64
				if h0 != nil {
					h0f = flat64(h0)
				}
				seq := flat64(outs[0])
				e := relErr(seq, refForward(cfg, ws, flat64(x), h0f, B, c.T))
				require.Less(t, e, tolScan, "sequential vs plain Go")
				key := fmt.Sprintf("%s %s vs plain Go", dtype, Sequential)
				worst[key] = max(worst[key], e)
				for i, m := range modes[1:] {
					tol := tolScan
					if m == LogSpace {
						tol = tolLog
					}
					e := relErr(flat64(outs[i+1]), seq)
					key := fmt.Sprintf("%s %s", dtype, m)
					worst[key] = max(worst[key], e)
					require.Less(t, e, tol, "%s vs sequential", m)
				}
			})
		}
	}
	for _, dtype := range []dtypes.DType{dtypes.Float64, dtypes.Float32} {
		for _, m := range Forms {
			key := fmt.Sprintf("%s %s", dtype, m)
			if m == Sequential {
				key += " vs plain Go"
			}
			t.Logf("worst relative error %-40s %.2g", key, worst[key])
		}
	}
}

// TestGradientsFiniteDifferences checks autodiff through the parallel and log-space modes
// against central finite differences of the plain-Go oracle, for every parameter, x and h0.
func TestGradientsFiniteDifferences(t *testing.T) {
	for _, c := range []struct {
		kind     Kind
		positive bool
	}{{MinGRU, true}, {MinLSTM, true}, {MinGRU, false}, {MinLSTM, false}} {
		kind := c.kind
		t.Run(fmt.Sprintf("%s/positive=%v", kind, c.positive), func(t *testing.T) {
			cfg := Config{Kind: kind, InputSize: 3, HiddenSize: 4, DType: dtypes.Float64, PositiveCandidate: c.positive, Chunk: 3}
			B, T := 2, 7
			w, err := NewWeights(cfg, 5)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(6, 7))
			x := fill(cfg.DType, []int{B, T, cfg.InputSize}, rng.NormFloat64)
			h0 := fill(cfg.DType, []int{B, cfg.HiddenSize}, func() float64 { return 0.1 + rng.Float64() })
			g := fill(cfg.DType, []int{B, T, cfg.HiddenSize}, rng.NormFloat64)
			modes := []scan.Form{Sequential, Blelloch, Chunked}
			if c.positive {
				modes = append(modes, LogSpace)
			}
			n := len(w.Tensors)
			exec, err := NewExec(testBackend(t), func(in []*Node) []*Node {
				params, x, h0, g := in[:n], in[n], in[n+1], in[n+2]
				var out []*Node
				for _, m := range modes {
					loss := ReduceAllSum(Mul(Forward(cfg, params, x, h0, m), g))
					out = append(out, Gradient(loss, append(append([]*Node{}, params...), x, h0)...)...)
				}
				return out
			})
			require.NoError(t, err)
			args := []any{}
			vals := [][]float64{}
			for _, wt := range w.Tensors {
				args = append(args, wt)
				vals = append(vals, flat64(wt))
			}
			args = append(args, x, h0, g)
			vals = append(vals, flat64(x), flat64(h0))
			grads, err := exec.Call(args...)
			require.NoError(t, err)

			gf := flat64(g)
			loss := func() float64 {
				s := 0.0
				for i, h := range refForward(cfg, vals[:n], vals[n], vals[n+1], B, T) {
					s += h * gf[i]
				}
				return s
			}
			const eps = 1e-6
			names := append(cfg.ParamNames(), "x", "h0")
			nw := len(names)
			for k, name := range names {
				fd := make([]float64, len(vals[k]))
				for j := range vals[k] {
					orig := vals[k][j]
					vals[k][j] = orig + eps
					lp := loss()
					vals[k][j] = orig - eps
					lm := loss()
					vals[k][j] = orig
					fd[j] = (lp - lm) / (2 * eps)
				}
				for i, m := range modes {
					e := relErr(flat64(grads[nw*i+k]), fd)
					require.Less(t, e, 1e-7, "%s %s: dL/d%s vs finite differences: %.3g", kind, m, name, e)
					if m == LogSpace || m == Chunked {
						t.Logf("%s %-9s dL/d%-15s relative error %.2g", kind, m, name, e)
					}
				}
			}
		})
	}
}

// TestErrors covers the errors returned at the API boundary.
func TestErrors(t *testing.T) {
	cfg := Config{Kind: MinGRU, InputSize: 3, HiddenSize: 4, DType: dtypes.Float32}
	require.ErrorContains(t, Config{Kind: "gru", InputSize: 1, HiddenSize: 1, DType: dtypes.Float32}.Validate(), "unknown kind")
	require.ErrorContains(t, Config{Kind: MinGRU, InputSize: 0, HiddenSize: 1, DType: dtypes.Float32}.Validate(), "input size")
	require.ErrorContains(t, Config{Kind: MinGRU, InputSize: 1, HiddenSize: 1, DType: dtypes.Int32}.Validate(), "dtype")
	_, err := ParseForm("fast")
	require.ErrorContains(t, err, "unknown scan form")
	_, err = NewRunner(testBackend(t), cfg, LogSpace)
	require.ErrorContains(t, err, "PositiveCandidate")

	r, err := NewRunner(testBackend(t), cfg, Blelloch)
	require.NoError(t, err)
	w, err := NewWeights(cfg, 1)
	require.NoError(t, err)
	_, err = r.Run(w, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 7)), nil)
	require.ErrorContains(t, err, "input size 3")
	_, err = r.Run(w, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3)), tensors.FromShape(shapes.Make(dtypes.Float32, 3, 4)))
	require.ErrorContains(t, err, "h0 has shape")
	out, err := r.Run(w, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3)), nil)
	require.NoError(t, err)
	require.Equal(t, []int{2, 5, 4}, out.Shape().Dimensions)
	bad := &Weights{Config: cfg, Tensors: w.Tensors[:3]}
	_, err = r.Run(bad, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 5, 3)), nil)
	require.ErrorContains(t, err, "3 parameters, want 4")
	require.Equal(t, 2*4*(3+1), cfg.NumParams())
}
