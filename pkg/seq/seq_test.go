package seq

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/require"

	"github.com/rnn-course/bottleneck/internal/testutil"
)

// Shared test helpers (internal/testutil).
var (
	testBackend = testutil.Backend
	randTensor  = testutil.RandNormal
	flat64      = testutil.Flat64
	relErr      = testutil.RelErr
)

// TestSplitTimeMatchesSlicing checks that the linear-cost SplitTime/StackTime give the same
// values and gradients as plain slicing and stacking, for short and two-level (long) sequences.
func TestSplitTimeMatchesSlicing(t *testing.T) {
	b := testBackend(t)
	for _, T := range []int{1, 5, 64, 65, 150} {
		t.Run(fmt.Sprint("T=", T), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, uint64(T)))
			x := randTensor(rng, dtypes.Float64, 1, 2, T, 3)
			w := randTensor(rng, dtypes.Float64, 1, 2, T, 3)
			build := func(linear bool) func(x, w *Node) []*Node {
				return func(x, w *Node) []*Node {
					var steps []*Node
					if linear {
						steps = SplitTime(x, 1)
					} else {
						for t := range T {
							steps = append(steps, Squeeze(SliceAxis(x, 1, AxisElem(t)), 1))
						}
					}
					// A non-linear per-step function so that each step's gradient differs.
					for t := range steps {
						steps[t] = MulScalar(Tanh(steps[t]), float64(t+1))
					}
					var y *Node
					if linear {
						y = StackTime(steps, 1)
					} else {
						y = Stack(steps, 1)
					}
					loss := ReduceAllSum(Mul(y, w))
					return append([]*Node{y}, Gradient(loss, x)...)
				}
			}
			lin, err := NewExec(b, build(true))
			require.NoError(t, err)
			ref, err := NewExec(b, build(false))
			require.NoError(t, err)
			a, err := lin.Call(x, w)
			require.NoError(t, err)
			r, err := ref.Call(x, w)
			require.NoError(t, err)
			require.Less(t, relErr(flat64(a[0]), flat64(r[0])), 1e-15)
			require.Less(t, relErr(flat64(a[1]), flat64(r[1])), 1e-15)
		})
	}
}

// TestSplitTimeUnusedSteps: steps that nothing uses get a zero gradient (short and two-level).
func TestSplitTimeUnusedSteps(t *testing.T) {
	b := testBackend(t)
	for _, T := range []int{5, 100} {
		x := tensors.FromFlatDataAndDimensions(make([]float64, 2*T*3), 2, T, 3)
		g, err := ExecOnce(b, func(x *Node) *Node {
			steps := SplitTime(x, 1)
			return Gradient(ReduceAllSum(Square(steps[1])), x)[0] // only step 1 is used
		}, x)
		require.NoError(t, err, "T=%d", T)
		require.Equal(t, x.Shape().Dimensions, g.Shape().Dimensions)
	}
}

// TestShiftTime checks ShiftTime against its definition, element t = x_{t-d} and fill before,
// for d = 0, inside the sequence and beyond it.
func TestShiftTime(t *testing.T) {
	b := testBackend(t)
	const B, T, F = 2, 5, 3
	rng := rand.New(rand.NewPCG(1, 2))
	x := randTensor(rng, dtypes.Float64, 1, B, T, F)
	xs := flat64(x)
	for _, d := range []int{0, 1, 3, 5, 7} {
		y, err := ExecOnce(b, func(x *Node) *Node { return ShiftTime(x, d, 0.5) }, x)
		require.NoError(t, err, "d=%d", d)
		require.Equal(t, []int{B, T, F}, y.Shape().Dimensions, "d=%d", d)
		ys := flat64(y)
		for i := range B {
			for s := range T {
				for f := range F {
					want := 0.5
					if s >= d {
						want = xs[(i*T+s-d)*F+f]
					}
					require.Equal(t, want, ys[(i*T+s)*F+f], "d=%d b=%d t=%d f=%d", d, i, s, f)
				}
			}
		}
	}
}
