// Package stats summarises repeated measurements the way the course states them: a mean with its
// standard error, "0.170 ± 0.010 (n = 5)", and a comparison that is made only when the difference
// is larger than its uncertainty.
//
// For n values x_1 … x_n with mean m, the sample standard deviation is
//
//	s = sqrt( Σ (x_i − m)² / (n − 1) ),
//
// and the standard error of the mean is SE = s / √n. Two independent means a and b are told apart
// at k standard errors when |a − b| > k · sqrt(SE_a² + SE_b²) (k = 2 is the course's default:
// about a 95% two-sided interval for a normal error). A value is told apart from a fixed line y
// when |m − y| > k · SE.
package stats

import (
	"fmt"
	"math"
)

// Summary is the mean of N values with its sample standard deviation and standard error. With
// N = 1 the spread is unknown: SD and SE are NaN.
type Summary struct {
	N        int
	Mean     float64
	SD       float64 // sample standard deviation (n − 1 in the denominator)
	SE       float64 // standard error of the mean, SD / √N
	Min, Max float64
}

// Summarize returns the summary of xs. It returns an error for no values or a non-finite one.
func Summarize(xs []float64) (Summary, error) {
	if len(xs) == 0 {
		return Summary{}, fmt.Errorf("stats: no values to summarise")
	}
	s := Summary{N: len(xs), Min: math.Inf(1), Max: math.Inf(-1)}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Summary{}, fmt.Errorf("stats: value %d of %d is %v; want finite values", i+1, len(xs), x)
		}
		s.Mean += x
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	s.Mean /= float64(len(xs))
	if len(xs) == 1 {
		s.SD, s.SE = math.NaN(), math.NaN()
		return s, nil
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	s.SD = math.Sqrt(ss / float64(len(xs)-1))
	s.SE = s.SD / math.Sqrt(float64(len(xs)))
	return s, nil
}

// MustSummarize is Summarize for values known to be finite and non-empty; it panics otherwise.
func MustSummarize(xs []float64) Summary {
	s, err := Summarize(xs)
	if err != nil {
		panic(err)
	}
	return s
}

// String formats the summary as "mean ± SE (n = N)" with three significant digits.
func (s Summary) String() string {
	if s.N == 1 {
		return fmt.Sprintf("%.3g (n = 1)", s.Mean)
	}
	return fmt.Sprintf("%.3g ± %.2g (n = %d)", s.Mean, s.SE, s.N)
}

// Order is the outcome of a comparison: Below, Above, or NotSeparated when the difference is
// within its uncertainty.
type Order int

const (
	NotSeparated Order = iota
	Below
	Above
)

func (o Order) String() string {
	switch o {
	case Below:
		return "below"
	case Above:
		return "above"
	}
	return "not separated"
}

// CompareLine says whether s's mean is below or above the fixed value y by more than k standard
// errors (Below, Above), or within them (NotSeparated; also when the SE is unknown, N = 1).
func (s Summary) CompareLine(y, k float64) Order {
	if s.N < 2 {
		return NotSeparated
	}
	switch d := s.Mean - y; {
	case d < -k*s.SE:
		return Below
	case d > k*s.SE:
		return Above
	}
	return NotSeparated
}

// Compare says whether a's mean is below or above b's by more than k combined standard errors,
// k · sqrt(SE_a² + SE_b²), for independent measurements a and b.
func Compare(a, b Summary, k float64) Order {
	if a.N < 2 || b.N < 2 {
		return NotSeparated
	}
	u := k * math.Hypot(a.SE, b.SE)
	switch d := a.Mean - b.Mean; {
	case d < -u:
		return Below
	case d > u:
		return Above
	}
	return NotSeparated
}

// CountBelow returns how many of the paired values a[i] < b[i] ("lower in k of n runs").
func CountBelow(a, b []float64) (k, n int) {
	n = min(len(a), len(b))
	for i := range n {
		if a[i] < b[i] {
			k++
		}
	}
	return k, n
}
