package graphwalk

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/rnn-course/bottleneck/internal/testutil"
	"github.com/stretchr/testify/assert"
)

// TestWalkDotGeneral: the work of a DotGeneral [M,K] x [K,N] is 2MKN exactly, with and without a
// batch axis, whichever axis is contracted. It also guards the parsing of the contracting axes
// from GoMLX's node description (GoMLX does not export them).
func TestWalkDotGeneral(t *testing.T) {
	b := testutil.Backend(t)
	const M, K, N, Bt = 5, 7, 3, 4
	g := NewGraph(b, "dot")
	lhs := Parameter(g, "lhs", shapes.Make(dtypes.Float32, M, K))
	rhs := Parameter(g, "rhs", shapes.Make(dtypes.Float32, K, N))
	dot := DotGeneral(lhs, []int{1}, nil, rhs, []int{0}, nil) // [M, N]
	st := Walk(dot)
	assert.Equal(t, int64(2*M*K*N), st.Flops)
	assert.Equal(t, 3, st.Nodes)
	assert.Equal(t, 1, st.Depth)
	assert.Equal(t, map[string]int{"Parameter": 2, "DotGeneral": 1}, st.ByType)

	lhsB := Parameter(g, "lhsB", shapes.Make(dtypes.Float32, Bt, M, K))
	rhsB := Parameter(g, "rhsB", shapes.Make(dtypes.Float32, Bt, N, K))
	dotB := DotGeneral(lhsB, []int{2}, []int{0}, rhsB, []int{2}, []int{0}) // [Bt, M, N]
	assert.Equal(t, int64(2*Bt*M*K*N), Walk(dotB).Flops)

	// A chain of dependent ops: depth counts arithmetic nodes, not reshapes or data movement.
	y := Tanh(Add(dot, dot))             // depth 3
	y = Reshape(Transpose(y, 0, 1), N*M) // data movement and a view: still 3
	st = Walk(y)
	assert.Equal(t, 3, st.Depth)
	assert.Equal(t, 4, st.KernelDepth)
	assert.Equal(t, int64(2*M*K*N+2*M*N), st.Flops)
	assert.Equal(t, int64(M*N), st.Transcendentals)
	assert.Equal(t, int64(4*M*N), st.BytesMoved) // the transpose's float32 output
}
