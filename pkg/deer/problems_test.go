package deer

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var problemSeeds = Seeds{11, 12, 13}

func TestDrawScalesAnOrthogonalMatrix(t *testing.T) {
	w, x, err := Draw(0.5, 16, 2, problemSeeds)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 16, 3}, x.Shape().Dimensions)
	// W_hh = ρ Q with Q orthogonal: W_hhᵀ W_hh = ρ² I.
	whh := tensors.MustCopyFlatData[float64](w.Tensors[1])
	H := 8
	require.Len(t, whh, H*H)
	for i := range H {
		for j := range H {
			s := 0.0
			for k := range H {
				s += whh[k*H+i] * whh[k*H+j]
			}
			want := 0.0
			if i == j {
				want = 0.25
			}
			assert.InDelta(t, want, s, 1e-12)
		}
	}
	// The same draw from the same seeds; another draw differs.
	_, x2, _ := Draw(0.5, 16, 2, problemSeeds)
	_, x3, _ := Draw(0.5, 16, 3, problemSeeds)
	assert.Equal(t, tensors.MustCopyFlatData[float64](x), tensors.MustCopyFlatData[float64](x2))
	assert.NotEqual(t, tensors.MustCopyFlatData[float64](x), tensors.MustCopyFlatData[float64](x3))
}

func TestProblemAndErrorCurve(t *testing.T) {
	b := testBackend(t)
	const T = 32
	regimes := Regimes()
	require.Len(t, regimes, 2)
	for _, r := range regimes {
		w, x, err := Problem(b, r.Rho, T, problemSeeds)
		require.NoError(t, err)
		truth, err := Sequential(b, w, x, nil)
		require.NoError(t, err)
		kappa, err := Conditioning(w, truth)
		require.NoError(t, err)
		c := ErrorCurve(context.Background(), b, Full, w, x)
		require.NotZero(t, c.Iterations, c.Status)
		assert.Equal(t, "converged", c.Status)
		assert.Equal(t, c.Iterations+1, len(c.K)) // iterates 0 … Iterations
		assert.Less(t, c.Err[len(c.Err)-1], 1e-6)
		if r.Rho < 1 {
			assert.Less(t, kappa[T-1], 10.0)
			assert.LessOrEqual(t, c.Iterations, 10) // a handful for a contractive problem
			continue
		}
		assert.Greater(t, kappa[T-1], ChaoticKappa)
		// Newton's guarantee: at most T + 1 iterations (T make every step exact, one more sees it).
		assert.LessOrEqual(t, c.Iterations, T+2)
	}
}

func TestCompareWithLoop(t *testing.T) {
	b := testBackend(t)
	const T = 32
	w, x, err := Problem(b, 0.5, T, problemSeeds)
	require.NoError(t, err)
	g, err := CompareWithLoop(context.Background(), b, w, x)
	require.NoError(t, err)
	require.Len(t, g.Gap, T)
	assert.Equal(t, T, g.Agree)
	assert.Less(t, g.Residual, 64*UnitRoundoff)
	for tt := range T {
		assert.LessOrEqual(t, g.Gap[tt], g.Gap[g.Worst])
		assert.Less(t, g.Gap[tt], 1e-12)
	}
	s := g.Describe("contractive", true)
	assert.True(t, strings.HasPrefix(s, "**contractive:** κₜ never exceeds "), s)
}

func TestLoopGapPlotAndDescribe(t *testing.T) {
	g := &LoopGap{Gap: []float64{0, 1e-14, 1e-9, 1e-6}, Kappa: []float64{1, 1e3, 1e15, 1e20}, Residual: 1e-16, Agree: 2, Worst: 3}
	steps, gap, floor, capped := g.Plot(2)
	assert.Equal(t, []float64{1, 2, 3, 4}, steps)
	assert.Equal(t, []float64{1e-17, 1e-14, 1e-9, 1e-6}, gap)
	assert.InDelta(t, UnitRoundoff*1e3, floor[1], 1e-25)
	assert.Equal(t, 2.0, floor[3]) // u·1e20 ≈ 1.1e4, capped
	assert.True(t, capped)
	assert.Equal(t, 1e20, g.MaxKappa())
	assert.Equal(t, "**chaotic:** κₜ grows from 1 at step 1 to 1e+20 at step 4. DEER's answer satisfies the recurrence to 1e-16; "+
		"it agrees with the loop to 1e-8 on the first 2 steps and differs from it most at step 4, by 1e-06, where u·κₜ = 1e+04.",
		g.Describe("chaotic", false))
	assert.False(t, math.IsNaN(floor[0]))
}

func TestCostTable(t *testing.T) {
	h, rows, ratio, err := CostTable(testBackend(t), []int{4, 8}, 16)
	require.NoError(t, err)
	require.Len(t, rows, 4) // two widths, two methods
	assert.Len(t, h, len(rows[0]))
	// Full DEER's Jacobian products cost O(H³) per step, quasi-DEER's diagonal O(H): full costs
	// more, and its share grows with H.
	assert.Greater(t, ratio["deer/8"], ratio["quasi/8"])
	assert.Greater(t, ratio["deer/8"], ratio["deer/4"])
	for _, r := range rows {
		assert.Less(t, r[4].(int), r[5].(int)) // an iteration is shallower than the loop
	}
}
