package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// rnnStep is one step of the Elman RNN:
//
//	h_t = act(xp_t + h_{t-1} W_hh^T),   xp_t = x_t W_ih^T + b_ih + b_hh (precomputed for all t)
//
// xp and hp = h_{t-1} W_hh^T are [B, H].
func rnnStep(kind Kind, xp, hp *Node) *Node {
	a := Add(xp, hp) // [B, H] pre-activation
	if kind == RNNReLU {
		return Max(a, ZerosLike(a))
	}
	return Tanh(a)
}
