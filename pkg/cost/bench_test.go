package cost

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Benchmark shapes: batch 32, input 8, hidden 64, readout and MSE loss on every step.
const benchB, benchD, benchH = 32, 8, 64

var benchTs = []int{16, 64, 256, 1024, 4096}

// benchSkipped lists the combinations that take more than ~2 s per op on the course's 2-core
// CPU (Go backend, ops_sequential; medians measured by a sweep, or predicted from the next
// smaller T when even that was too slow to run). Set COST_BENCH_ALL=1 to run them anyway.
var benchSkipped = map[string]string{
	"rnn/fwdbwd/4096":        "~2.3 s",
	"lstm/fwd/4096":          "~3.1 s",
	"lstm/fwdbwd/1024":       "~2.5 s",
	"lstm/fwdbwd/4096":       "~10 s (predicted)",
	"gru/fwd/4096":           "~2.3 s",
	"gru/fwdbwd/4096":        "~6 s (predicted)",
	"attention/fwd/1024":     "~2.3 s",
	"attention/fwd/4096":     "~37 s (predicted), 2 GiB per [B, T, T] tensor",
	"attention/fwdbwd/1024":  "~10 s (predicted)",
	"attention/fwdbwd/4096":  "~160 s (predicted), several 2 GiB tensors",
	"attention4/fwd/1024":    "~4 s (predicted)",
	"attention4/fwd/4096":    "~70 s (predicted), 8 GiB per [B, 4, T, T] tensor",
	"attention4/fwdbwd/1024": "~20 s (predicted)",
	"attention4/fwdbwd/4096": "out of memory",
	"conv/fwd/4096":          "~5.6 s (predicted)",
	"conv/fwdbwd/1024":       "~4 s (predicted)",
	"conv/fwdbwd/4096":       "~16 s (predicted)",
}

// BenchmarkCost times the forward pass (mode=fwd) and a train-like step without optimizer
// (mode=fwdbwd) of every default model. Graph building and compilation happen before the timer
// and are reported as build-ms and compile-ms; the exact graph counts are reported as nodes,
// depth and flops. Compare runs with benchstat.
func BenchmarkCost(b *testing.B) {
	bk := testBackend(b)
	all := os.Getenv("COST_BENCH_ALL") != ""
	for _, m := range DefaultModels() {
		for _, T := range benchTs {
			for _, mode := range []Pass{Fwd, FwdBwd} {
				b.Run(fmt.Sprintf("model=%s/T=%d/B=%d/mode=%s", m.Name, T, benchB, mode), func(b *testing.B) {
					if why, ok := benchSkipped[fmt.Sprintf("%s/%s/%d", m.Name, mode, T)]; ok && !all {
						b.Skipf("skipped: %s per op on a 2-core CPU (COST_BENCH_ALL=1 runs it)", why)
					}
					p, err := Prepare(bk, m, mode, Shape{B: benchB, T: T, D: benchD, H: benchH})
					require.NoError(b, err)
					defer p.Release()
					g := p.Built.Graph
					start := time.Now()
					require.NoError(b, g.Compile(p.Built.Outputs...))
					compile := time.Since(start)
					inputs := NewInputs(p.Built, 1)
					args := make([]any, len(inputs))
					for i, t := range inputs {
						args[i] = t
					}
					run := func() {
						outs := g.Run(args...)
						_ = outs[0].Value()
						for _, o := range outs {
							_ = o.FinalizeAll()
						}
					}
					run() // warm-up
					b.ResetTimer()
					for b.Loop() {
						run()
					}
					b.StopTimer()
					b.ReportMetric(ms(p.Build), "build-ms")
					b.ReportMetric(ms(compile), "compile-ms")
					b.ReportMetric(float64(p.Stats.Nodes), "nodes")
					b.ReportMetric(float64(p.Stats.Depth), "depth")
					b.ReportMetric(float64(p.Stats.Flops), "flops")
				})
			}
		}
	}
}

// TestWriteFastSweep runs FastSweepConfig on this machine and writes the table to the file
// named by COST_SWEEP_OUT (skipped when it is not set), e.g. from the repository root:
//
//	COST_SWEEP_OUT=$PWD/results/cost/cpu_fast.csv go test -run TestWriteFastSweep -v ./pkg/cost/
func TestWriteFastSweep(t *testing.T) {
	out := os.Getenv("COST_SWEEP_OUT")
	if out == "" {
		t.Skip("set COST_SWEEP_OUT to the CSV file to write")
	}
	cfg := FastSweepConfig()
	cfg.Log = os.Stderr
	_, choice := testBackendChoice(t)
	cfg.Timing.BackendLabel = choice
	tab, err := Sweep(context.Background(), testBackend(t), cfg)
	require.NoError(t, err)
	f, err := os.Create(out)
	require.NoError(t, err)
	require.NoError(t, tab.WriteCSV(f))
	require.NoError(t, f.Close())
	for _, s := range tab.Skipped {
		t.Logf("skipped %s", s)
	}
}
