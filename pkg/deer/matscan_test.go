package deer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"
)

// refMatrixScan is the loop h_t = A_t h_{t-1} + b_t on host slices (A [B,T,H,H], b [B,T,H]).
func refMatrixScan(A, b, h0 []float64, B, T, H int) []float64 {
	out := make([]float64, B*T*H)
	for bi := range B {
		h := make([]float64, H)
		if h0 != nil {
			copy(h, h0[bi*H:(bi+1)*H])
		}
		for t := range T {
			next := make([]float64, H)
			for i := range H {
				v := b[(bi*T+t)*H+i]
				for j := range H {
					v += A[((bi*T+t)*H+i)*H+j] * h[j]
				}
				next[i] = v
			}
			h = next
			copy(out[(bi*T+t)*H:], h)
		}
	}
	return out
}

// TestMatrixScanMatchesLoop checks the odd-even matrix scan against the loop for lengths that
// are powers of two, odd, and one more or less than a power of two, with and without h0.
func TestMatrixScanMatchesLoop(t *testing.T) {
	b := testBackend(t)
	const B, H = 2, 3
	withH0, err := NewExec(b, func(A, bv, h0 *Node) *Node { return MatrixScan(A, bv, h0) })
	require.NoError(t, err)
	noH0, err := NewExec(b, func(A, bv *Node) *Node { return MatrixScan(A, bv, nil) })
	require.NoError(t, err)
	for _, T := range []int{1, 2, 3, 4, 5, 7, 8, 13, 31, 33, 64} {
		for _, h0 := range []bool{false, true} {
			t.Run(fmt.Sprintf("T=%d/h0=%v", T, h0), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(T), 5))
				// Entries of scale 0.5/sqrt(H) keep the products bounded.
				A := randTensor(rng, dtypes.Float64, 0.5/math.Sqrt(H), B, T, H, H)
				bv := randTensor(rng, dtypes.Float64, 1, B, T, H)
				var out []*tensors.Tensor
				var h0f []float64
				if h0 {
					h0t := randTensor(rng, dtypes.Float64, 1, B, H)
					h0f = flat64(h0t)
					out, err = withH0.Call(A, bv, h0t)
				} else {
					out, err = noH0.Call(A, bv)
				}
				require.NoError(t, err)
				want := refMatrixScan(flat64(A), flat64(bv), h0f, B, T, H)
				got := flat64(out[0])
				for i := range want {
					require.InDelta(t, want[i], got[i], 1e-13, "element %d", i)
				}
			})
		}
	}
}
