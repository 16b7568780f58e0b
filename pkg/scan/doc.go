// Package scan computes every state of a linear recurrence
//
//	h_t = a_t ⊙ h_{t-1} + b_t,   t = 0 .. T-1,   h_{-1} = h0 (zeros when nil)
//
// in five ways that give the same numbers but differ in how much of the work must wait for the
// step before it. This recurrence is the state update of minGRU/minLSTM (package mingru), of
// linear RNNs and of diagonal state-space models (S4D, S5, Mamba): because a_t and b_t do not
// depend on h, the sequential bottleneck of a recurrent network can be broken.
//
// All functions take a and b of shape [B, T, ...features] (batch first, time on axis 1, any
// trailing feature shape, float32 or float64) and h0 [B, ...features] or nil, and return all
// h_t as [B, T, ...features]. They are pure graph builders made of differentiable ops (no
// While), so autodiff works through every one of them and a graph walk can measure their depth.
//
// # Why a scan
//
// Write a step as the pair (a_t, b_t): the affine map h ↦ a_t h + b_t. Applying (a1, b1) and
// then (a2, b2) is again affine, which defines the combine operator
//
//	(a1, b1) ∘ (a2, b2) = (a2 a1, a2 b1 + b2),   identity (1, 0).
//
// It is associative because composition of maps is: both groupings give
// ((a1,b1)∘(a2,b2))∘(a3,b3) = (a3 a2 a1, a3 a2 b1 + a3 b2 + b3) = (a1,b1)∘((a2,b2)∘(a3,b3)).
// h_t is the b-part of (a_0,b_0) ∘ … ∘ (a_t,b_t) once h0 is folded into b_0 ← a_0 h0 + b_0, so
// all h_t together are a prefix scan ("all partial sums") under ∘, and any bracketing of the
// product is correct. The forms differ only in the bracketing:
//
//	form            work         depth (critical path)   graph nodes
//	Sequential      O(T)         O(T)                    O(T)      the loop, linear-cost slices
//	SequentialNaive O(T) fwd,    O(T)                    O(T)      per-step Slice: backward O(T²)
//	                O(T²) bwd
//	HillisSteele    O(T log T)   O(log T)                O(log T)  step t combines with t-2^k
//	Blelloch        O(T)         O(log T)                O(log T)  up-sweep/down-sweep tree
//	Chunked         O(T)         O(K + log(T/K))         O(K)      scan in chunks of K, then fix up
//
// On a CPU with two cores the loop is hard to beat: a scan moves more bytes than the loop does
// and has nothing to run in parallel on. Its win is depth, which pays on a GPU, where each level
// is one kernel over the whole tensor. See BENCHMARKS.md for measurements.
//
// # Gradients
//
// The gradient of a linear scan is itself a linear scan, run backwards in time. With g_t the
// direct gradient ∂L/∂h_t and δh_t the total one:
//
//	δh_t = g_t + a_{t+1} ⊙ δh_{t+1}   (δh_{T-1} = g_{T-1})
//	∂L/∂b_t = δh_t,   ∂L/∂a_t = δh_t ⊙ h_{t-1},   ∂L/∂h0 = a_0 ⊙ δh_0.
//
// [ReverseAdjoint] computes these with any of the forms; [WithAdjointGradient] attaches it to a
// form as its custom gradient. Autodiff through the forms gives the same numbers.
//
// [Associative] is a scan over any user-supplied associative operator (no identity needed);
// [PrefixSum] and [LogCumSumExp] use it, because GoMLX's own CumSum costs O(T²) on the Go backend.
//
// References:
//   - Hillis & Steele, "Data parallel algorithms", Communications of the ACM 29(12), 1986.
//   - Blelloch, "Prefix sums and their applications", Tech. Report CMU-CS-90-190, 1990.
//   - Martin & Cundy, "Parallelizing linear recurrent neural nets over sequence length",
//     ICLR 2018 (the linear scan above, and its reverse-scan gradient).
//   - Smith, Warrington & Linderman, "Simplified state space layers for sequence modeling"
//     (S5), ICLR 2023 (the same operator for diagonal state-space models).
package scan
