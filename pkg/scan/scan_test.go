package scan

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

// linearCombine is the scan operator (a1,b1) ∘ (a2,b2) = (a2 a1, a2 b1 + b2) for Associative.
func linearCombine(l, r []*Node) []*Node {
	return []*Node{Mul(r[0], l[0]), Add(Mul(r[0], l[1]), r[1])}
}

// oddEven is the linear scan through the generic Associative: an independent sixth form.
func oddEven(a, b, h0 *Node) *Node {
	af, bf, h0f, l := prepare(a, b, h0)
	if h0f != nil {
		bf = foldH0(af, bf, h0f)
	}
	return l.restore(Associative([]*Node{af, bf}, linearCombine)[1])
}

// testForms are the forms under test: every exported one, Chunked at edge chunk lengths, the
// generic Associative scan, and two forms with the adjoint gradient attached.
func testForms() []namedFunc {
	fs := namedForms()
	return append(fs,
		namedFunc{"chunked1", ChunkedFunc(1)},
		namedFunc{"chunked3", ChunkedFunc(3)},
		namedFunc{"chunked64", ChunkedFunc(64)},
		namedFunc{"oddeven", oddEven},
		namedFunc{"adjoint(blelloch)", WithAdjointGradient(Blelloch)},
		namedFunc{"adjoint(chunked)", WithAdjointGradient(ChunkedFunc(DefaultChunk))},
	)
}

// callForms builds one graph that runs every form on (a, b, h0) and returns their outputs.
func callForms(t *testing.T, forms []namedFunc, a, b, h0 *tensors.Tensor) []*tensors.Tensor {
	exec, err := NewExec(testBackend(t), func(in []*Node) []*Node {
		var h0n *Node
		if len(in) == 3 {
			h0n = in[2]
		}
		out := make([]*Node, len(forms))
		for i, f := range forms {
			out[i] = f.Func(in[0], in[1], h0n)
		}
		return out
	})
	require.NoError(t, err)
	args := []any{a, b}
	if h0 != nil {
		args = append(args, h0)
	}
	outs, err := exec.Call(args...)
	require.NoError(t, err)
	return outs
}

// TestFormsMatchSequential checks every form against Sequential, and Sequential against a
// plain-Go loop, for short, odd and long sequences, several feature shapes, batch 1, with and
// without h0.
func TestFormsMatchSequential(t *testing.T) {
	featureShapes := [][]int{{1}, {3, 5}, {2, 2, 3}, {1, 4}, {4}, {2, 1}} // [B, ...features]
	forms := testForms()
	errs := worst{}
	for di, dtype := range []dtypes.DType{dtypes.Float64, dtypes.Float32} {
		tol := map[dtypes.DType]float64{dtypes.Float64: 1e-12, dtypes.Float32: 1e-5}[dtype]
		for i, T := range []int{1, 2, 3, 7, 64, 1000} {
			fs := featureShapes[i%len(featureShapes)]
			dims := append([]int{fs[0], T}, fs[1:]...)
			withH0 := (i+di)%2 == 0
			t.Run(fmt.Sprintf("%s/dims=%v/h0=%v", dtype, dims, withH0), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(T), uint64(di)))
				a, b, h0 := inputs(rng, dtype, dims, withH0)
				outs := callForms(t, forms, a, b, h0)
				F := a.Shape().Size() / (dims[0] * T)
				var h0f []float64
				if h0 != nil {
					h0f = flat64(h0)
				}
				want := refScan(flat64(a), flat64(b), h0f, dims[0], T, F)
				seq := flat64(outs[0])
				require.Equal(t, a.Shape().Dimensions, outs[0].Shape().Dimensions)
				e := relErr(seq, want)
				errs.see(fmt.Sprintf("%s sequential vs plain Go", dtype), e)
				require.Less(t, e, tol, "sequential vs the plain-Go loop")
				for k, f := range forms[1:] {
					require.True(t, outs[k+1].Shape().Equal(outs[0].Shape()), "%s: shape %s", f.Name, outs[k+1].Shape())
					e := relErr(flat64(outs[k+1]), seq)
					errs.see(fmt.Sprintf("%s %s", dtype, f.Name), e)
					require.Less(t, e, tol, "%s vs sequential: relative error %.3g", f.Name, e)
				}
			})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		t.Logf("worst relative error vs sequential, %-30s %.2g", k, errs[k])
	}
}

