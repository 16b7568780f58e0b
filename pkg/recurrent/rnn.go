package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// The Elman RNN (torch.nn.RNN), one gate block:
//
//	h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),   act = tanh (RNNTanh) or relu (RNNReLU)

// RNNGate is the RNN's single gate block.
const RNNGate Gate = 0

type rnnCell struct{ relu bool }

func (rnnCell) gates() int                { return 1 }
func (rnnCell) hasCellState() bool        { return false }
func (rnnCell) foldsHiddenBias(Gate) bool { return true }

// step: h_t = act(xp + hp), xp = x_t W_ih^T + b_ih + b_hh, hp = h_{t-1} W_hh^T, all [B, H].
func (c rnnCell) step(xp, hp, _ []*Node, _, _ *Node) (hNext, cNext *Node, gates []*Node) {
	a := Add(xp[RNNGate], hp[RNNGate]) // [B, H] pre-activation
	if c.relu {
		return Max(a, ZerosLike(a)), nil, nil
	}
	return Tanh(a), nil, nil
}
