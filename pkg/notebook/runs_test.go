package notebook

import (
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/stretchr/testify/require"
)

func TestRunsMarkdown(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	// rnn: mean 3, SE 0.1/√3 ≈ 0.058; gru: mean 2, the same SE; 1 apart, far beyond 2 × 0.082.
	r := Runs[string]{
		Caption: "**3 runs**",
		Header:  []string{"cell", "loss, mean ± SE", "lowest – highest", "below 2.5?"},
		Names:   []string{"rnn", "gru"},
		Samples: map[string][]float64{"rnn": {3, 3.1, 2.9}, "gru": {2, 2.1, 1.9}},
		Prec:    2, Lines: []float64{2.5}, What: "loss", Intro: "Between the cells:",
	}
	got, err := r.Markdown()
	require.NoError(t, err)
	require.Equal(t, "**3 runs**\n\n"+
		"| cell | loss, mean ± SE | lowest – highest | below 2.5? |\n|---|---|---|---|\n"+
		"| rnn | 3.00 ± 0.06 | 2.90 – 3.10 | no (0 of 3 runs below) |\n"+
		"| gru | 2.00 ± 0.06 | 1.90 – 2.10 | yes (3 of 3 runs below) |\n\n"+
		"Between the cells:\n\n"+
		"* the gru's loss is lower than the rnn's by more than two standard errors (lower in 3 of 3 paired runs).", got)

	r.Header = r.Header[:3]
	_, err = r.Markdown()
	require.ErrorContains(t, err, "3 header columns for 4 table columns")
	r.Header, r.Samples = append(r.Header, "x"), map[string][]float64{"rnn": {3}, "gru": {2, 2.1}}
	_, err = r.Markdown()
	require.Error(t, err, "one run has no spread")
}
