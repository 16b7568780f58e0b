package notebook

import (
	"fmt"
	"strings"

	"github.com/rnn-course/bottleneck/pkg/stats"
)

// Runs is the report of repeated runs of several models: a caption, a table with one row per
// model (mean ± SE, lowest – highest, and whether the runs end below each line by more than two
// standard errors: stats.Rows), and the pairwise verdicts between the models (stats.Pairwise),
// as a list after Intro.
type Runs[K ~string] struct {
	Caption string          // Markdown above the table ("**5 independent runs of each cell** …")
	Header  []string        // the table's header: name, mean ± SE, lowest – highest, one per line
	Names   []K             // the models, in the table's order
	Samples map[K][]float64 // the runs of each model; run i of two models share a seed
	Prec    int             // decimals of the table's numbers
	Lines   []float64       // reference lines (baselines) the runs are compared with
	What    string          // the quantity compared ("held-out MSE"), for the verdicts
	Intro   string          // the sentence before the verdicts ("Between the cells:")
}

// Markdown formats the report. It returns an error when a model has fewer than two runs or a
// non-finite one, or when the header does not have one column per table column.
func (r Runs[K]) Markdown() (string, error) {
	rows, err := stats.Rows(r.Names, r.Samples, r.Prec, r.Lines...)
	if err != nil {
		return "", err
	}
	if len(r.Header) != 3+len(r.Lines) {
		return "", fmt.Errorf("notebook.Runs: %d header columns for %d table columns", len(r.Header), 3+len(r.Lines))
	}
	verdicts, err := stats.Pairwise(r.Names, r.Samples, r.What)
	if err != nil {
		return "", err
	}
	for i, v := range verdicts { // a list: "* …;" and "* …." for the last (Chinese punctuation in zh)
		if i < len(verdicts)-1 {
			verdicts[i] = Sprintf("* %s;", v)
		} else {
			verdicts[i] = Sprintf("* %s.", v)
		}
	}
	return r.Caption + "\n\n" + MarkdownTable(r.Header, rows) + "\n" + r.Intro + "\n\n" + strings.Join(verdicts, "\n"), nil
}

// ShowRuns displays the report of repeated runs; it panics (in the learner's language) on a
// report that cannot be made.
func ShowRuns[K ~string](r Runs[K]) {
	md, err := r.Markdown()
	if err != nil {
		panic(Explain(err))
	}
	ShowMarkdown(md)
}
