package scan

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// HillisSteele is the step-efficient scan of Hillis & Steele (1986): in round k = 0, 1, ...,
// every element t combines with the element 2^k steps earlier (elements with t < 2^k combine
// with the identity), so after ceil(log2 T) rounds element t holds the prefix (a_0,b_0)∘…∘(a_t,b_t).
// Work O(T log T), depth O(log T). Each round shifts the whole sequence with one Slice and one
// Pad (filled with the identity: 1 for a, 0 for b), never per step. h0 is folded into b_0.
func HillisSteele(a, b, h0 *Node) *Node {
	af, bf, h0f, l := prepare(a, b, h0)
	if h0f != nil {
		bf = foldH0(af, bf, h0f)
	}
	A, Bv := af, bf // [B, T, F]: the prefix of the 2^k elements ending at t
	for d := 1; d < l.T; d *= 2 {
		// (A_{t-d}, B_{t-d}) ∘ (A_t, B_t) = (A_t A_{t-d}, A_t B_{t-d} + B_t)
		newB := Add(Mul(A, seq.ShiftTime(Bv, d, 0)), Bv)
		if 2*d < l.T { // the last round's A is not needed
			A = Mul(A, seq.ShiftTime(A, d, 1))
		}
		Bv = newB
	}
	return l.restore(Bv)
}

// Blelloch is the work-efficient scan of Blelloch (1990): an up-sweep that combines neighbours
// pairwise into a balanced tree of block totals, then a down-sweep that hands each block the
// state before it. Work O(T), depth 2 log2 T. T is padded to the next power of two with the
// identity (1, 0). Each level is a few whole-tensor ops: the sequence of 2m blocks is reshaped
// to [B, m, 2, F] and the pair axis sliced into left and right blocks; the down-sweep joins
// them back by stacking on that axis. h0 is the state before the root block, which is the same
// as folding it into b_0.
func Blelloch(a, b, h0 *Node) *Node {
	af, bf, h0f, l := prepare(a, b, h0)
	return l.restore(blelloch(af, bf, h0f))
}

// blelloch works on a, b [B, T, F] and h0 [B, F] or nil.
//
// Only the b-part of the down-sweep is needed: the state before the right child of a block is
// (left child's total) applied to the state before the block, a_L ⊙ h + b_L, which uses the
// a-part of the left total but never the a-part of the prefix.
func blelloch(a, b, h0 *Node) *Node {
	T := a.Shape().Dim(1)
	if T == 1 {
		if h0 == nil {
			return b
		}
		return Add(Mul(a, ExpandAxes(h0, 1)), b)
	}
	N := 1
	for N < T {
		N *= 2
	}
	a, b = padTime(a, N-T, 1), padTime(b, N-T, 0) // [B, N, F]

	// Up-sweep: at each level the 2m blocks become m pairs; keep the left totals.
	type pair struct{ a, b *Node }
	var lefts []pair // lefts[k]: totals of the left blocks at level k, [B, N/2^(k+1), F]
	var right0 pair  // the right elements at level 0
	A, Bv := a, b
	for n := N; n > 1; n /= 2 {
		al, ar := EvenOdd(A)
		bl, br := EvenOdd(Bv)
		lefts = append(lefts, pair{al, bl})
		if n == N {
			right0 = pair{ar, br}
		}
		if n > 2 { // the root's total is not needed
			A, Bv = Mul(ar, al), Add(Mul(ar, bl), br) // (al, bl) ∘ (ar, br)
		}
	}

	// Down-sweep: P [B, m, F] is the state before each of the m blocks of a level.
	var P *Node
	if h0 != nil {
		P = ExpandAxes(h0, 1) // [B, 1, F]
	}
	for k := len(lefts) - 1; k >= 1; k-- {
		lt := lefts[k]
		var afterLeft *Node // the state before the right block = after the left block
		if P == nil {
			afterLeft, P = lt.b, ZerosLike(lt.b)
		} else {
			afterLeft = Add(Mul(lt.a, P), lt.b)
		}
		P = Interleave(P, afterLeft) // [B, 2m, F]
	}
	// Level 0: the blocks are single steps; finish with h itself.
	l0 := lefts[0]
	hl := l0.b // h at the even steps
	if P != nil {
		hl = Add(Mul(l0.a, P), l0.b)
	}
	hr := Add(Mul(right0.a, hl), right0.b) // h at the odd steps
	h := Interleave(hl, hr)                // [B, N, F]
	if N > T {
		h = SliceAxis(h, 1, AxisRange(0, T))
	}
	return h
}

