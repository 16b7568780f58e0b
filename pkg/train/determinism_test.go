package train

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// straightRun trains steps batches without interruption and returns the history and the final
// parameters: the reference that resumed runs must match bit for bit.
func straightRun(t *testing.T, modelSeed, dataSeed uint64, steps int) (*History, [][]float32) {
	tr, cfg := loopTrainer(t, modelSeed, dataSeed, steps)
	h, err := tr.Run(context.Background(), cfg)
	require.NoError(t, err)
	return h, flatParams(tr)
}

// TestDeterminism: with the same seeds (model initialisation and data), backend and inputs, two
// runs give bit-identical loss trajectories and final weights; changing either seed changes both.
func TestDeterminism(t *testing.T) {
	const steps = 12
	h1, p1 := straightRun(t, 1, 2, steps)
	h2, p2 := straightRun(t, 1, 2, steps)
	requireSameBits(t, h1, h2, p1, p2)

	differ := func(name string, h *History, p [][]float32) {
		t.Helper()
		sameLoss := 0
		for i := range h1.Loss {
			if math.Float64bits(h1.Loss[i]) == math.Float64bits(h.Loss[i]) {
				sameLoss++
			}
		}
		require.Zero(t, sameLoss, "%s: %d of %d losses unchanged", name, sameLoss, steps)
		require.NotEqual(t, p1, p, "%s: same final weights", name)
	}
	hm, pm := straightRun(t, 3, 2, steps)
	differ("another model seed", hm, pm)
	hd, pd := straightRun(t, 1, 5, steps)
	differ("another data seed", hd, pd)
}
