package bptt

import "math"

// Worst returns the largest differences over the rows of CheckGradients: autodiff against
// finite differences, and the hand-written adjoint against autodiff (−1 when no row has a
// hand-written gradient, HandVsAutodiff NaN).
func Worst(checks []GradCheck) (fd, hand float64) {
	hand = -1
	for _, c := range checks {
		fd = math.Max(fd, c.AutodiffVsFD)
		if !math.IsNaN(c.HandVsAutodiff) {
			hand = math.Max(hand, c.HandVsAutodiff)
		}
	}
	return fd, hand
}
