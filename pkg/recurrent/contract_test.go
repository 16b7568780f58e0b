package recurrent_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/stretchr/testify/require"

	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/rnn-course/bottleneck/pkg/bptt"
	"github.com/rnn-course/bottleneck/pkg/deer"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// cellContract is the table of the cell contract: one row per cell. A new cell is one file in
// this package (its equations, see cell.go) plus one row here; the test then checks every
// implementation of the cell against recurrent.Step.
var cellContract = []struct {
	kind recurrent.Kind
	deer bool // DEER solves it (its state is h alone)
}{
	{recurrent.RNNTanh, true},
	{recurrent.RNNReLU, true},
	{recurrent.LSTM, false},
	{recurrent.GRU, true},
}

// TestCellContract checks, for every cell, each implementation of its equations against
// recurrent.Step unrolled over T steps (the reference), in float64:
//   - RunLayer's forward (h_t, and c_t for the LSTM);
//   - the fast path's forward (bptt.FastLayerForward);
//   - the hand-written adjoints (bptt.Adjoint on RunLayer's trace, bptt.FastLayerGrads) against
//     autodiff of Step: weight gradients, ∂L/∂x_t, ∂L/∂h_0 (and ∂L/∂c_0), for
//     L = Σ_t <g_t, h_t>;
//   - DEER's cell f(h_{t-1}, x_t), its Jacobian ∂f/∂h_{t-1} and that Jacobian's diagonal,
//     against Step and autodiff of Step, where DEER supports the cell.
func TestCellContract(t *testing.T) {
	b := testutil.Backend(t)
	const B, T, D, H = 2, 4, 3, 5
	f64 := dtypes.Float64
	for _, row := range cellContract {
		t.Run(string(row.kind), func(t *testing.T) {
			kind := row.kind
			cfg := recurrent.Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: 1, DType: f64}
			w, err := recurrent.NewWeights(cfg, 11)
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(5, 6))
			x := testutil.RandNormal(rng, f64, 1, B, T, D)
			h0 := testutil.RandNormal(rng, f64, 0.5, B, H)
			c0 := testutil.RandNormal(rng, f64, 0.5, B, H)
			g := testutil.RandNormal(rng, f64, 1, B, T, H)

			var names []string
			exec, err := NewExec(b, func(in []*Node) []*Node {
				p := recurrent.SplitParams(in[:4])[0]
				x, h0, c0, g := in[4], in[5], in[6], in[7]
				if !kind.HasCellState() {
					c0 = nil
				}
				step := func(in *Node, t int) *Node { return Squeeze(SliceAxis(in, 1, AxisElem(t)), 1) } // [B, ·]
				xs, gs := make([]*Node, T), make([]*Node, T)
				for t := range T {
					xs[t], gs[t] = step(x, t), step(g, t)
				}
				var out []*Node
				check := func(name string, got, want *Node) {
					names = append(names, name)
					out = append(out, got, want)
				}

				// The reference: Step unrolled, and autodiff of L = Σ_t <g_t, h_t> through it.
				h, c := h0, c0
				ref := make([]*Node, T)
				var loss *Node
				for t := range T {
					h, c = recurrent.Step(kind, p, xs[t], h, c)
					ref[t] = h
					term := ReduceAllSum(Mul(h, gs[t]))
					if loss == nil {
						loss = term
					} else {
						loss = Add(loss, term)
					}
				}
				wrt := []*Node{in[0], in[1], in[2], in[3], x, h0}
				if c0 != nil {
					wrt = append(wrt, c0)
				}
				grads := Gradient(loss, wrt...)
				hs := Stack(ref, 1) // [B, T, H]

				// RunLayer and bptt.Adjoint.
				tr := recurrent.RunLayer(kind, p, x, h0, c0)
				check("RunLayer h", Stack(tr.H, 1), hs)
				ag := bptt.Adjoint(tr, p, gs, nil, nil)
				for i, gw := range []*Node{ag.WIH, ag.WHH, ag.BIH, ag.BHH} {
					check("Adjoint "+recurrent.ParamNames(1)[i], gw, grads[i])
				}
				check("Adjoint dx", Stack(ag.DX, 1), grads[4])
				check("Adjoint dh0", ag.DH0, grads[5])

				// The fast path.
				ft := bptt.FastLayerForward(kind, p, xs, h0, c0)
				check("FastLayerForward h", Stack(ft.HT, 1), hs)
				fg, fdx := bptt.FastLayerGrads(ft, gs, true)
				for i, gw := range fg {
					check("FastLayerGrads "+recurrent.ParamNames(1)[i], gw, grads[i])
				}
				check("FastLayerGrads dx", Stack(fdx, 1), grads[4])

				if c0 != nil {
					check("RunLayer c_T", tr.C[T-1], c)
					check("FastLayerForward c_T", ft.C[T-1], c)
					check("Adjoint dc0", ag.DC0, grads[6])
				}

				// DEER's cell and Jacobian, at the reference trajectory: f and the rows of
				// ∂f/∂h_{t-1} from Step on all B·T pairs (h_{t-1}, x_t) at once.
				if row.deer {
					hprev := deer.ShiftIn(h0, hs)                                      // [B, T, H]
					hflat := Reshape(hprev, B*T, H)                                    // [B·T, H]
					fref, _ := recurrent.Step(kind, p, Reshape(x, B*T, D), hflat, nil) // [B·T, H]
					rows := make([]*Node, H)
					for i := range H {
						rows[i] = Gradient(ReduceAllSum(SliceAxis(fref, 1, AxisElem(i))), hflat)[0] // [B·T, H]: ∂f_i/∂h
					}
					jref := Reshape(Stack(rows, 1), B, T, H, H) // [B, T, H, H]
					f, J := deer.Jacobian(kind, p, hprev, x)
					_, diag := deer.DiagJacobian(kind, p, hprev, x)
					check("deer.Cell", deer.Cell(kind, p, hprev, x), hs)
					check("deer.Jacobian f", f, hs)
					check("deer.Jacobian J", J, jref)
					eye := ConvertDType(Diagonal(x.Graph(), H), f64) // [H, H]
					check("deer.DiagJacobian", diag, ReduceSum(Mul(jref, BroadcastToDims(ExpandLeftToRank(eye, 4), B, T, H, H)), 3))
				}
				return out
			})
			require.NoError(t, err)
			args := []any{}
			for _, w := range w.Tensors {
				args = append(args, w)
			}
			res, err := exec.Call(append(args, x, h0, c0, g)...)
			require.NoError(t, err)
			for i, name := range names {
				got, want := testutil.Flat64(res[2*i]), testutil.Flat64(res[2*i+1])
				require.Less(t, testutil.RelErr(got, want), 1e-12, "%s: %s against recurrent.Step", kind, name)
			}
		})
	}
}
