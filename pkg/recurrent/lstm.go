package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// lstmStep is one LSTM step, with PyTorch's gate order i, f, g, o:
//
//	i = σ(xp_i + h W_hi^T)    f = σ(xp_f + h W_hf^T)
//	g = tanh(xp_g + h W_hg^T) o = σ(xp_o + h W_ho^T)
//	c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')
//
// where xp_k = x W_ik^T + b_ik + b_hk was computed for all t at once. Every operand is [B, H];
// hp holds the 4 projections h W_hk^T. It returns h', c' and the gates [i, f, g, o].
func lstmStep(xpi, xpf, xpg, xpo, c *Node, hp []*Node) (hNext, cNext *Node, gs []*Node) {
	i := Sigmoid(Add(xpi, hp[0]))     // [B, H] input gate
	f := Sigmoid(Add(xpf, hp[1]))     // [B, H] forget gate
	g := Tanh(Add(xpg, hp[2]))        // [B, H] candidate
	o := Sigmoid(Add(xpo, hp[3]))     // [B, H] output gate
	cNext = Add(Mul(f, c), Mul(i, g)) // [B, H]
	hNext = Mul(o, Tanh(cNext))       // [B, H]
	return hNext, cNext, []*Node{i, f, g, o}
}
