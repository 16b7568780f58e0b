package recurrent

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// The GRU (torch.nn.GRU), three gate blocks in PyTorch's order r, z, n:
//
//	r = σ(x W_ir^T + b_ir + h W_hr^T + b_hr)      z = σ(x W_iz^T + b_iz + h W_hz^T + b_hz)
//	n = tanh(x W_in^T + b_in + r ⊙ (h W_hn^T + b_hn))   (the reset applies after W_hn h + b_hn)
//	h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

// The GRU's gates, in PyTorch's order.
const (
	GRUReset  Gate = 0 // r
	GRUUpdate Gate = 1 // z
	GRUNew    Gate = 2 // n, the candidate
)

// GRUGates are one step's values, [B, H] each: the gates r, z, the candidate n and
// HN = h_{t-1} W_hn^T + b_hn (the hidden part of n's pre-activation).
type GRUGates struct{ R, Z, N, HN *Node }

type gruCell struct{}

func (gruCell) gates() int                  { return 3 }
func (gruCell) hasCellState() bool          { return false }
func (gruCell) foldsHiddenBias(k Gate) bool { return k != GRUNew }

// step: xp[r], xp[z] hold both biases, xp[n] = x W_in^T + b_in only, bhh[n] is b_hn [B, H];
// the trace keeps [r, z, n, hn].
func (gruCell) step(xp, hp, bhh []*Node, h, _ *Node) (hNext, cNext *Node, gates []*Node) {
	r := Sigmoid(Add(xp[GRUReset], hp[GRUReset]))   // [B, H] reset gate
	z := Sigmoid(Add(xp[GRUUpdate], hp[GRUUpdate])) // [B, H] update gate
	hn := Add(hp[GRUNew], bhh[GRUNew])              // [B, H] W_hn h + b_hn
	n := Tanh(Add(xp[GRUNew], Mul(r, hn)))          // [B, H] candidate
	hNext = Add(Mul(OneMinus(z), n), Mul(z, h))     // [B, H]
	gates = make([]*Node, gruTraced)
	gates[GRUReset], gates[GRUUpdate], gates[GRUNew], gates[gruHN] = r, z, n, hn
	return hNext, nil, gates
}

// The trace's slots after the gates: hn = W_hn h + b_hn; gruTraced values per step.
const (
	gruHN     = 3
	gruTraced = 4
)

// GRU returns step t's values of a GRU trace by name.
func (tr *Trace) GRU(t int) GRUGates {
	g := tr.Gates[t]
	return GRUGates{R: g[GRUReset], Z: g[GRUUpdate], N: g[GRUNew], HN: g[gruHN]}
}
