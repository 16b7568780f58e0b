package cost

import (
	"fmt"
	"testing"

	"github.com/rnn-course/bottleneck/internal/testutil"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBackend is the shared test helper (internal/testutil).
var testBackend = testutil.Backend

func testBackendChoice(t testing.TB) (compute.Backend, string) {
	b, choice, err := backend.New()
	require.NoError(t, err)
	return b, choice.Config
}

// small is the shape of the counting tests: B=2, D=3, H=8 (O=1 readout).
func small(T int) Shape { return Shape{B: 2, T: T, D: 3, H: 8} }

func stats(t *testing.T, m Model, mode Pass, s Shape) (Stats, int64, *Built) {
	t.Helper()
	// The exact counts are stated for decomposed ops: a backend with a fused softmax (XLA) would
	// make attention's depth smaller by 4.
	t.Setenv(FusionEnv, "false")
	built, err := BuildGraph(testBackend(t), m, mode, s)
	require.NoError(t, err)
	st, act := Analyze(built)
	require.Empty(t, st.Unmodeled, "every node type of the course's models has a cost rule")
	return st, act, built
}

// TestWalkFromOutputsOnly: nodes that the outputs do not read are not counted. The backward
// pass of an unrolled RNN contains such nodes: the zero-padded Pads that autodiff builds for
// recurrent.SplitTime's slices and that its custom gradient never uses.
func TestWalkFromOutputsOnly(t *testing.T) {
	st, _, built := stats(t, Recurrent(recurrent.RNNTanh), FwdBwd, small(16))
	all := len(built.Graph.Nodes())
	assert.Less(t, st.Nodes, all)
	pads := 0
	for _, n := range built.Graph.Nodes() {
		if n.Type() == NodeTypePad {
			pads++
		}
	}
	assert.Positive(t, pads, "autodiff of the per-step slices builds Pads")
	assert.Zero(t, st.ByType["Pad"], "none of them is reachable from the gradients")
}

// TestDepthRecurrent checks the critical-path depth of the unrolled cells against exact
// formulas a·T + b, forward (loss only) and forward+backward (loss and all gradients).
//
// Forward, RNN (tanh): per step the h_{t-1} → h_t chain is DotGeneral → Add → Tanh, so a = 3.
// The constant: step 1's Add waits for the input projection x W_ih^T (DotGeneral) plus its bias
// (Add), so h_1 has depth 4 and h_t = 3t + 1; then the readout DotGeneral and bias Add, and the
// loss Sub, Mul (square), ReduceSum and the division of the mean add 6: depth = 3T + 7.
//
// Forward, LSTM: h → DotGeneral → Add → Logistic (f) → Mul (f ⊙ c) → Add (c') → Tanh → Mul (o ⊙)
// = 7 per step, and the same +7 of input projection, readout and loss: 7T + 7.
// Forward, GRU: h → DotGeneral (W_hr) → Add → Logistic (r) → Mul (r ⊙ (W_hn h + b_hn)) → Add (x_n)
// → Tanh (n) → Mul ((1-z) ⊙ n) → Add = 8 per step: 8T + 7.
//
// Forward+backward adds the reverse chain, one step after another (pkg/recurrent's VJP of the
// hidden projection: one matmul of all gate gradients with W_hh per step, projection.go):
// RNN a' = 6 (tanh' Mul, DotGeneral with W_hh, Add of the two gradient paths into h_{t-1}),
// b' = 6; LSTM a' = 14, b' = 8; GRU a' = 14, b' = 8. All formulas hold for T <= 64 (one-level SplitTime/StackTime) and above
// (two levels), since slices, concatenations and reshapes do not count.
func TestDepthRecurrent(t *testing.T) {
	cases := []struct {
		kind recurrent.Kind
		mode Pass
		a, b int
	}{
		{recurrent.RNNTanh, Fwd, 3, 7},
		{recurrent.RNNTanh, FwdBwd, 6, 6},
		{recurrent.LSTM, Fwd, 7, 7},
		{recurrent.LSTM, FwdBwd, 14, 8},
		{recurrent.GRU, Fwd, 8, 7},
		{recurrent.GRU, FwdBwd, 14, 8},
	}
	Ts := []int{4, 8, 16, 64, 100}
	if testing.Short() {
		Ts = []int{4, 8, 16, 64}
	}
	for _, c := range cases {
		for _, T := range Ts {
			t.Run(fmt.Sprintf("%s/%s/T=%d", c.kind, c.mode, T), func(t *testing.T) {
				st, _, _ := stats(t, Recurrent(c.kind), c.mode, small(T))
				assert.Equal(t, c.a*T+c.b, st.Depth, "depth = %d·T + %d", c.a, c.b)
			})
		}
	}
}

// TestDepthParallel: the depth of attention (1 and 4 heads) does not depend on T. With decomposed
// ops it is 19 forward: the Q (or K) projection DotGeneral and bias Add, Q K^T, the scaling Mul,
// the mask Add, the softmax (ReduceMax, Sub, Exp, ReduceSum, Div), A V, the output projection
// and its bias Add, then the readout (DotGeneral, Add) and the loss (Sub, Mul, ReduceSum, Div);
// 29 forward+backward. A backend with a fused softmax (the Go backend's default) replaces the 5
// softmax levels by one: 15 and 25.
//
// The convolution stack's forward depth is 3 per layer (DotGeneral, bias Add, Tanh) for its 8
// layers plus readout and loss (6): 30. Its backward depth is constant once every dilation fits
// in T (T > 128): shorter sequences drop the taps that would only read the zero padding, and
// with them some gradient additions.
func TestDepthParallel(t *testing.T) {
	for _, fusion := range []string{"false", "true"} {
		for _, m := range []Model{Attention(1), Attention(4)} {
			for _, c := range []struct {
				mode  Pass
				depth int
			}{{Fwd, 19}, {FwdBwd, 29}} {
				for _, T := range []int{16, 256} {
					built, err := func() (*Built, error) {
						t.Setenv(FusionEnv, fusion)
						return BuildGraph(testBackend(t), m, c.mode, small(T))
					}()
					require.NoError(t, err)
					st := Walk(built.Outputs...)
					want := c.depth
					if st.ByType["FusedSoftmax"] > 0 {
						want -= 4
					}
					assert.Equal(t, want, st.Depth, "%s %s T=%d fusion=%s", m.Name, c.mode, T, fusion)
				}
			}
		}
	}
	conv := CausalConv(2, 256)
	assert.Equal(t, 8, ConvLayers(2, 256))
	for _, T := range []int{16, 256} {
		st, _, _ := stats(t, conv, Fwd, small(T))
		assert.Equal(t, 3*8+6, st.Depth, "conv fwd T=%d", T)
	}
	a, _, _ := stats(t, conv, FwdBwd, small(129))
	b, _, _ := stats(t, conv, FwdBwd, small(256))
	assert.Equal(t, a.Depth, b.Depth)
}

// TestWorkLSTM checks the work of the LSTM graph against a hand count. With B, D, H and O = 1:
//
// per step:
//
//	4 hidden matmuls h W_h·^T           4 · 2BH²
//	4 Adds (x-part + h-part)            4 · BH
//	3 Logistic + 1 Tanh (gates)         4 · BH
//	c' = f⊙c + i⊙g: 2 Mul + 1 Add       3 · BH
//	h' = o ⊙ tanh(c'): Tanh + Mul       2 · BH
//	input projections over all T, per step: 4 gates × (2BDH matmul + BH bias Add)
//	readout: 2BHO matmul + BO bias Add; loss: Sub, Mul (square), ReduceSum over BO
//
// so W(T) = T·(8BH² + 13BH + 4(2BDH + BH) + 2BHO + BO + 3BO) + 4H + 1, the constant being the
// four bias sums b_ih + b_hh and the division of the mean. No transcendental weighting.
func TestWorkLSTM(t *testing.T) {
	for _, T := range []int{1, 4, 5, 64, 100} {
		s := small(T)
		B, D, H, O := int64(s.B), int64(s.D), int64(s.H), int64(OutputSize)
		perStep := 8*B*H*H + 13*B*H + 4*(2*B*D*H+B*H) + 2*B*H*O + B*O + 3*B*O
		st, _, _ := stats(t, Recurrent(recurrent.LSTM), Fwd, s)
		assert.Equal(t, int64(T)*perStep+4*H+1, st.Flops, "T=%d", T)
		// Special functions: 3 Logistic + 2 Tanh per element of h per step.
		assert.Equal(t, int64(T)*5*B*H, st.Transcendentals, "T=%d", T)
	}
	// The same per-step count through StepFlops.
	s := small(8)
	B, D, H := int64(s.B), int64(s.D), int64(s.H)
	w, err := StepFlops(testBackend(t), Recurrent(recurrent.LSTM), Fwd, s)
	require.NoError(t, err)
	assert.Equal(t, 8*B*H*H+13*B*H+4*(2*B*D*H+B*H)+2*B*H+B+3*B, w)
}

// TestWorkRNNAndAttention checks two more hand counts: the RNN's per-step work
// (2BH² hidden matmul, Add and Tanh, input projection 2BDH + BH bias, readout and loss) and the
// attention layer's work, whose T² terms are the two batched matmuls (2·B·T²·H each), the
// scaling, mask Add, and the decomposed softmax (max, subtract, exp, sum, divide) on B·heads·T²
// scores, plus the mask itself (compare and select, T² each).
func TestWorkRNNAndAttention(t *testing.T) {
	for _, T := range []int{4, 16, 64} {
		s := small(T)
		B, D, H, TT := int64(s.B), int64(s.D), int64(s.H), int64(T)
		st, _, _ := stats(t, Recurrent(recurrent.RNNTanh), Fwd, s)
		perStep := 2*B*H*H + 2*B*H + 2*B*D*H + B*H + 2*B*H + B + 3*B
		assert.Equal(t, TT*perStep+H+1, st.Flops, "rnn T=%d", T)

		for _, heads := range []int64{1, 4} {
			st, _, _ := stats(t, Attention(int(heads)), Fwd, s)
			proj := 3*(2*B*TT*D*H+B*TT*H) + (2*B*TT*H*H + B*TT*H) // Q, K, V and output projections
			scores := 2*B*TT*TT*H + 2*B*TT*TT*H                   // Q K^T and A V
			perScore := int64(2 + 5)                              // scale, mask Add; softmax
			mask := 2 * TT * TT                                   // GreaterThan, Where
			readoutLoss := 2*B*TT*H + B*TT + 3*B*TT + 1
			assert.Equal(t, proj+scores+perScore*B*heads*TT*TT+mask+readoutLoss, st.Flops, "attention%d T=%d", heads, T)
		}
	}
}

// TestNodesLinear: the node count of the unrolled cells grows linearly with T, exactly 7 nodes
// per RNN step forward while SplitTime is one-level (T <= 64), and within the small overhead
// of the two-level split above.
func TestNodesLinear(t *testing.T) {
	for _, m := range []Model{Recurrent(recurrent.RNNTanh), Recurrent(recurrent.LSTM), Recurrent(recurrent.GRU)} {
		for _, mode := range []Pass{Fwd, FwdBwd} {
			n := map[int]int{}
			for _, T := range []int{8, 16, 32, 64, 256} {
				st, _, _ := stats(t, m, mode, small(T))
				n[T] = st.Nodes
			}
			step := (n[16] - n[8]) / 8
			assert.Equal(t, step*8, n[16]-n[8], "%s %s", m.Name, mode)
			assert.Equal(t, step*16, n[32]-n[16], "%s %s", m.Name, mode)
			assert.Equal(t, step*32, n[64]-n[32], "%s %s", m.Name, mode)
			perStep256 := float64(n[256]-n[64]) / 192
			assert.InDelta(t, float64(step), perStep256, 0.1*float64(step), "%s %s", m.Name, mode)
		}
	}
	st8, _, _ := stats(t, Recurrent(recurrent.RNNTanh), Fwd, small(8))
	st16, _, _ := stats(t, Recurrent(recurrent.RNNTanh), Fwd, small(16))
	assert.Equal(t, 11*8, st16.Nodes-st8.Nodes) // 7 operations and 4 of pkg/recurrent's clearUpper and VJP per step
}

// TestActivationBytes: the backward pass of a recurrent cell reads activations that grow
// linearly with T; attention's grow with T² (the B·heads·T² attention weights).
func TestActivationBytes(t *testing.T) {
	act := func(m Model, T int) int64 {
		_, a, _ := stats(t, m, FwdBwd, small(T))
		return a
	}
	rnn := Recurrent(recurrent.RNNTanh)
	a8, a16, a32 := act(rnn, 8), act(rnn, 16), act(rnn, 32)
	assert.Positive(t, a8)
	assert.Equal(t, a16-a8, (a32-a16)/2, "linear in T")
	// Per step the RNN keeps h_t (B·H floats, read by tanh' and by W_hh's gradient), its copy in
	// the stacked output (B·H, read by the readout's gradient) and pred - y (B·O).
	s := small(8)
	assert.Equal(t, int64(4*(2*s.B*s.H+s.B*OutputSize)*8), a16-a8)

	att := Attention(1)
	b16, b32, b64 := act(att, 16), act(att, 32), act(att, 64)
	d1, d2 := float64(b32-b16), float64(b64-b32)
	assert.Greater(t, d2/d1, 2.5, "superlinear in T")

	_, fwd, _ := stats(t, rnn, Fwd, small(8))
	assert.Zero(t, fwd, "no backward pass, no saved activations")
}

// TestMinGRUDepth: the minGRU's loop has depth linear in T, its Blelloch scan logarithmic.
func TestMinGRUDepth(t *testing.T) {
	b := testBackend(t)
	depth := func(form scan.Form, T int) int {
		m, err := MinGRU(form)
		require.NoError(t, err)
		built, err := BuildGraph(b, m, Fwd, Shape{B: 2, T: T, D: 3, H: 4})
		require.NoError(t, err)
		s, _ := Analyze(built)
		return s.Depth
	}
	loop64, loop256 := depth("sequential", 64), depth("sequential", 256)
	blel64, blel256 := depth("blelloch", 64), depth("blelloch", 256)
	t.Logf("minGRU forward depth: loop %d (T=64), %d (T=256); blelloch %d, %d", loop64, loop256, blel64, blel256)
	require.Equal(t, 2*(256-64), loop256-loop64, "the loop adds 2 levels per step")
	require.Equal(t, 8, blel256-blel64, "Blelloch adds 4 levels per doubling of T")
}
