package stats

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

func TestVersus(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	// a: mean 1, SE = sqrt(0.025)/sqrt(5) ≈ 0.0707; b: mean 1.3, the same SE; combined SE 0.1.
	a := []float64{1.0, 1.2, 0.8, 1.1, 0.9}
	b := []float64{1.3, 1.5, 1.1, 1.4, 1.2}
	v := MustVersus(a, b)
	if v.Order != Below || v.Lower != 5 || v.Higher != 0 || v.Pairs != 5 || v.A.Mean != 1 || math.Abs(v.B.Mean-1.3) > 1e-15 {
		t.Fatalf("Versus(a, b) = %+v, want below, lower in 5 of 5", v)
	}
	if got, want := v.Sentence("lstm", "rnn_tanh", "held-out MSE"),
		"the lstm's held-out MSE is lower than the rnn_tanh's by more than two standard errors (lower in 5 of 5 paired runs)"; got != want {
		t.Errorf("Sentence = %q\nwant      %q", got, want)
	}
	w := MustVersus(b, a)
	if w.Order != Above || w.Higher != 5 {
		t.Fatalf("Versus(b, a) = %+v, want above, higher in 5", w)
	}
	if got := w.Sentence("gru", "lstm", "loss"); !strings.Contains(got, "is higher than the lstm's") || !strings.Contains(got, "higher in 5 of 5 paired runs") {
		t.Errorf("Sentence = %q", got)
	}
	// c: mean 1.1 against a's 1: 0.1 < 2 × 0.1, not separated; c[i] < a[i] in runs 2 and 3 only.
	c := []float64{1.1, 1.3, 0.9, 1.2, 1.0}
	u := MustVersus(a, c)
	if u.Order != NotSeparated || u.Lower != 5 {
		t.Fatalf("Versus(a, c) = %+v, want not separated, lower in 5 of 5", u)
	}
	if got, want := u.Sentence("lstm", "gru", "loss"),
		"these 5 runs do not separate the lstm and the gru (loss): the means are within two standard errors (the lstm is lower in 5 of 5 paired runs)"; got != want {
		t.Errorf("Sentence = %q\nwant      %q", got, want)
	}
	// The Chinese edition takes the sentence from the catalog.
	t.Setenv(lang.Env, "zh")
	if got := v.Sentence("lstm", "rnn_tanh", "MSE"); !strings.Contains(got, "差距超过两个标准误") || !strings.Contains(got, "5/5") {
		t.Errorf("zh Sentence = %q", got)
	}
	for _, bad := range [][2][]float64{{{1}, {1, 2}}, {{1, 2}, nil}, {{1, math.NaN()}, {1, 2}}} {
		if _, err := Versus(bad[0], bad[1]); err == nil {
			t.Errorf("Versus(%v, %v): no error", bad[0], bad[1])
		}
	}
}

func TestPairwise(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	samples := map[string][]float64{"rnn": {3, 3.1, 2.9}, "lstm": {2, 2.1, 1.9}, "gru": {2.05, 2.0, 2.1}}
	got, err := Pairwise([]string{"rnn", "lstm", "gru"}, samples, "loss")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !strings.HasPrefix(got[0], "the lstm's loss is lower than the rnn's") ||
		!strings.HasPrefix(got[1], "the gru's loss is lower than the rnn's") ||
		!strings.HasPrefix(got[2], "these 3 runs do not separate the gru and the lstm") {
		t.Errorf("Pairwise = %q", got)
	}
	if _, err := Pairwise([]string{"rnn", "cnn"}, samples, "loss"); err == nil {
		t.Error("Pairwise with a name that has no runs: no error")
	}
	if _, err := Pairwise([]string{"a", "b"}, map[string][]float64{"a": {1, 2}, "b": {3}}, "loss"); err == nil {
		t.Error("Pairwise with a single run: no error")
	}
	rows, err := Rows([]string{"rnn", "gru"}, samples, 2, 2.5, 2.05)
	if err != nil {
		t.Fatal(err)
	}
	// rnn: mean 3, SE 0.1/√3 ≈ 0.058; gru: mean 2.05, SE 0.05/√3 ≈ 0.029.
	want := [][]any{
		{"rnn", "3.00 ± 0.06", "2.90 – 3.10", "no (0 of 3 runs below)", "no (0 of 3 runs below)"},
		{"gru", "2.05 ± 0.03", "2.00 – 2.10", "yes (3 of 3 runs below)", "not separated (1 of 3 runs below)"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("Rows = %v\nwant   %v", rows, want)
	}
	if _, err := Rows([]string{"cnn"}, samples, 2); err == nil {
		t.Error("Rows with a name that has no runs: no error")
	}
}

func TestLineVerdict(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	xs := []float64{1.0, 1.2, 0.8, 1.1, 0.9} // mean 1, SE ≈ 0.0707
	for _, c := range []struct {
		line float64
		want string
	}{
		{1.2, "yes (4 of 5 runs below)"},
		{1.1, "not separated (3 of 5 runs below)"},
		{0.8, "no (0 of 5 runs below)"},
	} {
		got, err := LineVerdict(xs, c.line)
		if err != nil || got != c.want {
			t.Errorf("LineVerdict(%v) = %q, %v; want %q", c.line, got, err, c.want)
		}
	}
	if _, err := LineVerdict(nil, 1); err == nil {
		t.Error("LineVerdict(nil): no error")
	}
	s := MustSummarize(xs)
	if got := s.MeanSE(3) + " | " + s.Range(2); got != "1.000 ± 0.071 | 0.80 – 1.20" {
		t.Errorf("MeanSE, Range = %q", got)
	}
}
