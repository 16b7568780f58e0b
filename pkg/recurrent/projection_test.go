package recurrent

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

// TestProjectionVJPMatchesAutodiff compares the custom VJP of the recurrent projections
// (projection.go) with GoMLX's own VJP of the plain h x W^T graph (plainProjectionVJP), in
// float64: gradients of every weight, x, h0 (and c0), for every kind, 1 and 2 layers, short and
// two-level (T > 64) sequences, with a loss on every step, on the last step only (hn, cn), on
// the top layer's first step only (its later projections receive no gradient: zeros) and, for
// the LSTM, on cn only (no gradient reaches the last step's output gate).
func TestProjectionVJPMatchesAutodiff(t *testing.T) {
	b := testBackend(t)
	const B, D, H = 3, 2, 4
	for _, kind := range Kinds {
		for _, L := range []int{1, 2} {
			for _, T := range []int{1, 13, 70} {
				for _, lossAt := range []string{"every", "last", "first", "cell"} {
					if lossAt == "cell" && !kind.HasCellState() {
						continue
					}
					t.Run(fmt.Sprintf("%s/L=%d/T=%d/%s", kind, L, T, lossAt), func(t *testing.T) {
						cfg := Config{Kind: kind, InputSize: D, HiddenSize: H, NumLayers: L, DType: dtypes.Float64}
						w, err := NewWeights(cfg, 3)
						require.NoError(t, err)
						rng := rand.New(rand.NewPCG(uint64(L), uint64(T)))
						args := []any{}
						for _, wt := range w.Tensors {
							args = append(args, wt)
						}
						args = append(args, randTensor(rng, cfg.DType, 1, B, T, D), randTensor(rng, cfg.DType, 0.5, L, B, H),
							randTensor(rng, cfg.DType, 1, B, T, H), randTensor(rng, cfg.DType, 1, L, B, H))
						if kind.HasCellState() {
							args = append(args, randTensor(rng, cfg.DType, 0.5, L, B, H), randTensor(rng, cfg.DType, 1, L, B, H))
						}
						n := 4 * L
						build := func(in []*Node) []*Node {
							params, x, h0, g, gh := in[:n], in[n], in[n+1], in[n+2], in[n+3]
							wrt := append(append([]*Node{}, params...), x, h0)
							var c0, gc *Node
							if kind.HasCellState() {
								c0, gc = in[n+4], in[n+5]
								wrt = append(wrt, c0)
							}
							out, hn, cn, traces := Forward(kind, params, x, h0, c0)
							var loss *Node
							switch lossAt {
							case "every":
								loss = ReduceAllSum(Mul(out, g))
							case "last":
								loss = ReduceAllSum(Mul(hn, gh))
								if cn != nil {
									loss = Add(loss, ReduceAllSum(Mul(cn, gc)))
								}
							case "first":
								loss = ReduceAllSum(Mul(traces[L-1].H[0], Squeeze(SliceAxis(g, 1, AxisElem(0)), 1)))
							case "cell":
								loss = ReduceAllSum(Mul(cn, gc))
							}
							return Gradient(loss, wrt...)
						}
						grads := func(plain bool) []*tensors.Tensor {
							plainProjectionVJP = plain
							defer func() { plainProjectionVJP = false }()
							e, err := NewExec(b, build)
							require.NoError(t, err)
							gs, err := e.Call(args...)
							require.NoError(t, err)
							return gs
						}
						custom, plain := grads(false), grads(true)
						require.Len(t, custom, len(plain))
						names := append(w.Names(), "x", "h0", "c0")
						for i := range plain {
							e := relErr(flat64(custom[i]), flat64(plain[i]))
							require.Less(t, e, 1e-9, "d loss / d %s: relative error %.3g between the custom VJP and autodiff", names[i], e)
						}
					})
				}
			}
		}
	}
}
