package deer

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/scan"
)

// MatrixScan computes every state of the linear recurrence with matrix coefficients
//
//	h_t = A_t h_{t-1} + b_t,   t = 0 .. T-1,   h_{-1} = h0 (zeros when nil)
//
// for A [B, T, H, H] (A[b, t, i, j] multiplies h_j into row i), b [B, T, H] and h0 [B, H], and
// returns h [B, T, H]. It is the prefix scan of the affine maps (A_t, b_t) under
//
//	(A1, b1) ∘ (A2, b2) = (A2 A1, A2 b1 + b2)
//
// by the recursive odd-even (Blelloch-style) scheme of scan.Associative: combine the pairs
// (2j, 2j+1) with one batched matmul over all pairs, scan the T/2 pair totals recursively, then
// give each even step the prefix before it. An odd last step is carried up unpaired, so any T
// works without padding. Only the up-sweep multiplies matrices (T - 1 products of H x H
// matrices in all); the down-sweep needs only matrix-vector products, because the prefix of a
// step is applied to a vector, never composed further. Work O(T H³), depth about 4 log2 T.
// It panics (a programmer error) on mismatched shapes.
func MatrixScan(A, b, h0 *Node) *Node {
	sa, sb := A.Shape(), b.Shape()
	if sa.Rank() != 4 || sb.Rank() != 3 || sa.Dim(0) != sb.Dim(0) || sa.Dim(1) != sb.Dim(1) ||
		sa.Dim(2) != sb.Dim(2) || sa.Dim(3) != sb.Dim(2) {
		panic(fmt.Errorf("deer: MatrixScan wants A [B, T, H, H] and b [B, T, H], got %s and %s", sa, sb))
	}
	if h0 != nil {
		// Fold h0 into the first step: b_0 <- A_0 h0 + b_0.
		T := sb.Dim(1)
		first := Add(matVec(timeRange(A, 0, 1), ExpandAxes(h0, 1)), timeRange(b, 0, 1)) // [B, 1, H]
		if T == 1 {
			b = first
		} else {
			b = Concatenate([]*Node{first, timeRange(b, 1, T)}, 1) // [B, T, H]
		}
	}
	return matScan(A, b)
}

// matScan is MatrixScan from zero state. A may be nil when T = 1 (it is not read).
func matScan(A, b *Node) *Node {
	T := b.Shape().Dim(1)
	if T == 1 {
		return b
	}
	m := T / 2
	odd := T%2 == 1
	Ap, bp := A, b
	if odd {
		Ap, bp = timeRange(A, 0, 2*m), timeRange(b, 0, 2*m)
	}
	Ae, Ao := scan.EvenOdd(Ap) // [B, m, H, H]: steps 2j and 2j+1
	be, bo := scan.EvenOdd(bp) // [B, m, H]

	// Pair totals (Ae, be) ∘ (Ao, bo) = (Ao Ae, Ao be + bo), plus the odd last step unpaired.
	upB := Add(matVec(Ao, be), bo) // [B, m, H]
	var upA *Node
	n := m
	if odd {
		n++
		upB = Concatenate([]*Node{upB, timeRange(b, T-1, T)}, 1)
	}
	if n > 1 { // a single total is never composed further: skip its matrix
		upA = matMul(Ao, Ae) // [B, m, H, H]
		if odd {
			upA = Concatenate([]*Node{upA, timeRange(A, T-1, T)}, 1)
		}
	}
	P := matScan(upA, upB) // [B, n, H]: the state after pair j (after step T-1 at j = m, odd T)

	// Odd steps 2j+1 end pair j: their state is P_j. Even steps 2j > 0 apply step 2j to P_{j-1}.
	oddH := timeRange(P, 0, m)
	evenH := timeRange(be, 0, 1) // step 0 from zero state: b_0
	if m > 1 {
		rest := Add(matVec(timeRange(Ae, 1, m), timeRange(P, 0, m-1)), timeRange(be, 1, m)) // [B, m-1, H]
		evenH = Concatenate([]*Node{evenH, rest}, 1)
	}
	h := scan.Interleave(evenH, oddH) // [B, 2m, H]
	if odd {
		h = Concatenate([]*Node{h, timeRange(P, m, m+1)}, 1)
	}
	return h
}

// matMul is the batched product X Y over the leading axes [B, n]: [B, n, H, H] x [B, n, H, H].
func matMul(X, Y *Node) *Node {
	return DotGeneral(X, []int{3}, []int{0, 1}, Y, []int{2}, []int{0, 1}) // [B, n, H, H]
}

// matVec is the batched product M v: [B, n, H, H] x [B, n, H] -> [B, n, H].
func matVec(M, v *Node) *Node {
	return DotGeneral(M, []int{3}, []int{0, 1}, v, []int{2}, []int{0, 1}) // [B, n, H]
}

// timeRange is x[:, from:to, ...].
func timeRange(x *Node, from, to int) *Node { return SliceAxis(x, 1, AxisRange(from, to)) }
