package cost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/gomlx/compute"
	"github.com/rnn-course/bottleneck/pkg/lang"
)

// SweepConfig describes a sweep over the sequence length T (at batch B) and over the batch size
// (at length BatchT). Zero values take the defaults in the comments.
type SweepConfig struct {
	Models  []Model // DefaultModels()
	Passes  []Pass  // Fwd and FwdBwd
	Ts      []int   // the T sweep: 16, 64, 256, 1024, 4096
	B       int     // batch of the T sweep: 32
	Batches []int   // the batch sweep: none (e.g. 1, 8, 32, 128, 256)
	BatchT  int     // length of the batch sweep: 256
	D, H    int     // input and hidden widths: 8, 64

	Timing TimingOptions // warm-up and repeats of each case; BackendLabel goes into every row

	// Budget bounds the wall time of the whole sweep (0: no bound). Cases predicted not to fit in
	// what is left are skipped, and no run starts after it is spent.
	Budget time.Duration
	// MaxRunTime skips cases whose single run is predicted to take longer (0: 2 s).
	MaxRunTime time.Duration
	// MaxBytes skips cases whose activations (ActBytes) or three times their largest tensor are
	// predicted to exceed it, before compiling (0: 4 GiB). Before the graph is even built, a case
	// whose features [B, T, H] alone break it (MinBytes) is skipped; a model whose parameters
	// alone take more is refused by Validate.
	MaxBytes int64
	// MaxNodes skips cases whose graph is predicted (EstimateNodes) to have more nodes, before it
	// is built (0: 1<<22, about 4 GiB of host memory at the ~1 KiB per node that building takes).
	MaxNodes int

	Log io.Writer // one line per case when not nil

	// OnRow and OnSkip, when not nil, are called as soon as a case is measured or skipped, so a
	// caller can keep partial results (e.g. stream rows to a file) if the process is killed.
	OnRow  func(Row)
	OnSkip func(Skip)
}

// FastSweepConfig is a sweep for notebooks' fast mode and for CI: the default models, T from 16
// to 4096 at B = 32 and a batch sweep (1, 8, 32, 256 at T = 64), one warm-up and 3 repeats,
// 1 s per run at most and a 60-second budget (it takes 30-60 s on a 2-core CPU).
func FastSweepConfig() SweepConfig {
	return SweepConfig{
		Ts: []int{16, 64, 256, 1024, 4096}, B: 32, Batches: []int{1, 8, 32, 256}, BatchT: 64,
		Timing:     TimingOptions{Warmup: 1, Repeats: 3, MinRepeats: 3},
		Budget:     60 * time.Second,
		MaxRunTime: time.Second,
	}
}

func (c SweepConfig) withDefaults() SweepConfig {
	if c.Models == nil {
		c.Models = DefaultModels()
	}
	if c.Passes == nil {
		c.Passes = []Pass{Fwd, FwdBwd}
	}
	if c.Ts == nil {
		c.Ts = []int{16, 64, 256, 1024, 4096}
	}
	if c.B == 0 {
		c.B = 32
	}
	if c.BatchT == 0 {
		c.BatchT = 256
	}
	if c.D == 0 {
		c.D = 8
	}
	if c.H == 0 {
		c.H = 64
	}
	if c.MaxRunTime == 0 {
		c.MaxRunTime = 2 * time.Second
	}
	if c.MaxBytes == 0 {
		c.MaxBytes = 4 << 30
	}
	if c.MaxNodes == 0 {
		c.MaxNodes = DefaultMaxNodes
	}
	return c
}

// DefaultMaxNodes is the default of SweepConfig.MaxNodes: 1<<22 graph nodes, about 4 GiB of host
// memory to build (measured on the Go backend: 0.9 to 1.2 KiB per node).
const DefaultMaxNodes = 1 << 22

