package scan

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Benchmark shapes: batch 32, hidden 64, float32, a minGRU-style recurrence with a_t, b_t given
// as inputs (a in (0.5, 1), b ~ N(0, 1)). mode=fwd returns all h_t; mode=fwdbwd returns the
// gradients of sum(h ⊙ g) with respect to a and b. Graph building and compilation happen before
// the timer and are reported as compile-ms; cpu-ms/op is the process's CPU time per iteration,
// which other load on a shared machine disturbs less than wall time (ns/op). See BENCHMARKS.md
// for the command and results.
const benchB, benchH = 32, 64

// benchNaiveMaxT is the longest sequence benchmarked for SequentialNaive: its backward pass is
// O(T²) (about 2.5 minutes per step at T=4096), so longer ones are skipped.
const benchNaiveMaxT = 1024

var benchTs = []int{256, 1024, 4096, 16384}

// benchForms are the forms benchmarked. Two environment variables add more:
// BENCH_CHUNKS="8,32" adds Chunked at those chunk lengths (chunked8, chunked32), for tuning
// DefaultChunk; BENCH_ADJOINT=1 adds Blelloch and Chunked with WithAdjointGradient
// (blelloch-adjoint, chunked-adjoint), whose backward pass is one reversed scan.
func benchForms() []namedFunc {
	fs := namedForms()
	if s := os.Getenv("BENCH_CHUNKS"); s != "" {
		for _, c := range strings.Split(s, ",") {
			k, err := strconv.Atoi(c)
			if err == nil && k > 0 {
				fs = append(fs, namedFunc{"chunked" + c, ChunkedFunc(k)})
			}
		}
	}
	if os.Getenv("BENCH_ADJOINT") != "" {
		fs = append(fs, namedFunc{"blelloch-adjoint", WithAdjointGradient(Blelloch)},
			namedFunc{"chunked-adjoint", WithAdjointGradient(ChunkedFunc(DefaultChunk))})
	}
	return fs
}

func benchInputs(T int) (a, b, g *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(1, uint64(T)))
	dims := []int{benchB, T, benchH}
	a = fill(dtypes.Float32, dims, func() float64 { return 0.5 + 0.5*rng.Float64() })
	b = fill(dtypes.Float32, dims, rng.NormFloat64)
	g = fill(dtypes.Float32, dims, rng.NormFloat64)
	return a, b, g
}

// BenchmarkScan times each form's forward pass, and forward plus backward pass (autodiff).
func BenchmarkScan(b *testing.B) {
	for _, f := range benchForms() {
		for _, T := range benchTs {
			for _, mode := range []string{"fwd", "fwdbwd"} {
				b.Run(fmt.Sprintf("form=%s/T=%d/mode=%s", f.Name, T, mode), func(b *testing.B) {
					if f.Name == "naive" && T > benchNaiveMaxT {
						b.Skipf("SequentialNaive's backward pass is O(T²): skipped above T=%d", benchNaiveMaxT)
					}
					benchForm(b, f.Func, T, mode == "fwdbwd")
				})
			}
		}
	}
}

func benchForm(b *testing.B, scan Func, T int, backward bool) {
	a, bb, g := benchInputs(T)
	exec, err := NewExec(testBackend(b), func(a, bb, g *Node) []*Node {
		h := scan(a, bb, nil)
		if !backward {
			return []*Node{h}
		}
		return Gradient(ReduceAllSum(Mul(h, g)), a, bb)
	})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := exec.Compile(a.Shape(), bb.Shape(), g.Shape()); err != nil {
		b.Fatal(err)
	}
	compile := time.Since(start)
	run := func() {
		outs, err := exec.Call(a, bb, g)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			o.FinalizeAll()
		}
	}
	run() // warm-up
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		run()
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(compile.Milliseconds()), "compile-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(b.N), "cpu-ms/op")
}
