package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/cost"
)

// sweep runs cost.Sweep over the named models and appends every row to a CSV file as soon as it
// is measured (cost.AppendCSV), so a killed run keeps what it measured.
func sweep(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(w)
	out := fs.String("out", "", "CSV file to append rows to (created with a header if missing; required)")
	models := fs.String("models", "rnn,lstm,gru,attention,conv,mingru_sequential,mingru_blelloch,mingru_chunked",
		"comma-separated model names (package cost: DefaultModels and mingru_<scan form>)")
	passes := fs.String("passes", "fwd,fwdbwd", "comma-separated passes: fwd (forward), fwdbwd (forward and backward)")
	ts := fs.String("T", "16,64,256,1024,4096,16384", "sequence lengths of the T sweep")
	bFlag := fs.Int("B", 32, "batch of the T sweep")
	batches := fs.String("batches", "1,8,32,128,256", "batch sizes of the batch sweep (empty: none)")
	batchT := fs.Int("batch-T", 256, "sequence length of the batch sweep")
	d := fs.Int("D", 8, "input width")
	h := fs.Int("H", 64, "hidden width")
	repeats := fs.Int("repeats", 5, "timed runs per case")
	budget := fs.Duration("budget", 0, "wall-time budget of the whole sweep (0: none); cases predicted not to fit are skipped")
	maxRun := fs.Duration("max-run", 2*time.Second, "skip cases predicted to take longer per run")
	maxMiB := fs.Int64("max-mib", 4096, "skip cases predicted to need more memory (MiB)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *out == "" || fs.NArg() != 0 {
		return usageError{fmt.Errorf("want -out FILE.csv and no arguments, got -out=%q %v", *out, fs.Args())}
	}
	cfg := cost.SweepConfig{B: *bFlag, BatchT: *batchT, D: *d, H: *h, Budget: *budget, MaxRunTime: *maxRun,
		MaxBytes: *maxMiB << 20, Timing: cost.TimingOptions{Repeats: *repeats, MinRepeats: min(3, *repeats)}}
	var err error
	for _, name := range split(*models) {
		m, err := cost.ModelByName(name)
		if err != nil {
			return usageError{err}
		}
		cfg.Models = append(cfg.Models, m)
	}
	for _, s := range split(*passes) {
		m, err := cost.ParsePass(s)
		if err != nil {
			return usageError{err}
		}
		cfg.Passes = append(cfg.Passes, m)
	}
	if cfg.Ts, err = ints("-T", *ts); err != nil {
		return err
	}
	if cfg.Batches, err = ints("-batches", *batches); err != nil {
		return err
	}
	if len(cfg.Models) == 0 || len(cfg.Passes) == 0 || len(cfg.Ts) == 0 {
		return usageError{fmt.Errorf("want at least one model, pass and T, got -models=%q -passes=%q -T=%q", *models, *passes, *ts)}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	b, choice, err := backend.New()
	if err != nil {
		return err
	}
	cfg.Timing.BackendLabel = choice.Config
	cfg.Log = w
	rw, err := cost.AppendCSV(*out)
	if err != nil {
		return err
	}
	defer rw.Close()
	var writeErr error
	cfg.OnRow = func(r cost.Row) {
		if err := rw.Row(r); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	cfg.OnSkip = func(s cost.Skip) {
		if err := rw.Skip(s); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	// SIGINT/SIGTERM (e.g. from timeout) stop the sweep between runs; rows so far are on disk.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	tab, err := cost.Sweep(ctx, b, cfg)
	if tab != nil {
		fmt.Fprintf(w, "sweep: %d rows, %d skipped, in %v on %s -> %s\n", len(tab.Rows), len(tab.Skipped),
			time.Since(start).Round(time.Millisecond), choice.Config, *out)
	}
	if err != nil {
		return err
	}
	return writeErr
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func ints(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range split(s) {
		v, err := strconv.Atoi(f)
		if err != nil || v <= 0 {
			return nil, usageError{fmt.Errorf("%s: %q is not a positive integer (want e.g. 16,64,256)", flagName, f)}
		}
		out = append(out, v)
	}
	return out, nil
}