// Validate says what is wrong with a sweep configuration. Zero values take their defaults;
// negative ones are errors, as is a model whose parameters alone (as float32) exceed MaxBytes.
func (c SweepConfig) Validate() error {
	for _, f := range []struct {
		name string
		v    int
		def  string
	}{{"Timing.Warmup", c.Timing.Warmup, "1"}, {"Timing.Repeats", c.Timing.Repeats, "5"},
		{"Timing.MinRepeats", c.Timing.MinRepeats, "3"}, {"MaxNodes", c.MaxNodes, fmt.Sprint(DefaultMaxNodes)}} {
		if f.v < 0 {
			return fmt.Errorf("cost: sweep %s is %d, want >= 1 (0: the default %s)", f.name, f.v, f.def)
		}
	}
	if c.Timing.MaxTime < 0 {
		return fmt.Errorf("cost: sweep Timing.MaxTime is %v, want >= 0 (0: no limit)", c.Timing.MaxTime)
	}
	c = c.withDefaults()
	for _, m := range c.Models {
		ps, err := AllParams(m, c.D, c.H)
		if err != nil {
			return err
		}
		if n := paramCount(ps); n.Cmp(big.NewInt(c.MaxBytes/4)) > 0 {
			gib, _ := new(big.Float).Quo(new(big.Float).SetInt(n), big.NewFloat(1<<28)).Float64()
			return fmt.Errorf("cost: model %s with D=%d, H=%d has %s parameters (%.0f GiB as float32), over MaxBytes %d MiB: "+
				"lower D or H, or raise MaxBytes (rnnbench sweep -max-mib)", m.Name, c.D, c.H, n, gib, c.MaxBytes>>20)
		}
	}
	for _, m := range c.Passes {
		if _, err := ParsePass(string(m)); err != nil {
			return err
		}
	}
	for _, v := range append(append([]int{c.B, c.BatchT}, c.Ts...), c.Batches...) {
		if v <= 0 {
			return fmt.Errorf("cost: sweep sizes must be >= 1, got Ts=%v B=%d Batches=%v BatchT=%d", c.Ts, c.B, c.Batches, c.BatchT)
		}
	}
	if c.Budget < 0 || c.MaxRunTime < 0 || c.MaxBytes < 0 {
		return errors.New("cost: sweep budget, MaxRunTime and MaxBytes must be >= 0")
	}
	return nil
}

