package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// The LSTM (torch.nn.LSTM), four gate blocks in PyTorch's order i, f, g, o:
//
//	i = σ(x W_ii^T + b_ii + h W_hi^T + b_hi)      f = σ(x W_if^T + b_if + h W_hf^T + b_hf)
//	g = tanh(x W_ig^T + b_ig + h W_hg^T + b_hg)   o = σ(x W_io^T + b_io + h W_ho^T + b_ho)
//	c_t = f ⊙ c_{t-1} + i ⊙ g                     h_t = o ⊙ tanh(c_t)

// The LSTM's gates, in PyTorch's order.
const (
	LSTMInput     Gate = 0 // i
	LSTMForget    Gate = 1 // f
	LSTMCandidate Gate = 2 // g, the cell candidate
	LSTMOutput    Gate = 3 // o
)

// LSTMGates are one step's post-activation gates, [B, H] each.
type LSTMGates struct{ I, F, G, O *Node }

type lstmCell struct{}

func (lstmCell) gates() int                { return 4 }
func (lstmCell) hasCellState() bool        { return true }
func (lstmCell) foldsHiddenBias(Gate) bool { return true }

// step: xp[k] = x W_ik^T + b_ik + b_hk, hp[k] = h W_hk^T, c = c_{t-1}; the trace keeps
// [i, f, g, o].
func (lstmCell) step(xp, hp, _ []*Node, _, c *Node) (hNext, cNext *Node, gates []*Node) {
	i := Sigmoid(Add(xp[LSTMInput], hp[LSTMInput]))      // [B, H] input gate
	f := Sigmoid(Add(xp[LSTMForget], hp[LSTMForget]))    // [B, H] forget gate
	g := Tanh(Add(xp[LSTMCandidate], hp[LSTMCandidate])) // [B, H] candidate
	o := Sigmoid(Add(xp[LSTMOutput], hp[LSTMOutput]))    // [B, H] output gate
	cNext = Add(Mul(f, c), Mul(i, g))                    // [B, H]
	hNext = Mul(o, Tanh(cNext))                          // [B, H]
	gates = make([]*Node, 4)
	gates[LSTMInput], gates[LSTMForget], gates[LSTMCandidate], gates[LSTMOutput] = i, f, g, o
	return hNext, cNext, gates
}

// LSTM returns step t's gates of an LSTM trace by name.
func (tr *Trace) LSTM(t int) LSTMGates {
	g := tr.Gates[t]
	return LSTMGates{I: g[LSTMInput], F: g[LSTMForget], G: g[LSTMCandidate], O: g[LSTMOutput]}
}
