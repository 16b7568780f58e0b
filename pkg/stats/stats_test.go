package stats

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	// 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, s = sqrt(32/7).
	s, err := Summarize([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if err != nil {
		t.Fatal(err)
	}
	wantSD := math.Sqrt(32.0 / 7)
	if s.N != 8 || s.Mean != 5 || math.Abs(s.SD-wantSD) > 1e-15 || math.Abs(s.SE-wantSD/math.Sqrt(8)) > 1e-15 || s.Min != 2 || s.Max != 9 {
		t.Errorf("Summarize = %+v, want mean 5, SD %v, SE %v, min 2, max 9", s, wantSD, wantSD/math.Sqrt(8))
	}
	if got := s.String(); got != "5 ± 0.76 (n = 8)" {
		t.Errorf("String = %q", got)
	}
	one := MustSummarize([]float64{3})
	if !math.IsNaN(one.SE) || one.String() != "3 (n = 1)" || one.CompareLine(100, 2) != NotSeparated {
		t.Errorf("one value: %+v %q", one, one.String())
	}
	for _, bad := range [][]float64{nil, {1, math.NaN()}, {math.Inf(1)}} {
		if _, err := Summarize(bad); err == nil {
			t.Errorf("Summarize(%v): no error", bad)
		}
	}
}

func TestCompare(t *testing.T) {
	a := MustSummarize([]float64{1.0, 1.2, 0.8, 1.1, 0.9}) // mean 1, SE = sqrt(0.1/4)/sqrt(5) ≈ 0.0707
	if got := a.CompareLine(1.2, 2); got != Below {
		t.Errorf("1 ± 0.071 against 1.2: %v, want below", got)
	}
	if got := a.CompareLine(1.1, 2); got != NotSeparated {
		t.Errorf("1 ± 0.071 against 1.1: %v, want not separated", got)
	}
	if got := a.CompareLine(0.8, 2); got != Above {
		t.Errorf("1 ± 0.071 against 0.8: %v, want above", got)
	}
	b := MustSummarize([]float64{1.3, 1.5, 1.1, 1.4, 1.2}) // mean 1.3, same SE: combined 0.1
	if got := Compare(a, b, 2); got != Below {
		t.Errorf("Compare(1, 1.3): %v, want below (difference 0.3 > 2 × 0.1)", got)
	}
	if got := Compare(b, a, 4); got != NotSeparated {
		t.Errorf("Compare at k = 4: %v, want not separated", got)
	}
	if k, n := CountBelow([]float64{1, 2, 3}, []float64{2, 2, 4}); k != 2 || n != 3 {
		t.Errorf("CountBelow = %d of %d, want 2 of 3", k, n)
	}
}