// Sweep measures every model and mode over the T sweep and then the batch sweep, each in
// increasing size (all models at one size before the next size), and returns the table, its
// rows sorted by model, mode, T and B. It predicts each case from the previous size of the
// same model, mode and sweep (fastest time × (size ratio)^order, order = Model.WorkOrder for T
// and 1 for B, then refined by the ratio of the exact flop counts once the graph is built) and skips it
// (and all larger ones) when it would break MaxRunTime, MaxBytes or the Budget; skipped cases are
// listed in Table.Skipped. When the budget runs out the table so far is returned without error;
// when ctx is cancelled, the table so far and ctx's error.
func Sweep(ctx context.Context, b compute.Backend, cfg SweepConfig) (*Table, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	start := time.Now()
	runCtx := ctx
	if cfg.Budget > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithDeadline(ctx, start.Add(cfg.Budget))
		defer cancel()
	}
	remaining := func() time.Duration {
		if cfg.Budget == 0 {
			return time.Duration(math.MaxInt64)
		}
		return cfg.Budget - time.Since(start)
	}
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	type sweepCase struct {
		T, B  int
		axisT bool
	}
	var cases []sweepCase
	Ts := slices.Sorted(slices.Values(cfg.Ts))
	for _, T := range Ts {
		cases = append(cases, sweepCase{T, cfg.B, true})
	}
	for _, B := range slices.Sorted(slices.Values(cfg.Batches)) {
		cases = append(cases, sweepCase{cfg.BatchT, B, false})
	}
	// One track per model and mode: what it measured and skipped, and its last row per sweep.
	type track struct {
		done    map[[2]int]Row
		skipped map[[2]int]bool
		prev    [2]*Row // last measured row of the T sweep and of the batch sweep
		stopped [2]bool // a case of this sweep was skipped: larger ones are too
	}
	tracks := make([][]track, len(cfg.Models))
	for i := range tracks {
		tracks[i] = make([]track, len(cfg.Passes))
		for j := range tracks[i] {
			tracks[i][j] = track{done: map[[2]int]Row{}, skipped: map[[2]int]bool{}}
		}
	}
	table := &Table{}
	probes := map[[2]int]nodeProbe{} // per model and pass: node counts of small graphs
	// Sizes in the outer loop, so that with a tight budget every model gets its small sizes.
	for _, c := range cases {
		for mi, m := range cfg.Models {
			for di, mode := range cfg.Passes {
				tr := &tracks[mi][di]
				key := [2]int{c.T, c.B}
				axis, ratio, order := 1, float64(c.B), 1.0
				if c.axisT {
					axis, ratio, order = 0, float64(c.T), float64(m.WorkOrder)
				}
				if r, ok := tr.done[key]; ok { // measured by the other sweep
					tr.prev[axis] = &r
					continue
				}
				if tr.skipped[key] { // skipped by the other sweep (and listed once)
					tr.stopped[axis] = true
					continue
				}
				skip := func(reason string) {
					sk := Skip{Model: m.Name, Pass: mode, T: c.T, B: c.B, Reason: reason}
					table.Skipped = append(table.Skipped, sk)
					if cfg.OnSkip != nil {
						cfg.OnSkip(sk)
					}
					logf("cost: skip %s %s T=%d B=%d: %s", m.Name, mode, c.T, c.B, reason)
					tr.stopped[axis] = true
					tr.skipped[key] = true
				}
				if err := ctx.Err(); err != nil {
					return table, err
				}
				if tr.stopped[axis] {
					skip(lang.Msg("a smaller size of this sweep was skipped"))
					continue
				}
				if runCtx.Err() != nil {
					skip(lang.Msg("time budget spent"))
					continue
				}
				opts := cfg.Timing.withDefaults()
				prev := tr.prev[axis]
				if prev != nil {
					r := ratio / float64(prev.T)
					if !c.axisT {
						r = ratio / float64(prev.B)
					}
					buildR := 1.0
					if m.Sequential {
						buildR = math.Pow(r, 1.5) // graph size grows with T; the Go backend's CSE is superlinear
					}
					// From the fastest run: on a shared machine the median carries others' load.
					predRun := msDuration(prev.MinMS * math.Pow(r, order))
					predTotal := msDuration((prev.BuildMS+prev.CompileMS)*buildR) + time.Duration(opts.Warmup+opts.MinRepeats)*predRun
					if predRun > cfg.MaxRunTime {
						skip(fmt.Sprintf(lang.Msg("predicted %v per run > MaxRunTime %v"), predRun.Round(time.Millisecond), cfg.MaxRunTime))
						continue
					}
					if predTotal > remaining() {
						skip(fmt.Sprintf(lang.Msg("predicted %v > budget left %v"), predTotal.Round(time.Millisecond),
							remaining().Round(time.Millisecond)))
						continue
					}
				}
				shape := Shape{B: c.B, T: c.T, D: cfg.D, H: cfg.H}
				// Sizes before building: the features alone, then the graph's node count.
				if mem := MinBytes(shape); mem > float64(cfg.MaxBytes) {
					skip(fmt.Sprintf(lang.Msg("needs at least ~%.0f MiB (three times the features [B, T, H]) > MaxBytes %d MiB"), mem/(1<<20), cfg.MaxBytes>>20))
					continue
				}
				probe, ok := probes[[2]int{mi, di}]
				if !ok {
					var err error
					if probe, err = probeNodes(b, m, mode, shape); err != nil {
						return table, err
					}
					probes[[2]int{mi, di}] = probe
				}
				if nodes := probe.at(c.T); nodes > float64(cfg.MaxNodes) {
					skip(fmt.Sprintf(lang.Msg("graph of ~%.0f nodes > MaxNodes %d (raise MaxNodes; rnnbench sweep -max-nodes)"), nodes, cfg.MaxNodes))
					continue
				}
				p, err := Prepare(b, m, mode, shape)
				if err != nil {
					return table, err
				}
				if mem := max(p.ActBytes, satMul3(p.Stats.LargestBytes)); mem > cfg.MaxBytes {
					p.Release()
					skip(fmt.Sprintf(lang.Msg("needs ~%d MiB > MaxBytes %d MiB"), mem>>20, cfg.MaxBytes>>20))
					continue
				}
				if prev != nil && prev.Flops > 0 && prev.Nodes > 0 {
					// Refine with the exact work ratio (at least the node ratio: per-node overheads scale too).
					r := math.Max(float64(p.Stats.Flops)/float64(prev.Flops), float64(p.Stats.Nodes)/float64(prev.Nodes))
					if predRun := msDuration(prev.MinMS * r); predRun > cfg.MaxRunTime {
						p.Release()
						skip(fmt.Sprintf(lang.Msg("predicted %v per run (from the flop count) > MaxRunTime %v"),
							predRun.Round(time.Millisecond), cfg.MaxRunTime))
						continue
					}
				}
				row, err := p.Run(runCtx, cfg.Timing)
				p.Release()
				if err != nil {
					if ctx.Err() != nil {
						return table, ctx.Err()
					}
					if runCtx.Err() != nil {
						skip(lang.Msg("time budget spent"))
						continue
					}
					return table, err
				}
				table.Rows = append(table.Rows, row)
				if cfg.OnRow != nil {
					cfg.OnRow(row)
				}
				tr.done[key] = row
				tr.prev[axis] = &row
				logf("cost: %-10s %-6s T=%-5d B=%-3d median %9.2f ms (min %.2f, max %.2f, n=%d) build %.0f ms compile %.0f ms depth %d",
					m.Name, mode, c.T, c.B, row.MedianMS, row.MinMS, row.MaxMS, row.Repeats, row.BuildMS, row.CompileMS, row.Depth)
			}
		}
	}
	// Rows in model, mode, T, B order.
	rank := func(r Row) []int {
		mi := slices.IndexFunc(cfg.Models, func(m Model) bool { return m.Name == r.Model })
		return []int{mi, slices.Index(cfg.Passes, r.Pass), r.T, r.B}
	}
	slices.SortStableFunc(table.Rows, func(a, b Row) int { return slices.Compare(rank(a), rank(b)) })
	return table, nil
}

