package cost

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// FitLine is the ordinary least-squares line y ≈ slope·x + intercept and its coefficient of
// determination R². With fewer than 2 points, or all x equal, it returns NaNs.
func FitLine(xs, ys []float64) (slope, intercept, r2 float64) {
	n := len(xs)
	if n != len(ys) || n < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxy += (xs[i] - mx) * (ys[i] - my)
	}
	if sxx == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	slope = sxy / sxx
	intercept = my - slope*mx
	pred := make([]float64, n)
	for i := range xs {
		pred[i] = slope*xs[i] + intercept
	}
	return slope, intercept, rSquared(ys, pred)
}

// PerStep fits median time against T over rows (of one model, mode and batch, e.g. from
// Table.Select) and returns the cost of one more time step in milliseconds, the fixed cost
// (intercept) and R². For a recurrent model R² near 1 says the time is linear in T.
func PerStep(rows []Row) (msPerStep, interceptMS, r2 float64) {
	var xs, ys []float64
	for _, r := range rows {
		xs = append(xs, float64(r.T))
		ys = append(ys, r.MedianMS)
	}
	return FitLine(xs, ys)
}

// StepFlops is the work that one more time step adds to a model's graph at shape s:
// Flops(T+1) - Flops(T) in the given mode. For the recurrent cells it does not depend on T and
// is the arithmetic of one step (hidden matmuls, gates, and that step's share of the input
// projection, readout and loss).
func StepFlops(b compute.Backend, m Model, mode Pass, s Shape) (int64, error) {
	var w [2]int64
	for i := range 2 {
		s2 := s
		s2.T += i
		built, err := BuildGraph(b, m, mode, s2)
		if err != nil {
			return 0, err
		}
		w[i] = Walk(built.Outputs...).Flops
		built.Graph.Finalize()
	}
	return w[1] - w[0], nil
}

// MatmulGFLOPS measures the peak matmul throughput of a backend: the median over repeats of one
// float32 DotGeneral [n, n] × [n, n] (contraction on the last axis of both operands, the fast
// layout), 2n³ flops, after one warm-up run. n = 1024 takes a fraction of a second per run on a
// 2-core CPU.
func MatmulGFLOPS(b compute.Backend, n, repeats int) (gflops float64, err error) {
	if n <= 0 || repeats <= 0 {
		return 0, fmt.Errorf("cost: matmul size and repeats must be >= 1, got n=%d, repeats=%d", n, repeats)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cost: matmul benchmark failed: %v", r)
		}
	}()
	g := NewGraph(b, fmt.Sprintf("matmul_%d", n))
	defer g.Finalize()
	sh := shapes.Make(dtypes.Float32, n, n)
	x, y := Parameter(g, "x", sh), Parameter(g, "y", sh)
	if err := g.Compile(DotGeneral(x, []int{1}, nil, y, []int{1}, nil)); err != nil {
		return 0, err
	}
	in := make([]float32, n*n)
	for i := range in {
		in[i] = float32(i%7)/7 - 0.5
	}
	xt, yt := tensors.FromFlatDataAndDimensions(in, n, n), tensors.FromFlatDataAndDimensions(in, n, n)
	defer func() { _, _ = xt.FinalizeAll(), yt.FinalizeAll() }()
	run := func() time.Duration {
		start := time.Now()
		out := g.Run(xt, yt)
		out[0].MustConstFlatData(func(any) {}) // the result is on the host: the run has finished
		d := time.Since(start)
		_ = out[0].FinalizeAll()
		return d
	}
	run()
	times := make([]time.Duration, repeats)
	for i := range times {
		times[i] = run()
	}
	slices.Sort(times)
	med := times[repeats/2]
	return 2 * math.Pow(float64(n), 3) / med.Seconds() / 1e9, nil
}

// ArithmeticFloor is the time that flops of arithmetic take at a throughput of gflops GFLOP/s:
// the floor below which no implementation on that machine can go, e.g. for one recurrent step
// (StepFlops) at the peak matmul rate (MatmulGFLOPS).
func ArithmeticFloor(flops int64, gflops float64) time.Duration {
	if gflops <= 0 {
		return 0
	}
	return time.Duration(float64(flops) / (gflops * 1e9) * 1e9)
}

// Crossing is where the times of two models cross as T grows.
type Crossing struct {
	T           float64 // interpolated length where the times are equal (log-log between samples)
	Lo, Hi      int     // the measured lengths on either side
	FasterAbove string  // the model that is faster for T > Crossing.T
}

// Crossover finds where the median times of a parallel and a recurrent model (same mode and
// batch) cross: the first pair of consecutive common lengths T where the faster model changes,
// interpolated linearly in log T against log(time ratio). ok is false when one model is faster
// at every common length (then c.FasterAbove names it, c.T is NaN and Lo, Hi span the common
// lengths) or when no length is common (c is zero). On a GPU the parallel model is
// expected to be faster above the crossing; on a 2-core CPU it can be the other way round.
func Crossover(t *Table, parallel, recurrent string, mode Pass, B int) (c Crossing, ok bool) {
	rec := map[int]float64{}
	for _, r := range t.Select(recurrent, mode, B) {
		rec[r.T] = r.MedianMS
	}
	var Ts, logRatio []float64
	for _, r := range t.Select(parallel, mode, B) {
		if m, found := rec[r.T]; found && m > 0 && r.MedianMS > 0 {
			if len(Ts) > 0 && Ts[len(Ts)-1] == float64(r.T) {
				continue
			}
			Ts = append(Ts, float64(r.T))
			logRatio = append(logRatio, math.Log(r.MedianMS/m))
		}
	}
	for i := 1; i < len(Ts); i++ {
		a, b := logRatio[i-1], logRatio[i]
		if (a < 0) == (b < 0) {
			continue
		}
		la, lb := math.Log(Ts[i-1]), math.Log(Ts[i])
		x := la + (0-a)*(lb-la)/(b-a)
		c = Crossing{T: math.Exp(x), Lo: int(Ts[i-1]), Hi: int(Ts[i]), FasterAbove: recurrent}
		if b < 0 {
			c.FasterAbove = parallel
		}
		return c, true
	}
	if len(Ts) == 0 {
		return Crossing{}, false
	}
	c = Crossing{T: math.NaN(), Lo: int(Ts[0]), Hi: int(Ts[len(Ts)-1]), FasterAbove: recurrent}
	if logRatio[0] < 0 {
		c.FasterAbove = parallel
	}
	return c, false
}
