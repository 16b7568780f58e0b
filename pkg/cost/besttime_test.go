package cost

import (
	"testing"
	"time"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

func TestBestTimes(t *testing.T) {
	b := testBackend(t)
	x := tensors.FromFlatDataAndDimensions(make([]float32, 64*64), 64, 64)
	double := func(x *Node) *Node { return MulScalar(x, 2) }
	square := func(x *Node) *Node { return MatMul(x, x) }
	const repeats = 4
	start := time.Now()
	best, err := BestTimes(b, repeats, []any{x}, double, square)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// The fastest of the timed runs is positive, and no more than their mean: the 2·repeats
	// timed runs all happened within elapsed.
	if len(best) != 2 || !(best[0] > 0 && best[1] > 0) || (best[0]+best[1])*repeats > elapsed {
		t.Errorf("BestTimes = %v for %d timed runs each within %v", best, repeats, elapsed)
	}
	if _, err := BestTimes(b, 0, []any{x}, double); err == nil {
		t.Error("BestTimes accepted 0 timed runs")
	}
	if _, err := BestTimes(b, 1, []any{x, x}, double); err == nil {
		t.Error("BestTimes accepted two arguments for a function of one")
	}
}
