package deer

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/seq"
)

// CheckSupported says whether DEER supports a cell kind here (nil) or why not: the tanh and
// ReLU RNN and the GRU (single state h) are; the LSTM, whose state is the pair (h, c), is not.
// Package bptt's CheckSupported has the same form.
func CheckSupported(kind recurrent.Kind) error {
	switch kind {
	case recurrent.RNNTanh, recurrent.RNNReLU, recurrent.GRU:
		return nil
	case recurrent.LSTM:
		return fmt.Errorf("deer: the lstm is not supported: its state is the pair (h, c); want rnn_tanh, rnn_relu or gru")
	}
	return fmt.Errorf("deer: cell kind %q is not supported, want rnn_tanh, rnn_relu or gru", kind)
}

// cellEval holds f for every step and the intermediates its Jacobian needs, all [B, T, H].
type cellEval struct {
	kind  recurrent.Kind
	f     *Node   // f(h_{t-1}, x_t)
	hprev *Node   // h_{t-1}
	a     *Node   // RNN: the pre-activation
	r, z  *Node   // GRU gates
	n     *Node   // GRU candidate
	hpn   *Node   // GRU: W_hn h + b_hn
	whh   []*Node // the G recurrent blocks W_hk [H, H] (rows: outputs, columns: h)
}

// project is x W^T + b for x [B, T, K], W [H, K], b [H] (b may be nil): [B, T, H].
func project(x, w, b *Node) *Node {
	if b == nil {
		return seq.Project(x, w)
	}
	return seq.Linear(x, w, b)
}

// evalCell computes f(h_{t-1}, x_t) for all t at once from hprev [B, T, H] (h_{t-1} at
// position t) and x [B, T, D], with PyTorch's equations (package recurrent). It panics (a
// programmer error) for an unsupported kind.
func evalCell(kind recurrent.Kind, p recurrent.LayerParams, hprev, x *Node) cellEval {
	gs := p.Gates(kind) // G gate blocks, PyTorch's order
	c := cellEval{kind: kind, hprev: hprev}
	for _, g := range gs {
		c.whh = append(c.whh, g.WHH)
	}
	switch kind {
	case recurrent.RNNTanh, recurrent.RNNReLU:
		a := gs[recurrent.RNNGate]
		c.a = Add(project(x, a.WIH, Add(a.BIH, a.BHH)), project(hprev, a.WHH, nil)) // [B, T, H]
		if kind == recurrent.RNNTanh {
			c.f = Tanh(c.a)
		} else {
			c.f = Max(c.a, ZerosLike(c.a))
		}
	case recurrent.GRU:
		r, z, n := gs[recurrent.GRUReset], gs[recurrent.GRUUpdate], gs[recurrent.GRUNew]
		c.r = Sigmoid(Add(project(x, r.WIH, r.BIH), project(hprev, r.WHH, r.BHH))) // [B, T, H] reset
		c.z = Sigmoid(Add(project(x, z.WIH, z.BIH), project(hprev, z.WHH, z.BHH))) // [B, T, H] update
		c.hpn = project(hprev, n.WHH, n.BHH)                                       // [B, T, H] W_hn h + b_hn
		c.n = Tanh(Add(project(x, n.WIH, n.BIH), Mul(c.r, c.hpn)))                 // [B, T, H] candidate
		c.f = Add(Mul(OneMinus(c.z), c.n), Mul(c.z, hprev))                        // [B, T, H]
	default:
		panic(fmt.Errorf("deer: cell kind %q is not supported (want rnn_tanh, rnn_relu or gru)", kind))
	}
	return c
}

