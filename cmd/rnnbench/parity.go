package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"

	"github.com/rnn-course/bottleneck/internal/atomicfile"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// parity runs every PyTorch case file of a directory through recurrent.CheckParity on the chosen
// backend and writes one CSV line per compared array: case, array, rel_diff, backend. The CSV
// replaces the file at -out only once every case has run; an error leaves the old file intact.
func parity(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("parity", flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", filepath.Join("pkg", "recurrent", "testdata", "pytorch"), "directory of PyTorch case files (*.npz)")
	out := fs.String("out", "", "CSV file to write (required)")
	tol := fs.Float64("tol", 1e-4, "largest accepted max|ours - PyTorch| / max|PyTorch| of any array")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *out == "" || fs.NArg() != 0 {
		return usageError{fmt.Errorf("want -out FILE.csv and no arguments, got -out=%q %v", *out, fs.Args())}
	}
	if !(*tol >= 0) || math.IsInf(*tol, 0) {
		return usageError{fmt.Errorf("-tol %v: want a finite tolerance >= 0 (e.g. 1e-4)", *tol)}
	}
	files, err := filepath.Glob(filepath.Join(*dir, "*.npz"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no PyTorch case files (*.npz) in %s", *dir)
	}
	b, choice, err := backend.New()
	if err != nil {
		return err
	}
	// The CSV replaces the old one only when every case has run (an error leaves it as it was).
	f, err := atomicfile.Create(*out)
	if err != nil {
		return err
	}
	defer f.Abort()
	cw := csv.NewWriter(f)
	_ = cw.Write([]string{"case", "array", "rel_diff", "backend"})
	failed, worst := 0, 0.0
	for _, path := range files {
		res, err := recurrent.CheckParity(b, path)
		if err != nil {
			return err
		}
		for _, arr := range res.Arrays {
			d := res.RelDiff[arr]
			if !(d <= worst) { // NaN counts as the worst
				worst = d
			}
			if !(d <= *tol) { // NaN fails
				failed++
			}
			_ = cw.Write([]string{res.Case, arr, strconv.FormatFloat(d, 'g', 4, 64), choice.Config})
		}
		cw.Flush()
		name, d := res.Worst()
		fmt.Fprintf(w, "parity %-28s %2d arrays, worst %-16s %.2g\n", res.Case, len(res.Arrays), name, d)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := f.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(w, "parity: %d cases on %s, worst relative difference %.2g (tolerance %.0g)\n", len(files), choice.Config, worst, *tol)
	if failed > 0 {
		return fmt.Errorf("%d arrays differ from PyTorch by more than %.0g (see %s)", failed, *tol, *out)
	}
	return nil
}
