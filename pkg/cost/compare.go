package cost

import "github.com/rnn-course/bottleneck/pkg/lang"

// Comparisons of two models' rows in a sweep's table, as the notebooks state them: at the longest
// length both were measured at, and between the smallest and the largest batch.

// LongestCommon returns the longest length T at which models a and b both have a row of the given
// pass and batch B (B = 0: any batch), and those rows. ok is false when they share no length.
func LongestCommon(t *Table, a, b string, mode Pass, B int) (T int, ra, rb Row, ok bool) {
	for _, x := range t.Select(a, mode, B) {
		for _, y := range t.Select(b, mode, B) {
			if x.T == y.T && x.B == y.B && x.T >= T {
				T, ra, rb, ok = x.T, x, y, true
			}
		}
	}
	return T, ra, rb, ok
}

// TimeRatio is the median time of a over the median time of b at LongestCommon: how many times
// longer a took at the longest length both were measured at. It returns 0, 0 when they share no
// length.
func TimeRatio(t *Table, a, b string, mode Pass, B int) (ratio float64, T int) {
	T, ra, rb, ok := LongestCommon(t, a, b, mode, B)
	if !ok || rb.MedianMS <= 0 {
		return 0, 0
	}
	return ra.MedianMS / rb.MedianMS, T
}

// BatchRange returns a model's rows of the given pass at length T with the smallest and the
// largest batch; ok is false unless there are two different batches.
func BatchRange(t *Table, model string, mode Pass, T int) (small, large Row, ok bool) {
	for _, r := range t.Select(model, mode, 0) {
		if r.T != T {
			continue
		}
		if small.B == 0 || r.B < small.B {
			small = r
		}
		if r.B > large.B {
			large = r
		}
	}
	return small, large, small.B > 0 && large.B > small.B
}

// DescribeCrossover is a line saying where the median times of a parallel and a recurrent
// model cross in t (Crossover), or which one is faster throughout, prefixed with source (e.g.
// "CPU measured"), in the edition's language.
func DescribeCrossover(t *Table, source, parallel, recurrent string, mode Pass, B int) string {
	c, ok := Crossover(t, parallel, recurrent, mode, B)
	switch {
	case ok:
		return lang.Sprintf("%-12s %-9s vs %s: times cross at T ≈ %.0f (between %d and %d); %s is faster above\n",
			source, parallel, recurrent, c.T, c.Lo, c.Hi, c.FasterAbove)
	case c.FasterAbove != "":
		return lang.Sprintf("%-12s %-9s vs %s: no crossing between T = %d and %d; %s is faster throughout\n",
			source, parallel, recurrent, c.Lo, c.Hi, c.FasterAbove)
	default:
		return lang.Sprintf("%-12s %-9s vs %s: no common lengths measured\n", source, parallel, recurrent)
	}
}

// ModelsNamed returns the models with the given names (ModelByName), in that order.
func ModelsNamed(names ...string) ([]Model, error) {
	out := make([]Model, 0, len(names))
	for _, name := range names {
		m, err := ModelByName(name)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// BestGFLOPS is the throughput of a row's fastest run: its exact work over MinMS, in GFLOP/s.
// On a shared machine it is the estimate least disturbed by other work (GFLOPS uses the median).
func (r Row) BestGFLOPS() float64 {
	if r.MinMS <= 0 {
		return 0
	}
	return float64(r.Flops) / (r.MinMS * 1e6)
}