// EvenOdd splits x [B, n, ...] (n even) into its even and odd time steps, each [B, n/2, ...]:
// one reshape to [B, n/2, 2, ...] and one slice of the pair axis each. The odd-even scans
// (Blelloch, Associative, and package deer's matrix scan) are built on it.
func EvenOdd(x *Node) (even, odd *Node) {
	dims := x.Shape().Dimensions
	half := append([]int{dims[0], dims[1] / 2}, dims[2:]...)
	x2 := Reshape(x, append([]int{dims[0], dims[1] / 2, 2}, dims[2:]...)...) // [B, n/2, 2, ...]
	even = Reshape(SliceAxis(x2, 2, AxisElem(0)), half...)                   // [B, n/2, ...]
	odd = Reshape(SliceAxis(x2, 2, AxisElem(1)), half...)                    // [B, n/2, ...]
	return even, odd
}

// Interleave is the inverse of EvenOdd: [B, m, ...] twice -> [B, 2m, ...].
func Interleave(even, odd *Node) *Node {
	dims := even.Shape().Dimensions
	return Reshape(Stack([]*Node{even, odd}, 2), append([]int{dims[0], 2 * dims[1]}, dims[2:]...)...)
}

// Chunked is the scan as GPU kernels run it (e.g. Mamba's selective scan, FlashLinearAttention):
// split time into chunks of K steps, [B, T/K, K, F] (T padded to a multiple of K with the
// identity), then
//
//  1. scan inside every chunk from zero state, all chunks at once: K steps, each one
//     whole-tensor op over [B, T/K, F], giving each step's local prefix (A_k, B_k);
//  2. scan the chunk totals (A_{K-1}, B_{K-1}) across chunks with Blelloch, from h0: the state
//     at the end of every chunk;
//  3. fix up: h = A_k ⊙ (state before the chunk) + B_k, for all steps at once.
//
// Work O(T) (about 2.5x the loop's multiply-adds), depth O(K + log(T/K)), O(K) graph nodes.
// The per-step slices of step 1 use recurrent.SplitTime, so the backward pass stays O(T).
// chunk must be >= 1; it panics otherwise.
func Chunked(a, b, h0 *Node, chunk int) *Node {
	if chunk < 1 {
		panic(fmt.Errorf("scan: chunk length must be >= 1, got %d", chunk))
	}
	af, bf, h0f, l := prepare(a, b, h0)
	B, T, F := l.B, l.T, l.F
	K := min(chunk, T)
	C := (T + K - 1) / K // number of chunks
	af, bf = padTime(af, C*K-T, 1), padTime(bf, C*K-T, 0)
	as := seq.SplitTime(Reshape(af, B, C, K, F), 2) // K x [B, C, F]
	bs := seq.SplitTime(Reshape(bf, B, C, K, F), 2) // K x [B, C, F]

	// 1. Local prefixes inside every chunk, from zero state.
	A, Bl := make([]*Node, K), make([]*Node, K)
	A[0], Bl[0] = as[0], bs[0]
	for k := 1; k < K; k++ {
		A[k] = Mul(as[k], A[k-1])               // [B, C, F]
		Bl[k] = Add(Mul(as[k], Bl[k-1]), bs[k]) // [B, C, F]
	}

	// 2. The state at the end of each chunk, and so the state before each chunk.
	var carry *Node // [B, C, F]: the state before each chunk
	switch {
	case C > 1:
		ends := blelloch(A[K-1], Bl[K-1], h0f) // [B, C, F]
		if h0f != nil {
			carry = Concatenate([]*Node{ExpandAxes(h0f, 1), SliceAxis(ends, 1, AxisRange(0, C-1))}, 1)
		} else {
			carry = seq.ShiftTime(ends, 1, 0)
		}
	case h0f != nil:
		carry = ExpandAxes(h0f, 1) // [B, 1, F]
	default:
		// One chunk from zero state. The fix-up still multiplies by the (zero) carry so that
		// every slice of a is used: recurrent.SplitTime (K <= 64) panics in the backward pass
		// when one of its slices receives no gradient.
		carry = filled(A[0], 1, 0) // [B, 1, F]
	}

	// 3. Fix up every step with the state before its chunk.
	hs := make([]*Node, K)
	for k := range K {
		hs[k] = Add(Mul(A[k], carry), Bl[k]) // [B, C, F]
	}
	h := Reshape(seq.StackTime(hs, 2), B, C*K, F) // [B, T', F]
	if C*K > T {
		h = SliceAxis(h, 1, AxisRange(0, T))
	}
	return l.restore(h)
}
