package deer

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
)

// Method is how a Newton iteration treats the Jacobian.
type Method string

// The methods of this package.
const (
	Full  Method = "deer"  // the full Jacobian, a matrix scan: Newton's method, quadratic convergence
	Quasi Method = "quasi" // diag(J) only, an elementwise scan: linear convergence, O(T H) per scan
)

// ParseMethod accepts "deer" (or "full") and "quasi" (or "quasi-deer").
func ParseMethod(s string) (Method, error) {
	switch s {
	case "deer", "full", "":
		return Full, nil
	case "quasi", "quasi-deer":
		return Quasi, nil
	}
	return "", fmt.Errorf("deer: unknown method %q, want deer or quasi", s)
}

// iteration is one Newton iteration's nodes.
type iteration struct {
	next  *Node // h^(k+1) [B, T, H]
	delta *Node // h^(k+1) - h^(k) [B, T, H]
	resid *Node // f(h^(k)_{t-1}, x_t) - h^(k)_t [B, T, H]: minus the residual of the guess
}

// newtonIteration builds one iteration from the guess: f and J at the shifted guess, then the
// correction δ_t = J_t δ_{t-1} + r_t (δ_{-1} = 0) by a matrix scan (Full) or by the elementwise
// scan on diag(J) (Quasi), then the optional clip.
func newtonIteration(kind recurrent.Kind, cfg Config, p recurrent.LayerParams, x, h0, guess *Node) iteration {
	c := evalCell(kind, p, ShiftIn(h0, guess), x)
	r := Sub(c.f, guess) // [B, T, H]
	var delta *Node
	switch cfg.method() {
	case Full:
		delta = MatrixScan(c.jacobian(), r, nil) // [B, T, H]
	case Quasi:
		elem := cfg.Scan
		if elem == nil {
			elem = scan.Blelloch
		}
		delta = elem(c.diagJacobian(), r, nil) // [B, T, H]
	default:
		panic(fmt.Errorf("deer: unknown method %q", cfg.Method))
	}
	next := Add(guess, delta) // [B, T, H]
	if cfg.Clip {
		if kind == recurrent.RNNReLU {
			panic(fmt.Errorf("deer: Clip needs a bounded cell (rnn_tanh or gru), got %s", kind))
		}
		next = clipToRange(next, h0)
		delta = Sub(next, guess)
	}
	return iteration{next: next, delta: delta, resid: r}
}

// Step builds ONE Newton iteration as a pure graph: from the layer's weights p (PyTorch layout),
// x [B, T, D], h0 [B, H] and the current guess h^(k) [B, T, H] it returns the next guess
// h^(k+1) [B, T, H], with the method, scan and clip of cfg. Its critical path is a constant
// (f, J, the residual) plus the scan's, O(log T): no chain of length T. It panics (a
// graph-building error) for an unsupported kind or method.
func Step(kind recurrent.Kind, cfg Config, p recurrent.LayerParams, x, h0, guess *Node) *Node {
	return newtonIteration(kind, cfg, p, x, h0, guess).next
}

// Residual is max over b, t, i of |h_t - f(h_{t-1}, x_t)| for a trajectory h [B, T, H]
// (h_{-1} = h0 [B, H]), a scalar: zero exactly at the true trajectory.
func Residual(kind recurrent.Kind, p recurrent.LayerParams, x, h0, h *Node) *Node {
	return ReduceAllMax(Abs(Sub(h, Cell(kind, p, ShiftIn(h0, h), x))))
}

// clipToRange projects an iterate h [B, T, H] onto the box that holds every true trajectory of a
// bounded cell: |h_t| <= max(1, max|h0|) for the tanh RNN (|tanh| < 1) and the GRU (h_t is a
// convex combination of n_t in (-1, 1) and h_{t-1}). The exact prefix of an iterate lies inside,
// so the k-th iterate is still exact up to step k; what is cut is the exponential overshoot of
// the linearisation in chaotic regimes.
func clipToRange(h, h0 *Node) *Node {
	bound := Max(ReduceAllMax(Abs(h0)), ScalarOne(h.Graph(), h.DType())) // scalar
	return Clamp(Neg(bound), h, bound)
}