// TestGradientsFiniteDifferences checks the gradients of L = sum(h ⊙ g) with respect to a, b
// and h0, by autodiff through every form (and through the adjoint-gradient wrappers), against
// central finite differences of the plain-Go loop, in float64, with and without h0.
func TestGradientsFiniteDifferences(t *testing.T) {
	forms := testForms()
	errs := worst{}
	for _, tc := range []struct {
		T      int
		withH0 bool
	}{{7, true}, {13, false}, {13, true}} {
		B, T, F := 2, tc.T, 3
		rng := rand.New(rand.NewPCG(11, uint64(T)))
		a, b, h0 := inputs(rng, dtypes.Float64, []int{B, T, F}, tc.withH0)
		g := fill(dtypes.Float64, []int{B, T, F}, rng.NormFloat64)
		exec, err := NewExec(testBackend(t), func(in []*Node) []*Node {
			a, b, g := in[0], in[1], in[2]
			var h0 *Node
			wrt := []*Node{a, b}
			if len(in) == 4 {
				h0 = in[3]
				wrt = append(wrt, h0)
			}
			var out []*Node
			for _, f := range forms {
				out = append(out, Gradient(ReduceAllSum(Mul(f.Func(a, b, h0), g)), wrt...)...)
			}
			return out
		})
		require.NoError(t, err)
		args := []any{a, b, g}
		vals := [][]float64{flat64(a), flat64(b), nil}
		names := []string{"a", "b"}
		if h0 != nil {
			args = append(args, h0)
			vals[2] = flat64(h0)
			names = append(names, "h0")
		}
		grads, err := exec.Call(args...)
		require.NoError(t, err)

		// Central differences of the oracle, for every element of a, b and h0.
		gf := flat64(g)
		const eps = 1e-5
		fd := make([][]float64, len(names))
		for w := range names {
			fd[w] = make([]float64, len(vals[w]))
			for j := range vals[w] {
				orig := vals[w][j]
				vals[w][j] = orig + eps
				lp := refLoss(vals[0], vals[1], vals[2], gf, B, T, F)
				vals[w][j] = orig - eps
				lm := refLoss(vals[0], vals[1], vals[2], gf, B, T, F)
				vals[w][j] = orig
				fd[w][j] = (lp - lm) / (2 * eps)
			}
		}
		for i, f := range forms {
			for w, name := range names {
				e := relErr(flat64(grads[len(names)*i+w]), fd[w])
				errs.see(fmt.Sprintf("%s d/d%s", f.Name, name), e)
				require.Less(t, e, 1e-8, "T=%d h0=%v %s: dL/d%s vs finite differences: relative error %.3g",
					T, tc.withH0, f.Name, name, e)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		t.Logf("worst relative error vs finite differences, %-28s %.2g", k, errs[k])
	}
}

// TestReverseAdjointMatchesAutodiff compares ReverseAdjoint, run with every form, with autodiff
// through Sequential, in float64, with and without h0 and with trailing feature dimensions.
func TestReverseAdjointMatchesAutodiff(t *testing.T) {
	errs := worst{}
	for _, tc := range []struct {
		dims   []int
		withH0 bool
	}{{[]int{2, 100, 2, 3}, true}, {[]int{1, 37, 4}, false}, {[]int{3, 1, 2}, true}, {[]int{2, 1}, false}} {
		t.Run(fmt.Sprintf("dims=%v/h0=%v", tc.dims, tc.withH0), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(tc.dims[1])))
			a, b, h0 := inputs(rng, dtypes.Float64, tc.dims, tc.withH0)
			g := fill(dtypes.Float64, tc.dims, rng.NormFloat64)
			exec, err := NewExec(testBackend(t), func(in []*Node) []*Node {
				a, b, g := in[0], in[1], in[2]
				var h0 *Node
				wrt := []*Node{a, b}
				if len(in) == 4 {
					h0 = in[3]
					wrt = append(wrt, h0)
				}
				h := Sequential(a, b, h0)
				out := Gradient(ReduceAllSum(Mul(h, g)), wrt...)
				for _, f := range namedForms() {
					da, db, dh0 := ReverseAdjoint(f.Func, a, h, h0, g)
					out = append(out, da, db)
					if h0 != nil {
						out = append(out, dh0)
					} else {
						require.Nil(t, dh0)
					}
				}
				return out
			})
			require.NoError(t, err)
			args := []any{a, b, g}
			if h0 != nil {
				args = append(args, h0)
			}
			outs, err := exec.Call(args...)
			require.NoError(t, err)
			n := 2
			if tc.withH0 {
				n = 3
			}
			for i, f := range namedForms() {
				for w := range n {
					e := relErr(flat64(outs[n*(i+1)+w]), flat64(outs[w]))
					errs.see(f.Name, e)
					require.Less(t, e, 1e-12, "ReverseAdjoint(%s) gradient %d vs autodiff: %.3g", f.Name, w, e)
				}
			}
		})
	}
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		t.Logf("worst relative error ReverseAdjoint(%s) vs autodiff: %.2g", k, errs[k])
	}
}

