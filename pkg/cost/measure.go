package cost

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gomlx/compute"
)

// TimingOptions say how a case is timed.
type TimingOptions struct {
	Warmup     int           // untimed runs after compilation; 0 means 1
	Repeats    int           // timed runs; 0 means 5
	MinRepeats int           // timed runs that are always done (if the context allows); 0 means 3
	MaxTime    time.Duration // stop repeating after MinRepeats once timed runs took this long; 0 = no limit
	Seed       uint64        // seed of the inputs (NewInputs)
	// BackendLabel is written in Row.Backend (e.g. "go:ops_sequential"); empty means the backend's Name().
	BackendLabel string
}

func (o TimingOptions) withDefaults() TimingOptions {
	if o.Warmup <= 0 {
		o.Warmup = 1
	}
	if o.Repeats <= 0 {
		o.Repeats = 5
	}
	if o.MinRepeats <= 0 {
		o.MinRepeats = 3
	}
	o.MinRepeats = min(o.MinRepeats, o.Repeats)
	return o
}

// Prepared is a case whose graph is built and walked, but not yet compiled or run.
type Prepared struct {
	Model    string
	Pass     Pass
	Shape    Shape
	Built    *Built
	Stats    Stats
	ActBytes int64         // ActivationBytes of the graph (0 in Fwd mode)
	Build    time.Duration // time to build the graph (GoMLX nodes and backend ops), without the walk
}

// Prepare builds the graph of a case (timed) and walks it (not timed).
func Prepare(b compute.Backend, m Model, mode Pass, s Shape) (*Prepared, error) {
	start := time.Now()
	built, err := BuildGraph(b, m, mode, s)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Model: m.Name, Pass: mode, Shape: s, Built: built, Build: time.Since(start)}
	p.Stats, p.ActBytes = Analyze(built)
	return p, nil
}

// Release frees the graph and its compiled program; the Prepared cannot be run afterwards.
func (p *Prepared) Release() { p.Built.Graph.Finalize() }

// Row returns the case's row with the graph counts filled in and no timings.
func (p *Prepared) Row(backendLabel string) Row {
	return Row{
		Model: p.Model, Pass: p.Pass, T: p.Shape.T, B: p.Shape.B, D: p.Shape.D, H: p.Shape.H,
		BuildMS: ms(p.Build), Nodes: p.Stats.Nodes, Depth: p.Stats.Depth, KernelDepth: p.Stats.KernelDepth,
		Flops: p.Stats.Flops, Transcendentals: p.Stats.Transcendentals, BytesMoved: p.Stats.BytesMoved,
		ActBytes: p.ActBytes, Backend: backendLabel,
	}
}

// Run compiles the prepared graph (timed as CompileMS), runs it opts.Warmup times untimed, then
// up to opts.Repeats times timed, and returns the row with median, min and max. Each run ends by
// reading the loss back to the host, so asynchronous backends are timed to completion.
//
// Repeats stop early, after MinRepeats, when the timed runs took MaxTime in all or when ctx is
// done; if ctx is done before MinRepeats, the row holds the runs done so far (Repeats says how
// many), and an error is returned only if no timed run finished.
func (p *Prepared) Run(ctx context.Context, opts TimingOptions) (row Row, err error) {
	opts = opts.withDefaults()
	g := p.Built.Graph
	label := opts.BackendLabel
	if label == "" {
		label = g.Backend().Name()
	}
	row = p.Row(label)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cost: running %s (%s, %+v) failed: %v", p.Model, p.Pass, p.Shape, r)
		}
	}()
	if !g.IsCompiled() { // a second Run reuses the program and reports no compile time
		start := time.Now()
		if err := g.Compile(p.Built.Outputs...); err != nil {
			return row, fmt.Errorf("cost: compiling %s (%s, %+v): %w", p.Model, p.Pass, p.Shape, err)
		}
		row.CompileMS = ms(time.Since(start))
	}
	inputs := NewInputs(p.Built, opts.Seed)
	args := make([]any, len(inputs))
	for i, t := range inputs {
		args[i] = t
	}
	defer func() {
		for _, t := range inputs {
			_ = t.FinalizeAll()
		}
	}()
	runOnce := func() time.Duration {
		start := time.Now()
		outs := g.Run(args...)
		_ = outs[0].Value() // the loss, on the host: the run has finished
		d := time.Since(start)
		for _, o := range outs {
			_ = o.FinalizeAll()
		}
		return d
	}
	for range opts.Warmup {
		if err := ctx.Err(); err != nil {
			return row, err
		}
		runOnce()
	}
	var times []time.Duration
	var total time.Duration
	cpu0, cpuOK := processCPUTime()
	for len(times) < opts.Repeats {
		if ctx.Err() != nil || (len(times) >= opts.MinRepeats && opts.MaxTime > 0 && total >= opts.MaxTime) {
			break
		}
		d := runOnce()
		times = append(times, d)
		total += d
	}
	if len(times) == 0 {
		return row, fmt.Errorf("cost: %s (%s, %+v): no timed run finished: %w", p.Model, p.Pass, p.Shape, ctx.Err())
	}
	if cpu1, ok := processCPUTime(); ok && cpuOK {
		row.CPUMS = ms(cpu1-cpu0) / float64(len(times))
	}
	row.MeanMS = ms(total) / float64(len(times))
	row.MedianMS, row.MinMS, row.MaxMS = summarize(times)
	row.Repeats = len(times)
	return row, nil
}

// Measure is Prepare followed by Run: one row for a model, mode and shape.
func Measure(ctx context.Context, b compute.Backend, m Model, mode Pass, s Shape, opts TimingOptions) (Row, error) {
	p, err := Prepare(b, m, mode, s)
	if err != nil {
		return Row{}, err
	}
	return p.Run(ctx, opts)
}

// summarize returns the median, min and max in milliseconds (the median of an even count is the
// mean of the two middle values).
func summarize(times []time.Duration) (median, lo, hi float64) {
	s := slices.Clone(times)
	slices.Sort(s)
	n := len(s)
	median = ms(s[n/2])
	if n%2 == 0 {
		median = (ms(s[n/2-1]) + ms(s[n/2])) / 2
	}
	return median, ms(s[0]), ms(s[n-1])
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
