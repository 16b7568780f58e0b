package cost

import (
	"fmt"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
)

// BestTimes compiles each graph function of fs once for args, runs it once untimed (compilation
// and warm-up), then returns, per function, the fastest of repeats timed runs: the time of the
// computation alone, the run least disturbed by other work on the machine.
func BestTimes[F ExecGraphFn](b compute.Backend, repeats int, args []any, fs ...F) ([]time.Duration, error) {
	if repeats < 1 {
		return nil, fmt.Errorf("cost: BestTimes needs 1 timed run or more, got %d", repeats)
	}
	out := make([]time.Duration, len(fs))
	for i, f := range fs {
		d, err := bestTime(b, f, repeats, args)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

func bestTime[F ExecGraphFn](b compute.Backend, f F, repeats int, args []any) (time.Duration, error) {
	exec, err := NewExec(b, f)
	if err != nil {
		return 0, err
	}
	defer exec.Finalize()
	if _, err := exec.Exec(args...); err != nil {
		return 0, err
	}
	best := time.Duration(1<<63 - 1)
	for range repeats {
		start := time.Now()
		res, err := exec.Exec(args...)
		best = min(best, time.Since(start))
		if err != nil {
			return 0, err
		}
		for _, t := range res {
			t.FinalizeAll()
		}
	}
	return best, nil
}