// TestWithAdjointGradientIsUsed wraps a form whose autodiff gradient is deliberately wrong
// (dL/da doubled by a custom gradient): with the adjoint attached, the gradients must still be
// right, which shows that they come from ReverseAdjoint and not from autodiff.
func TestWithAdjointGradientIsUsed(t *testing.T) {
	wrong := func(a, b, h0 *Node) *Node {
		a = IdentityWithCustomGradient(a, func(_, v *Node) *Node { return MulScalar(v, 2) })
		return Blelloch(a, b, h0)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	a, b, h0 := inputs(rng, dtypes.Float64, []int{2, 9, 3}, true)
	g := fill(dtypes.Float64, []int{2, 9, 3}, rng.NormFloat64)
	exec, err := NewExec(testBackend(t), func(a, b, h0, g *Node) []*Node {
		grad := func(f Func) []*Node { return Gradient(ReduceAllSum(Mul(f(a, b, h0), g)), a, b, h0) }
		return append(append(grad(Sequential), grad(wrong)...), grad(WithAdjointGradient(wrong))...)
	})
	require.NoError(t, err)
	outs, err := exec.Call(a, b, h0, g)
	require.NoError(t, err)
	require.Greater(t, relErr(flat64(outs[3]), flat64(outs[0])), 0.1, "the deliberately wrong form must be wrong")
	for w := range 3 {
		require.Less(t, relErr(flat64(outs[6+w]), flat64(outs[w])), 1e-12, "gradient %d with the adjoint attached", w)
	}
}

// TestCheck covers the shape errors.
func TestCheck(t *testing.T) {
	f64 := func(d ...int) shapes.Shape { return shapes.Make(dtypes.Float64, d...) }
	h0 := f64(2, 3)
	require.NoError(t, Check(f64(2, 5, 3), f64(2, 5, 3), &h0))
	require.NoError(t, Check(f64(2, 5), f64(2, 5), nil))
	for _, tc := range []struct {
		a, b shapes.Shape
		h0   *shapes.Shape
		msg  string
	}{
		{f64(5), f64(5), nil, "[batch, time"},
		{f64(2, 5, 3), f64(2, 5, 4), nil, "same shape"},
		{shapes.Make(dtypes.Int32, 2, 5), shapes.Make(dtypes.Int32, 2, 5), nil, "float"},
		{f64(2, 0, 3), f64(2, 0, 3), nil, ">= 1"},
		{f64(2, 5, 4), f64(2, 5, 4), &h0, "h0 must be"},
	} {
		err := Check(tc.a, tc.b, tc.h0)
		require.Error(t, err)
		require.Contains(t, err.Error(), tc.msg)
	}
	_, err := ParseForm("hillis")
	require.ErrorContains(t, err, `unknown scan form "hillis", want one of [sequential naive hillis-steele blelloch chunked]`)
	f, err := ParseForm("hillis-steele")
	require.NoError(t, err)
	require.NotNil(t, f.Func())
	require.Nil(t, Form("nosuch").Func())
}
