package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/cost"
)

// runSweep is cost.Sweep (a variable so that a test can put a sweep that never returns there).
var runSweep = cost.Sweep

// sweep runs cost.Sweep over the named models and appends every row to a CSV file as soon as it
// is measured (cost.AppendCSV), so a killed run keeps what it measured and what the file held
// before is never changed. The first SIGINT or SIGTERM stops the sweep between cases; a second
// one ends the process at once.
func sweep(args []string, w, stderr io.Writer) error {
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
	maxNodes := fs.Int("max-nodes", cost.DefaultMaxNodes, "skip cases whose graph is predicted to have more nodes (about 1 KiB of memory each to build)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *out == "" || fs.NArg() != 0 {
		return usageError{fmt.Errorf("want -out FILE.csv and no arguments, got -out=%q %v", *out, fs.Args())}
	}
	// Every value is checked here: the library takes 0 for its default, which a flag must not.
	for _, f := range []struct {
		name string
		v    int
	}{{"-B", *bFlag}, {"-batch-T", *batchT}, {"-D", *d}, {"-H", *h}, {"-repeats", *repeats}, {"-max-nodes", *maxNodes}} {
		if f.v < 1 {
			return usageError{fmt.Errorf("%s %d: want an integer >= 1", f.name, f.v)}
		}
	}
	const maxMiBLimit = math.MaxInt64 >> 20
	if *maxMiB < 1 || *maxMiB > maxMiBLimit {
		return usageError{fmt.Errorf("-max-mib %d: want 1 to %d (more does not fit in int64 bytes)", *maxMiB, int64(maxMiBLimit))}
	}
	if *maxRun <= 0 {
		return usageError{fmt.Errorf("-max-run %v: want a duration > 0", *maxRun)}
	}
	if *budget < 0 {
		return usageError{fmt.Errorf("-budget %v: want a duration >= 0 (0: no budget)", *budget)}
	}
	cfg := cost.SweepConfig{B: *bFlag, BatchT: *batchT, D: *d, H: *h, Budget: *budget, MaxRunTime: *maxRun,
		MaxBytes: *maxMiB << 20, MaxNodes: *maxNodes, Timing: cost.TimingOptions{Repeats: *repeats, MinRepeats: min(3, *repeats)}}
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
	ctx, stop := signalContext(stderr)
	defer stop()
	start := time.Now()
	tab, err := runSweep(ctx, b, cfg)
	if tab != nil {
		fmt.Fprintf(w, "sweep: %d rows, %d skipped, in %v on %s -> %s\n", len(tab.Rows), len(tab.Skipped),
			time.Since(start).Round(time.Millisecond), choice.Config, *out)
	}
	if err != nil {
		return err
	}
	return writeErr
}

// signalContext returns a context that the first SIGINT or SIGTERM cancels. That first signal
// also gives both signals back their default action, so that a second one ends the process at
// once, even while the sweep is in something that does not look at the context (a graph being
// built, a long run). stop releases the signals.
func signalContext(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch) // the next signal takes its default action: the process ends
			fmt.Fprintf(stderr, "rnnbench sweep: %v: stopping after the current case (rows so far are in the file); "+
				"signal again to stop now\n", s)
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel()
		})
	}
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