func msDuration(v float64) time.Duration { return time.Duration(v * 1e6) }

// MinBytes is a lower bound, known before the graph is built, of the memory measure that Sweep
// compares with MaxBytes (three times the largest tensor): three times the float32 features
// [B, T, H] that every model returns. It is a float64 so that no size overflows it.
func MinBytes(s Shape) float64 {
	return 3 * 4 * float64(s.B) * float64(s.T) * float64(s.H)
}

// nodeProbe holds the node counts of a model's graphs at T = probeT and 2·probeT.
type nodeProbe struct{ n1, n2 float64 }

const probeT = 2

// at extrapolates the node count linearly in T.
func (p nodeProbe) at(T int) float64 {
	return max(p.n1+(p.n2-p.n1)/probeT*(float64(T)-probeT), p.n1)
}

func probeNodes(b compute.Backend, m Model, mode Pass, s Shape) (nodeProbe, error) {
	var n [2]float64
	for i, T := range []int{probeT, 2 * probeT} {
		s.T = T
		built, err := BuildGraph(b, m, mode, s)
		if err != nil {
			return nodeProbe{}, err
		}
		n[i] = float64(len(built.Graph.Nodes()))
		built.Graph.Finalize()
	}
	return nodeProbe{n[0], n[1]}, nil
}

// EstimateNodes predicts the number of nodes of a case's graph without building it: it builds
// the graphs of T = 2 and 4 (tens to hundreds of nodes) and extrapolates linearly in T. That is
// exact for the step-by-step models (a fixed number of nodes per step) and an over-estimate for
// the scans, whose graphs grow more slowly. Sweep skips cases over MaxNodes with it.
func EstimateNodes(b compute.Backend, m Model, mode Pass, s Shape) (float64, error) {
	if err := s.Validate(); err != nil {
		return 0, err
	}
	p, err := probeNodes(b, m, mode, s)
	if err != nil {
		return 0, err
	}
	return p.at(s.T), nil
}

// paramCount is the number of scalars of a list of parameters, exactly (no overflow).
func paramCount(ps []Param) *big.Int {
	n := new(big.Int)
	for _, p := range ps {
		size := big.NewInt(1)
		for _, d := range p.Dims {
			size.Mul(size, big.NewInt(int64(d)))
		}
		n.Add(n, size)
	}
	return n
}

// satMul3 is 3·v, or math.MaxInt64 where that overflows.
func satMul3(v int64) int64 {
	if v > math.MaxInt64/3 {
		return math.MaxInt64
	}
	return 3 * v
}
