package scan_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/scan"
	"github.com/stretchr/testify/require"
)

// scanDepth builds scan(a, b) for [1, T, 4] inputs (forward, or forward+backward of sum(h·g))
// and returns the exact critical-path depth from pkg/cost's graph walk.
func scanDepth(t *testing.T, form scan.Func, T int, backward bool) int {
	b, _, err := backend.New()
	require.NoError(t, err)
	g := NewGraph(b, fmt.Sprintf("depth_T%d", T))
	s := shapes.Make(dtypes.Float32, 1, T, 4)
	a, bb, gg := Parameter(g, "a", s), Parameter(g, "b", s), Parameter(g, "g", s)
	h := form(a, bb, nil)
	outs := []*Node{h}
	if backward {
		outs = Gradient(ReduceAllSum(Mul(h, gg)), a, bb)
	}
	return cost.Walk(outs...).Depth
}

// TestScanDepth: the scans' depth is exactly bounded by c1·log2(T) + c0, the loop's grows like
// T, and at T = 4096 the loop's depth is more than 40x the Blelloch scan's.
func TestScanDepth(t *testing.T) {
	// Stated constants: the up-sweep and the down-sweep each take log2(T) levels of one combine,
	// (a2·a1, a2·b1 + b2): a multiply then an add, 2 dependent ops per level. Measured: exactly
	// 4·log2(T) - 2 for powers of two; the bound allows for padding of other lengths.
	const c1, c0 = 4, 2
	for _, T := range []int{16, 64, 256, 1024, 4096} {
		d := scanDepth(t, scan.Blelloch, T, false)
		bound := c1*int(math.Ceil(math.Log2(float64(T)))) + c0
		t.Logf("T=%5d: blelloch depth %d (bound %d·log2 T + %d = %d)", T, d, c1, c0, bound)
		require.LessOrEqual(t, d, bound, "T=%d", T)
		require.Equal(t, 4*int(math.Log2(float64(T)))-2, d, "T=%d: exact depth of Blelloch for a power of two", T)
	}
	loop, blel := scanDepth(t, scan.Sequential, 4096, false), scanDepth(t, scan.Blelloch, 4096, false)
	t.Logf("T=4096 forward: loop depth %d, blelloch %d, ratio %.0fx", loop, blel, float64(loop)/float64(blel))
	require.GreaterOrEqual(t, loop, 40*blel)
	require.Equal(t, 2*4096, loop, "the loop's depth is 2T: a multiply and an add per step")
}
