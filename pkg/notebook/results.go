package notebook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rnn-course/bottleneck/pkg/cost"
)

// Results of a notebook's long measurements, kept as files under build/results of the repository
// so that the cells after the one that measured them (and a learner, later) read them back.

// ResultPath is build/results/<name>_<mode>.csv of the repository, for the current mode; it
// creates the folder.
func ResultPath(name string) string {
	dir := RepoPath("build", "results")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	return filepath.Join(dir, fmt.Sprintf("%s_%s.csv", name, CurrentMode()))
}

// RunSweep runs a cost sweep on the course backend (Shared under key, so that the second edition
// of a batch run reuses it), saves its table as ResultPath(name), replacing the old file only
// once the new one is complete, and prints how many cases it measured and skipped, the skipped
// ones with their reasons.
func RunSweep(key, name string, cfg cost.SweepConfig) *cost.Table {
	type sweep struct {
		Table *cost.Table
		Secs  float64
	}
	sw := Shared(key, func() sweep {
		start := time.Now()
		t, err := cost.Sweep(context.Background(), Backend(), cfg)
		if err != nil {
			panic(err)
		}
		return sweep{t, time.Since(start).Seconds()}
	})
	path := ResultPath(name)
	if err := sw.Table.WriteCSVFile(path); err != nil {
		panic(err)
	}
	Printf("%d cases measured, %d skipped, in %.0f s; saved %s\n", len(sw.Table.Rows), len(sw.Table.Skipped), sw.Secs, filepath.Base(path))
	for _, s := range sw.Table.Skipped {
		Printf("  skipped: %s\n", s.Localized())
	}
	return sw.Table
}

// LoadSweep reads back the table RunSweep saved as ResultPath(name).
func LoadSweep(name string) *cost.Table {
	f, err := os.Open(ResultPath(name))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	t, err := cost.ReadCSV(f)
	if err != nil {
		panic(err)
	}
	return t
}
