package deer

import (
	"context"
	"math"
	"slices"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// UnitRoundoff is float64's unit roundoff u = 2⁻⁵³.
const UnitRoundoff = 0x1p-53

// LoopGap compares DEER's converged answer with the sequential loop's, step by step, beside the
// trajectory's condition number (Conditioning): two computations that round differently can
// differ by up to about (R + u)·κ_t, R the residual of DEER's answer.
type LoopGap struct {
	Gap      []float64 // Gap[t] = max over the batch and the units of |h_{t+1}(DEER) − h_{t+1}(loop)|
	Kappa    []float64 // κ_t of the loop's trajectory, same indexing
	Residual float64   // R = max_t |h_t − f(h_{t−1}, x_t)| of DEER's answer
	Agree    int       // the leading steps on which the two agree to 1e-8
	Worst    int       // the index of the largest gap
}

// CompareWithLoop solves the problem with full DEER (iterates clipped, tolerance 1e-10) and
// compares its answer with the loop's. It checks what the bound guarantees and returns an error,
// in the edition's language, when it does not hold: the residual below 64u, and the gap below
// 16 (R + u) κ_t at every step.
func CompareWithLoop(ctx context.Context, b compute.Backend, w *recurrent.Weights, x *tensors.Tensor) (*LoopGap, error) {
	res, err := Solve(ctx, b, Config{Method: Full, Clip: true}, w, x, nil, Options{Tol: 1e-10, DivergenceFactor: -1})
	if err != nil {
		return nil, err
	}
	truth, err := Sequential(b, w, x, nil)
	if err != nil {
		return nil, err
	}
	kappa, err := Conditioning(w, truth)
	if err != nil {
		return nil, err
	}
	got, want := tensors.MustCopyFlatData[float64](res.H), tensors.MustCopyFlatData[float64](truth) // [B, T, H]
	dims := truth.Shape().Dimensions
	B, T, H := dims[0], dims[1], dims[2]
	g := &LoopGap{Gap: make([]float64, T), Kappa: kappa, Residual: res.Residual(), Agree: T}
	u := UnitRoundoff
	if !(g.Residual < 64*u) {
		return g, lang.Errorf("DEER's answer satisfies the recurrence only to %.2g, above 64u = %.2g", g.Residual, 64*u)
	}
	for t := range T {
		for bi := range B {
			for j := range H {
				i := (bi*T+t)*H + j
				g.Gap[t] = math.Max(g.Gap[t], math.Abs(got[i]-want[i]))
			}
		}
		if bound := 16 * (g.Residual + u) * kappa[t]; !(g.Gap[t] <= bound) {
			return g, lang.Errorf("step %d: DEER and the loop differ by %.2g, above the rounding bound 16(R+u)κ_t = %.2g", t+1, g.Gap[t], bound)
		}
		if g.Gap[t] > 1e-8 && g.Agree == T {
			g.Agree = t
		}
		if g.Gap[t] > g.Gap[g.Worst] {
			g.Worst = t
		}
	}
	return g, nil
}

// Plot returns the curves of a figure: the steps 1 … T, the gaps (0 plotted at 1e-17 on a log
// axis) and u·κ_t capped at limit; capped says whether the cap cut the line.
func (g *LoopGap) Plot(limit float64) (steps, gap, floor []float64, capped bool) {
	for t := range g.Gap {
		steps = append(steps, float64(t+1))
		gap = append(gap, math.Max(g.Gap[t], 1e-17))
		f := UnitRoundoff * g.Kappa[t]
		if f > limit {
			f, capped = limit, true
		}
		floor = append(floor, f)
	}
	return steps, gap, floor, capped
}

// MaxKappa is the largest κ_t over the trajectory.
func (g *LoopGap) MaxKappa() float64 { return slices.Max(g.Kappa) }

// Describe says, in the edition's language, what the comparison found for the problem named
// name: for a contractive one, the largest κ_t and the largest gap; otherwise how far κ_t grows,
// the residual, on how many leading steps the two agree to 1e-8, and the largest gap beside u·κ_t
// at that step.
func (g *LoopGap) Describe(name string, contractive bool) string {
	T, worst := len(g.Gap), g.Gap[g.Worst]
	if contractive {
		return lang.Sprintf("**%s:** κₜ never exceeds %.1f, and DEER agrees with the loop to %.0e at every step.",
			name, g.MaxKappa(), math.Max(worst, 1e-17))
	}
	agreement := lang.Sprintf("on the first %d steps", g.Agree)
	if g.Agree == T {
		agreement = lang.Sprintf("on all %d steps", T)
	}
	return lang.Sprintf("**%s:** κₜ grows from 1 at step 1 to %.0e at step %d. DEER's answer satisfies the recurrence to %.0e; "+
		"it agrees with the loop to 1e-8 %s and differs from it most at step %d, by %.0e, where u·κₜ = %.0e.",
		name, g.Kappa[T-1], T, g.Residual, agreement, g.Worst+1, worst, UnitRoundoff*g.Kappa[g.Worst])
}
