package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// gruStep is one GRU step, with PyTorch's gate order r, z, n:
//
//	r = σ(xp_r + h W_hr^T)    z = σ(xp_z + h W_hz^T)
//	n = tanh(xp_n + r ⊙ (h W_hn^T + b_hn))
//	h' = (1 - z) ⊙ n + z ⊙ h
//
// where xp_r, xp_z include both biases and xp_n = x W_in^T + b_in only (b_hn stays inside the
// reset product, as in PyTorch). Operands are [B, H]; hp holds the 3 projections h W_hk^T;
// bhn is b_hn broadcast to [B, H]. It returns h' and [r, z, n, h W_hn^T + b_hn].
func gruStep(xpr, xpz, xpn, h *Node, hp []*Node, bhn *Node) (hNext *Node, gs []*Node) {
	r := Sigmoid(Add(xpr, hp[0]))               // [B, H] reset gate
	z := Sigmoid(Add(xpz, hp[1]))               // [B, H] update gate
	hn := Add(hp[2], bhn)                       // [B, H] W_hn h + b_hn
	n := Tanh(Add(xpn, Mul(r, hn)))             // [B, H] candidate
	hNext = Add(Mul(OneMinus(z), n), Mul(z, h)) // [B, H]
	return hNext, []*Node{r, z, n, hn}
}
