package scan

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// Combine merges the summaries of two adjacent stretches of time, left (earlier) and right
// (later), into the summary of both. A summary is a tuple of nodes, each [B, n, ...]; Combine
// works elementwise over the n pairs and must be associative.
type Combine func(left, right []*Node) []*Node

// Associative returns the inclusive scan of xs under combine: element t of the result is
// x_0 ∘ x_1 ∘ … ∘ x_t. xs is a tuple of nodes [B, T, ...] (time on axis 1; every node of the
// tuple has the same B and T, feature shapes may differ). No identity element is needed.
//
// It is the recursive odd-even scan (Ladner & Fischer 1980; Blelloch 1990, §1.4): combine the
// pairs (x_0,x_1), (x_2,x_3), …, scan the T/2 pair totals recursively, then the odd steps take
// the pair prefixes and each even step 2i > 0 combines the prefix of pair i-1 with x_{2i}. An
// odd last step is carried up unpaired. Work O(T), depth 2 log2 T, O(log T) graph nodes, each
// level a few whole-tensor ops. It panics (a programmer error) when the tuple is empty or
// B, T differ.
func Associative(xs []*Node, combine Combine) []*Node {
	if len(xs) == 0 {
		panic(fmt.Errorf("scan: Associative needs at least one node"))
	}
	flat := make([]*Node, len(xs))
	B, T := xs[0].Shape().Dim(0), xs[0].Shape().Dim(1)
	for i, x := range xs {
		s := x.Shape()
		if s.Rank() < 2 || s.Dim(0) != B || s.Dim(1) != T {
			panic(fmt.Errorf("scan: Associative: every node must be [B=%d, T=%d, ...], node %d is %s", B, T, i, s))
		}
		F := 1
		for _, d := range s.Dimensions[2:] {
			F *= d
		}
		flat[i] = Reshape(x, B, T, F)
	}
	out := associative(flat, combine)
	for i := range out {
		out[i] = Reshape(out[i], xs[i].Shape().Dimensions...)
	}
	return out
}

// associative works on a tuple of [B, T, F_i] nodes.
func associative(xs []*Node, combine Combine) []*Node {
	T := xs[0].Shape().Dim(1)
	if T == 1 {
		return xs
	}
	m := T / 2
	each := func(f func(x *Node) *Node, xs []*Node) []*Node {
		out := make([]*Node, len(xs))
		for i, x := range xs {
			out[i] = f(x)
		}
		return out
	}
	timeRange := func(from, to int) func(x *Node) *Node {
		return func(x *Node) *Node { return SliceAxis(x, 1, AxisRange(from, to)) }
	}
	paired := xs
	if T%2 == 1 {
		paired = each(timeRange(0, 2*m), xs)
	}
	even, odd := make([]*Node, len(xs)), make([]*Node, len(xs))
	for i, x := range paired {
		even[i], odd[i] = EvenOdd(x) // [B, m, F]
	}

	// Totals of the pairs (plus the odd last step, unpaired), scanned recursively.
	up := combine(even, odd)
	if T%2 == 1 {
		for i := range up {
			up[i] = Concatenate([]*Node{up[i], SliceAxis(xs[i], 1, AxisRange(T-1, T))}, 1)
		}
	}
	P := associative(up, combine) // P[i] at j: x_0 ∘ … ∘ x_{2j+1} (or x_{T-1} for the last)

	// Odd steps 2j+1 end pair j: their prefix is P_j. Even steps 2j combine P_{j-1} with x_{2j}.
	oddPrefix := each(timeRange(0, m), P)
	evenPrefix := each(timeRange(0, 1), even) // step 0: x_0 itself
	if m > 1 {
		rest := combine(each(timeRange(0, m-1), P), each(timeRange(1, m), even))
		for i := range evenPrefix {
			evenPrefix[i] = Concatenate([]*Node{evenPrefix[i], rest[i]}, 1)
		}
	}
	out := make([]*Node, len(xs))
	for i := range out {
		out[i] = Interleave(evenPrefix[i], oddPrefix[i]) // [B, 2m, F]
		if T%2 == 1 {
			out[i] = Concatenate([]*Node{out[i], SliceAxis(P[i], 1, AxisRange(m, m+1))}, 1)
		}
	}
	return out
}

// PrefixSum is the inclusive prefix sum (cumulative sum) of x [B, T, ...] along time (axis 1): the linear scan with
// a = 1, as an Associative scan with Add. GoMLX's own CumSum is built on a full-length SumPool,
// O(T²) on the Go backend; this is O(T).
func PrefixSum(x *Node) *Node {
	return Associative([]*Node{x}, func(l, r []*Node) []*Node { return []*Node{Add(l[0], r[0])} })[0]
}

// LogCumSumExp is log(Σ_{s≤t} exp(x_s)) along time (axis 1) of x [B, T, ...], as an
// Associative scan with log-add-exp, computed stably: logaddexp(x, y) = m + log(e^{x-m} + e^{y-m}),
// m = max(x, y). It is exact for -Inf inputs (log 0) in the forward pass: a -Inf entry adds
// exactly 0, and a prefix of -Inf entries stays -Inf.
func LogCumSumExp(x *Node) *Node {
	return Associative([]*Node{x}, func(l, r []*Node) []*Node { return []*Node{LogAddExpStable(l[0], r[0])} })[0]
}

// LogAddExpStable is log(e^x + e^y), elementwise, stable for large |x|, |y|. The shift m = max(x, y)
// goes through StopGradient: the result does not depend on it, so the gradient is exactly the
// softmax weights (e^x, e^y)/(e^x + e^y), also at ties x = y. (GoMLX's graph.LogAddExp returns
// -Inf for logaddexp(-Inf, y); this one returns y.)
//
// log 0 = -Inf is kept exactly, whatever the backend's Exp and Log do at their limits (compute
// v0.1.14's SIMD Exp(-Inf) is 2.2e-308, not 0, and would turn logaddexp(-Inf, -Inf) into -707.7):
// a term whose shifted exponent is -Inf contributes exactly 0, and where both inputs are -Inf the
// result is -Inf by selection, not by Log(0). Likewise +Inf and NaN inputs come out as +Inf and NaN
// (the SIMD Exp maps NaN to 2.2e-308, which would hide it).
func LogAddExpStable(x, y *Node) *Node {
	mx := StopGradient(Max(x, y))
	m := Where(IsFinite(mx), mx, ZerosLike(mx)) // both -Inf: shift by 0
	r := Add(m, Log(Add(expOrZero(Sub(x, m)), expOrZero(Sub(y, m)))))
	r = Where(IsFinite(mx), r, mx)                     // both -Inf: log 0 = -Inf; a +Inf input: +Inf
	return Where(Or(IsNaN(x), IsNaN(y)), Add(x, y), r) // a NaN input stays NaN (Max may drop it)
}

// expOrZero is e^d with e^{-Inf} = 0 exactly.
func expOrZero(d *Node) *Node {
	return Where(IsFinite(d), Exp(d), ZerosLike(d))
}
