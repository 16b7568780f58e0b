package scan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The memory floor of the benchmarked recurrence (B=32, H=64, float32): what any implementation
// must at least pay on this machine for the bytes it has to move. BenchmarkScanFloor runs, beside
// the loop and the chunked scan (see BENCHMARKS.md for the command and the ratios):
//
//   - the triad: it streams x = y + s·z over float32 arrays as large as one [B, T, H]
//     tensor (STREAM's triad: two reads and one write per element) and reports the bandwidth in
//     GB/s;
//   - the fused recurrence: it runs the recurrence as one plain Go loop per pass, in place of a
//     graph: forward h_t = a_t ⊙ h_{t−1} + b_t, backward δ_t = g_t + a_{t+1} ⊙ δ_{t+1},
//     ∂a_t = δ_t ⊙ h_{t−1}, ∂b_t = δ_t. It reads a, b (forward) and g, a, h (backward) and writes
//     h, ∂a, ∂b: 8 tensors of B·T·H float32 for fwd+bwd, 3 for fwd. Its time is the floor a fused
//     kernel reaches; the scans and the loop are graphs of many operations, each of which reads
//     and writes whole tensors.

func benchFloorInputs(T int) (a, b, g []float32) {
	n := benchB * T * benchH
	rng := rand.New(rand.NewPCG(1, uint64(T)))
	a, b, g = make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range a {
		a[i] = float32(0.5 + 0.5*rng.Float64())
		b[i] = float32(rng.NormFloat64())
		g[i] = float32(rng.NormFloat64())
	}
	return a, b, g
}

// fusedForward writes h for the layout [B, T, H].
func fusedForward(a, b, h []float32, B, T, H int) {
	for bi := 0; bi < B; bi++ {
		base := bi * T * H
		copy(h[base:base+H], b[base:base+H])
		for t := 1; t < T; t++ {
			cur, prev := base+t*H, base+(t-1)*H
			hc, hp, ac, bc := h[cur:cur+H], h[prev:prev+H], a[cur:cur+H], b[cur:cur+H]
			for j := range hc {
				hc[j] = ac[j]*hp[j] + bc[j]
			}
		}
	}
}

// fusedBackward writes ∂a and ∂b of sum(h ⊙ g); delta is one [H] row of scratch.
func fusedBackward(a, h, g, da, db, delta []float32, B, T, H int) {
	for bi := 0; bi < B; bi++ {
		base := bi * T * H
		for j := range delta {
			delta[j] = 0
		}
		for t := T - 1; t >= 0; t-- {
			cur := base + t*H
			gc, dbc, dac := g[cur:cur+H], db[cur:cur+H], da[cur:cur+H]
			var anext []float32
			if t+1 < T {
				anext = a[cur+H : cur+2*H]
			}
			for j := range delta {
				d := gc[j]
				if anext != nil {
					d += anext[j] * delta[j]
				}
				delta[j] = d
				dbc[j] = d
				if t > 0 {
					dac[j] = d * h[cur-H+j]
				} else {
					dac[j] = 0
				}
			}
		}
	}
}

// BenchmarkScanFloor runs, side by side at each T and fwd+bwd: the triad (bandwidth), the fused
// recurrence (the floor), the sequential loop and the chunked scan (graphs, as BenchmarkScan).
// Each reports cpu-ms/op; the triad also GB/s, the fused loop the bytes it must move (MB/s via
// SetBytes).
func BenchmarkScanFloor(b *testing.B) {
	for _, T := range benchTs {
		b.Run(fmt.Sprintf("T=%d/impl=triad", T), func(b *testing.B) {
			y, z, x := benchFloorInputs(T)
			const s = float32(0.5)
			b.SetBytes(int64(3 * 4 * len(x)))
			cpu0 := cpuTime()
			for b.Loop() {
				for i := range x {
					x[i] = y[i] + s*z[i]
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(b.N)*float64(3*4*len(x))/b.Elapsed().Seconds()/1e9, "GB/s")
		})
		b.Run(fmt.Sprintf("T=%d/impl=fused", T), func(b *testing.B) {
			a, bb, g := benchFloorInputs(T)
			n := len(a)
			h, da, db, delta := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, benchH)
			b.SetBytes(int64(8 * 4 * n))
			cpu0 := cpuTime()
			for b.Loop() {
				fusedForward(a, bb, h, benchB, T, benchH)
				fusedBackward(a, h, g, da, db, delta, benchB, T, benchH)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
		})
		b.Run(fmt.Sprintf("T=%d/impl=sequential", T), func(b *testing.B) { benchForm(b, Sequential, T, true) })
		b.Run(fmt.Sprintf("T=%d/impl=chunked", T), func(b *testing.B) { benchForm(b, ChunkedFunc(DefaultChunk), T, true) })
	}
}

// TestFusedRecurrence checks the floor's loops against the sequential scan and finite
// differences of sum(h ⊙ g), so that the floor measures a correct computation.
func TestFusedRecurrence(t *testing.T) {
	const B, T, H = 2, 7, 3
	rng := rand.New(rand.NewPCG(3, 4))
	n := B * T * H
	a, b, g := make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range a {
		a[i], b[i], g[i] = float32(0.5+0.5*rng.Float64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	h, da, db, delta := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, H)
	fusedForward(a, b, h, B, T, H)
	fusedBackward(a, h, g, da, db, delta, B, T, H)
	loss := func(a, b []float32) float64 {
		hh := make([]float32, n)
		fusedForward(a, b, hh, B, T, H)
		s := 0.0
		for i := range hh {
			s += float64(hh[i]) * float64(g[i])
		}
		return s
	}
	// h against the recurrence written out per element, in float64.
	for bi := 0; bi < B; bi++ {
		for j := 0; j < H; j++ {
			prev := 0.0
			for tt := 0; tt < T; tt++ {
				i := (bi*T+tt)*H + j
				prev = float64(a[i])*prev + float64(b[i])
				if d := prev - float64(h[i]); !(math.Abs(d) <= 1e-5) { // NaN fails too
					t.Fatalf("h[%d,%d,%d] = %v, want %v", bi, tt, j, h[i], prev)
				}
			}
		}
	}
	// Gradients against central differences (float32 inputs, so a loose tolerance).
	const eps = 1e-2
	for _, c := range []struct {
		name string
		x    []float32
		grad []float32
	}{{"a", a, da}, {"b", b, db}} {
		for i := range c.x {
			orig := c.x[i]
			c.x[i] = orig + eps
			up := loss(a, b)
			c.x[i] = orig - eps
			down := loss(a, b)
			c.x[i] = orig
			fd := (up - down) / (2 * eps)
			if d := fd - float64(c.grad[i]); !(math.Abs(d) <= 2e-3) { // NaN fails too
				t.Errorf("∂%s[%d] = %v, finite differences %v", c.name, i, c.grad[i], fd)
			}
		}
	}
}
