package deer

import (
	"fmt"
	"math/bits"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

// TestDepth measures, with package graphwalk (cost.Walk), the critical path of ONE Newton iteration
// (Step) against the sequential loop (recurrent.Forward), B=2, D=3, H=8. With L = ceil(log2 T):
//
//	quasi-DEER (Blelloch scan)  4L + 6 (tanh RNN), 4L + 15 (GRU), for every T >= 2
//	DEER (odd-even matrix scan) <= the same, equal when T is a power of two (an odd length
//	                            carries its last step up a level unpaired, which saves levels)
//	sequential loop             3T + 1 (tanh RNN), 8T + 1 (GRU)
//
// Each scan level costs 4: a matmul (or multiply) and an add on the way up and on the way down.
// The constant is f, the Jacobian and the residual (the GRU's Jacobian is deeper than f).
// At T = 1024: 46 vs 3073 (tanh RNN), 55 vs 8193 (GRU).
func TestDepth(t *testing.T) {
	b := testBackend(t)
	Ts := []int{2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 64, 100, 128, 256, 300, 512, 1024}
	if testing.Short() {
		Ts = []int{2, 3, 5, 8, 17, 64, 300, 512}
	}
	for _, c := range []struct {
		kind      recurrent.Kind
		c, seqPer int
	}{{recurrent.RNNTanh, 6, 3}, {recurrent.GRU, 15, 8}} {
		cell := recurrent.Config{Kind: c.kind, InputSize: 3, HiddenSize: 8, NumLayers: 1, DType: dtypes.Float32}
		rows := []string{"    T   L   DEER  quasi  sequential"}
		for _, T := range Ts {
			L := bits.Len(uint(T - 1)) // ceil(log2 T)
			full, err := IterationCost(b, cell, Config{Method: Full}, 2, T)
			require.NoError(t, err)
			quasi, err := IterationCost(b, cell, Config{Method: Quasi}, 2, T)
			require.NoError(t, err)
			seq, err := SequentialCost(b, cell, 2, T)
			require.NoError(t, err)
			bound := 4*L + c.c
			require.Equal(t, bound, quasi.Depth, "%s quasi T=%d", c.kind, T)
			require.LessOrEqual(t, full.Depth, bound, "%s DEER T=%d", c.kind, T)
			if T&(T-1) == 0 {
				require.Equal(t, bound, full.Depth, "%s DEER T=%d (a power of two)", c.kind, T)
			}
			require.Equal(t, c.seqPer*T+1, seq.Depth, "%s sequential T=%d", c.kind, T)
			require.Empty(t, full.Unmodeled)
			rows = append(rows, fmt.Sprintf("%5d %3d %6d %6d %11d", T, L, full.Depth, quasi.Depth, seq.Depth))
		}
		t.Logf("%s, depth of one iteration vs the loop:\n%s", c.kind, strings.Join(rows, "\n"))
	}
}

// TestJacobianCost reports the work of one iteration, full against diagonal Jacobian, from the
// graph walk (B=1, T=256, D=8), and the sequential loop's for scale. Measured flops:
//
//	            H=8              H=32             H=64
//	rnn  DEER   4.25e5 (5.9x)    1.87e7 (27.5x)   1.41e8 (58.5x)
//	     quasi  9.44e4 (1.32x)   7.74e5 (1.14x)   2.60e6 (1.08x)
//	gru  DEER   7.05e5 (3.1x)    2.18e7 (10.4x)   1.52e8 (20.8x)
//	     quasi  2.87e5 (1.26x)   2.34e6 (1.12x)   7.85e6 (1.07x)
//
// (x: times the loop's flops). DEER's matrix scan does T-1 products of H x H matrices, 2H³
// flops each, plus the matrix-vector products and the O(T H²) Jacobian: its share grows like H.
// Quasi-DEER adds O(T H) to the evaluation of f, which the loop does too.
func TestJacobianCost(t *testing.T) {
	b := testBackend(t)
	const T = 256
	for _, kind := range []recurrent.Kind{recurrent.RNNTanh, recurrent.GRU} {
		prevRatio := 0.0
		for _, H := range []int{8, 32, 64} {
			cell := recurrent.Config{Kind: kind, InputSize: 8, HiddenSize: H, NumLayers: 1, DType: dtypes.Float32}
			full, err := IterationCost(b, cell, Config{Method: Full}, 1, T)
			require.NoError(t, err)
			quasi, err := IterationCost(b, cell, Config{Method: Quasi}, 1, T)
			require.NoError(t, err)
			seq, err := SequentialCost(b, cell, 1, T)
			require.NoError(t, err)
			matmuls := int64(2 * (T - 1) * H * H * H)
			require.GreaterOrEqual(t, full.Flops, matmuls, "the up-sweep's matrix products")
			require.Less(t, full.Flops, 2*matmuls+10*seq.Flops)
			require.Less(t, float64(quasi.Flops), 1.5*float64(seq.Flops))
			ratio := float64(full.Flops) / float64(quasi.Flops)
			require.Greater(t, ratio, prevRatio, "full/diagonal grows with H")
			prevRatio = ratio
			t.Logf("%s H=%2d: flops per iteration DEER %.3g (%.1fx loop), quasi %.3g (%.2fx loop), loop %.3g",
				kind, H, float64(full.Flops), float64(full.Flops)/float64(seq.Flops),
				float64(quasi.Flops), float64(quasi.Flops)/float64(seq.Flops), float64(seq.Flops))
		}
	}
}