// rowScales returns J as Σ_k diag(u_k) M_k: the row scales u_k [B, T, H] and the matrices
// M_k [H, H] (a nil matrix stands for the identity).
func (c cellEval) rowScales() (us, ms []*Node) {
	switch c.kind {
	case recurrent.RNNTanh:
		return []*Node{OneMinus(Square(c.f))}, c.whh // (1 - f²) W_hh
	case recurrent.RNNReLU:
		return []*Node{ConvertDType(GreaterThan(c.a, ZerosLike(c.a)), c.f.DType())}, c.whh // 1[a>0] W_hh
	}
	// GRU, see the package documentation.
	dn := Mul(OneMinus(c.z), OneMinus(Square(c.n)))    // (1 - z)(1 - n²)
	ur := Mul(Mul(dn, Mul(c.r, OneMinus(c.r))), c.hpn) // (1 - z)(1 - n²) r(1 - r) hp_n
	uz := Mul(Sub(c.hprev, c.n), Mul(c.z, OneMinus(c.z)))
	un := Mul(dn, c.r)
	return []*Node{ur, uz, un, c.z}, []*Node{c.whh[recurrent.GRUReset], c.whh[recurrent.GRUUpdate], c.whh[recurrent.GRUNew], nil}
}

// jacobian is the full J_t = ∂f/∂h_{t-1}, [B, T, H, H] (J[b, t, i, j] = ∂f_i/∂h_j).
func (c cellEval) jacobian() *Node {
	s := c.f.Shape()
	H := s.Dim(2)
	dims := []int{s.Dim(0), s.Dim(1), H, H}
	us, ms := c.rowScales()
	var J *Node
	for k, u := range us {
		m := ms[k]
		if m == nil {
			m = ConvertDType(Diagonal(c.f.Graph(), H), c.f.DType()) // I [H, H]
		}
		term := Mul(BroadcastToDims(ExpandAxes(u, -1), dims...), // [B, T, H, H]: u_i
			BroadcastToDims(ExpandLeftToRank(m, 4), dims...)) // [B, T, H, H]: M_ij
		if J == nil {
			J = term
		} else {
			J = Add(J, term)
		}
	}
	return J
}

// diagJacobian is diag(J_t), [B, T, H], computed in O(H) per step without forming J.
func (c cellEval) diagJacobian() *Node {
	us, ms := c.rowScales()
	var d *Node
	for k, u := range us {
		term := u // M = I: diagonal 1
		if m := ms[k]; m != nil {
			H := m.Shape().Dim(0)
			eye := ConvertDType(Diagonal(m.Graph(), H), m.DType())
			term = Mul(u, BroadcastToDims(ExpandLeftToRank(ReduceSum(Mul(m, eye), 1), 3), u.Shape().Dimensions...))
		}
		if d == nil {
			d = term
		} else {
			d = Add(d, term)
		}
	}
	return d
}

// Cell computes f(h_{t-1}, x_t) for every t at once: hprev [B, T, H] holds h_{t-1} at
// position t (see ShiftIn), x is [B, T, D]; the result is [B, T, H]. Whole-tensor ops only, no
// loop over t. kind must pass CheckSupported; it panics otherwise (graph-building error).
func Cell(kind recurrent.Kind, p recurrent.LayerParams, hprev, x *Node) *Node {
	return evalCell(kind, p, hprev, x).f
}

// Jacobian returns f (as Cell) and the analytic Jacobians J_t = ∂f/∂h at (hprev_t, x_t),
// [B, T, H, H], J[b, t, i, j] = ∂f_i/∂h_j. The formulas are in the package documentation.
func Jacobian(kind recurrent.Kind, p recurrent.LayerParams, hprev, x *Node) (f, J *Node) {
	c := evalCell(kind, p, hprev, x)
	return c.f, c.jacobian()
}

// DiagJacobian returns f (as Cell) and the diagonal of the Jacobian, [B, T, H], the only part
// of it that quasi-DEER uses.
func DiagJacobian(kind recurrent.Kind, p recurrent.LayerParams, hprev, x *Node) (f, d *Node) {
	c := evalCell(kind, p, hprev, x)
	return c.f, c.diagJacobian()
}

// ShiftIn returns the previous states of a trajectory: (h0, h_0, …, h_{T-2}), [B, T, H], from
// h0 [B, H] and h [B, T, H]. One Slice and one Concatenate.
func ShiftIn(h0, h *Node) *Node {
	T := h.Shape().Dim(1)
	first := ExpandAxes(h0, 1) // [B, 1, H]
	if T == 1 {
		return first
	}
	return Concatenate([]*Node{first, SliceAxis(h, 1, AxisRange(0, T-1))}, 1)
}
