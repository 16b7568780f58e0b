package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// rnnStep is one step of the Elman RNN:
//
//	h_t = act(xp_t + h_{t-1} W_hh^T),   xp_t = x_t W_ih^T + b_ih + b_hh (precomputed for all t)
//
// xp and h are [B, H]; whh is [H, H].
func rnnStep(kind Kind, xp, h, whh *Node) *Node {
	a := Add(xp, hiddenProjection(h, whh)) // [B, H] pre-activation
	if kind == RNNReLU {
		return Max(a, ZerosLike(a))
	}
	return Tanh(a)
}
