package scan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

// refCumulative applies the running reduction f along time of x [B, T, F] in plain Go.
func refCumulative(x []float64, B, T, F int, f func(acc, v float64) float64) []float64 {
	out := make([]float64, len(x))
	for i := range B {
		for k := range F {
			var acc float64
			for t := range T {
				j := (i*T+t)*F + k
				if t == 0 {
					acc = x[j]
				} else {
					acc = f(acc, x[j])
				}
				out[j] = acc
			}
		}
	}
	return out
}

// refLogAddExp is log(e^x + e^y) in float64, stable.
func refLogAddExp(x, y float64) float64 {
	m := math.Max(x, y)
	if math.IsInf(m, -1) {
		return m
	}
	return m + math.Log(math.Exp(x-m)+math.Exp(y-m))
}

// TestPrefixSumAndLogCumSumExp compares the Associative-based PrefixSum and LogCumSumExp with
// plain-Go running sums for many lengths (odd ones exercise the unpaired last step), on values
// large enough (|x| up to ~300) that a naive log(cumsum(exp(x))) would overflow.
func TestPrefixSumAndLogCumSumExp(t *testing.T) {
	for _, T := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 64, 100} {
		t.Run(fmt.Sprint("T=", T), func(t *testing.T) {
			B, F := 2, 3
			rng := rand.New(rand.NewPCG(21, uint64(T)))
			x := fill(dtypes.Float64, []int{B, T, F}, func() float64 { return 100 * rng.NormFloat64() })
			exec, err := NewExec(testBackend(t), func(x *Node) []*Node {
				return []*Node{PrefixSum(x), LogCumSumExp(x)}
			})
			require.NoError(t, err)
			outs, err := exec.Call(x)
			require.NoError(t, err)
			xf := flat64(x)
			sum := refCumulative(xf, B, T, F, func(a, v float64) float64 { return a + v })
			lse := refCumulative(xf, B, T, F, refLogAddExp)
			require.Less(t, relErr(flat64(outs[0]), sum), 1e-13, "PrefixSum")
			require.Less(t, relErr(flat64(outs[1]), lse), 1e-13, "LogCumSumExp")
		})
	}
}

// TestLogCumSumExpGradient checks the gradient of sum(LogCumSumExp(x) ⊙ g) against central
// finite differences, including exact ties (x_s = x_t), where the stop-gradient shift matters.
func TestLogCumSumExpGradient(t *testing.T) {
	B, T, F := 2, 11, 2
	rng := rand.New(rand.NewPCG(4, 4))
	x := fill(dtypes.Float64, []int{B, T, F}, rng.NormFloat64)
	x.MustMutableFlatData(func(flat any) { v := flat.([]float64); v[2] = v[0]; v[4] = v[0] }) // ties
	g := fill(dtypes.Float64, []int{B, T, F}, rng.NormFloat64)
	exec, err := NewExec(testBackend(t), func(x, g *Node) *Node {
		return Gradient(ReduceAllSum(Mul(LogCumSumExp(x), g)), x)[0]
	})
	require.NoError(t, err)
	ad := flat64(exec.MustCall1(x, g))
	xf, gf := flat64(x), flat64(g)
	loss := func() float64 {
		s := 0.0
		for i, v := range refCumulative(xf, B, T, F, refLogAddExp) {
			s += v * gf[i]
		}
		return s
	}
	const eps = 1e-6
	fd := make([]float64, len(xf))
	for j := range xf {
		orig := xf[j]
		xf[j] = orig + eps
		lp := loss()
		xf[j] = orig - eps
		lm := loss()
		xf[j] = orig
		fd[j] = (lp - lm) / (2 * eps)
	}
	e := relErr(ad, fd)
	t.Logf("LogCumSumExp gradient vs finite differences: relative error %.2g", e)
	require.Less(t, e, 1e-8)
}

// TestLogCumSumExpNegInf checks the forward pass on log 0 = -Inf entries, where GoMLX's own
// LogAddExp returns -Inf: log(0 + e^y) must be y.
func TestLogCumSumExpNegInf(t *testing.T) {
	inf := math.Inf(-1)
	x := tensors.FromFlatDataAndDimensions([]float64{inf, inf, 0, inf, math.Log(3)}, 1, 5)
	exec, err := NewExec(testBackend(t), LogCumSumExp)
	require.NoError(t, err)
	got := flat64(exec.MustCall1(x))
	want := []float64{inf, inf, 0, 0, math.Log(4)}
	for i := range want {
		require.InDelta(t, want[i], got[i], 1e-15, "step %d: got %v", i, got)
	}
}

// TestLogAddExpStableNonFinite: -Inf, +Inf and NaN inputs give log(e^x + e^y) exactly, whatever
// the backend's Exp and Log return at their limits (compute's SIMD Exp(NaN) is 2.2e-308).
func TestLogAddExpStableNonFinite(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct{ x, y, want float64 }{
		{-inf, -inf, -inf}, {-inf, 2, 2}, {2, -inf, 2}, {inf, 1, inf}, {1, inf, inf}, {inf, -inf, inf},
		{nan, 1, nan}, {1, nan, nan}, {nan, -inf, nan}, {-inf, nan, nan}, {0, 0, math.Ln2},
	}
	xs, ys := make([]float64, len(cases)), make([]float64, len(cases))
	for i, c := range cases {
		xs[i], ys[i] = c.x, c.y
	}
	exec, err := NewExec(testBackend(t), LogAddExpStable)
	require.NoError(t, err)
	got := flat64(exec.MustCall1(tensors.FromValue(xs), tensors.FromValue(ys)))
	for i, c := range cases {
		switch {
		case math.IsNaN(c.want):
			require.True(t, math.IsNaN(got[i]), "logaddexp(%v, %v) = %v, want NaN", c.x, c.y, got[i])
		case math.IsInf(c.want, 0):
			require.Equal(t, c.want, got[i], "logaddexp(%v, %v)", c.x, c.y)
		default:
			require.InDelta(t, c.want, got[i], 1e-15, "logaddexp(%v, %v)", c.x, c.y)
		}
	}
}

// TestAssociativeTuple runs Associative on a tuple with different feature shapes: the running
// (sum, max) of a sequence, and checks both against plain Go.
func TestAssociativeTuple(t *testing.T) {
	B, T := 2, 23
	rng := rand.New(rand.NewPCG(8, 8))
	x := fill(dtypes.Float64, []int{B, T}, rng.NormFloat64)
	y := fill(dtypes.Float64, []int{B, T, 2, 2}, rng.NormFloat64)
	exec, err := NewExec(testBackend(t), func(x, y *Node) []*Node {
		return Associative([]*Node{x, y}, func(l, r []*Node) []*Node {
			return []*Node{Add(l[0], r[0]), Max(l[1], r[1])}
		})
	})
	require.NoError(t, err)
	outs, err := exec.Call(x, y)
	require.NoError(t, err)
	require.Equal(t, []int{B, T, 2, 2}, outs[1].Shape().Dimensions)
	require.Less(t, relErr(flat64(outs[0]), refCumulative(flat64(x), B, T, 1, func(a, v float64) float64 { return a + v })), 1e-14)
	require.Equal(t, refCumulative(flat64(y), B, T, 4, math.Max), flat64(outs[1]))
}
