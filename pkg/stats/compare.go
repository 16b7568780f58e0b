package stats

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Verdict compares two samples of runs, a and b (for example the final loss of n training runs of
// two models): a's mean against b's at two combined standard errors (Compare with k = 2), and,
// run by run, how often a[i] < b[i] for the pairs i < min(len(a), len(b)). Run i of both samples
// is paired when it shares its seed (same data, same batch order); for unpaired samples the
// counts are still printed but mean less.
type Verdict struct {
	A, B   Summary
	Order  Order // A's mean against B's: Below, Above, or NotSeparated within 2 combined SE
	Lower  int   // pairs with a[i] < b[i]
	Higher int   // pairs with a[i] > b[i]
	Pairs  int   // min(len(a), len(b))
}

// Versus compares the samples a and b. Each needs at least two finite values (one value has no
// spread, and a comparison without one would not be a verdict).
func Versus(a, b []float64) (Verdict, error) {
	if len(a) < 2 || len(b) < 2 {
		return Verdict{}, fmt.Errorf("stats.Versus: %d and %d values; want at least 2 runs of each to compare", len(a), len(b))
	}
	sa, err := Summarize(a)
	if err != nil {
		return Verdict{}, err
	}
	sb, err := Summarize(b)
	if err != nil {
		return Verdict{}, err
	}
	v := Verdict{A: sa, B: sb, Order: Compare(sa, sb, 2)}
	v.Lower, v.Pairs = CountBelow(a, b)
	v.Higher, _ = CountBelow(b, a)
	return v, nil
}

// MustVersus is Versus for samples known to be valid; it panics otherwise.
func MustVersus(a, b []float64) Verdict {
	v, err := Versus(a, b)
	if err != nil {
		panic(err)
	}
	return v
}

// Sentence states the verdict in the learner's language, naming the two samples nameA and nameB
// and the quantity compared (what, e.g. "held-out perplexity"): "the lstm's held-out perplexity
// is lower than the rnn_tanh's by more than two standard errors (lower in 5 of 5 paired runs)",
// or, when the means are within two standard errors, "these 5 runs do not separate …".
func (v Verdict) Sentence(nameA, nameB, what string) string {
	switch v.Order {
	case Below:
		return lang.Sprintf("the %s's %s is lower than the %s's by more than two standard errors (lower in %d of %d paired runs)", nameA, what, nameB, v.Lower, v.Pairs)
	case Above:
		return lang.Sprintf("the %s's %s is higher than the %s's by more than two standard errors (higher in %d of %d paired runs)", nameA, what, nameB, v.Higher, v.Pairs)
	}
	return lang.Sprintf("these %d runs do not separate the %s and the %s (%s): the means are within two standard errors (the %s is lower in %d of %d paired runs)", v.Pairs, nameA, nameB, what, nameA, v.Lower, v.Pairs)
}

// Pairwise compares every later sample with every earlier one, in the order of names: (1, 0),
// (2, 0), (2, 1), (3, 0), …, and returns one Sentence each: "the lstm's … than the rnn_tanh's".
func Pairwise[K ~string](names []K, samples map[K][]float64, what string) ([]string, error) {
	var out []string
	for i := 1; i < len(names); i++ {
		for j := range i {
			v, err := Versus(samples[names[i]], samples[names[j]])
			if err != nil {
				return nil, fmt.Errorf("stats.Pairwise: %s against %s: %w", names[i], names[j], err)
			}
			out = append(out, v.Sentence(string(names[i]), string(names[j]), what))
		}
	}
	return out, nil
}

// Rows returns a table row per name (in that order): the name, its runs' mean ± SE and
// lowest – highest with prec decimals, then one LineVerdict column per line.
func Rows[K ~string](names []K, samples map[K][]float64, prec int, lines ...float64) ([][]any, error) {
	var rows [][]any
	for _, name := range names {
		s, err := Summarize(samples[name])
		if err != nil {
			return nil, fmt.Errorf("stats.Rows: %s: %w", name, err)
		}
		row := []any{name, s.MeanSE(prec), s.Range(prec)}
		for _, line := range lines {
			v, err := LineVerdict(samples[name], line)
			if err != nil {
				return nil, err
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// LineVerdict says whether the runs xs end below a fixed line (a baseline) by more than two
// standard errors of their mean ("yes"), above it by more ("no"), or too close to tell ("not
// separated"), with the number of single runs below it: "yes (5 of 5 runs below)".
func LineVerdict(xs []float64, line float64) (string, error) {
	s, err := Summarize(xs)
	if err != nil {
		return "", err
	}
	k := 0
	for _, x := range xs {
		if x < line {
			k++
		}
	}
	verdict := lang.T("not separated")
	switch s.CompareLine(line, 2) {
	case Below:
		verdict = lang.T("yes")
	case Above:
		verdict = lang.T("no")
	}
	return lang.Sprintf("%s (%d of %d runs below)", verdict, k, len(xs)), nil
}

// MeanSE formats the summary as a table cell "mean ± SE" with prec decimals.
func (s Summary) MeanSE(prec int) string {
	return fmt.Sprintf("%.*f ± %.*f", prec, s.Mean, prec, s.SE)
}

// Range formats the summary's lowest and highest value as a table cell "min – max".
func (s Summary) Range(prec int) string {
	return fmt.Sprintf("%.*f – %.*f", prec, s.Min, prec, s.Max)
}
