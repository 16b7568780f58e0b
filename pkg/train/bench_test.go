package train

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// Benchmark shapes of the recurrent-cells issue: batch 32, input 8, hidden 64, a loss on every
// step, Adam. Graph build and compilation happen before the timer and are reported as the
// compile-ms metric. Compare runs with benchstat; see results/README.md for the commands.
const benchB, benchD, benchH = 32, 8, 64

// Each cell runs on the default path (bptt's hand-written fast path) and with Autodiff.
var benchCells = []struct {
	name     string
	kind     recurrent.Kind
	autodiff bool
}{
	{"rnn", recurrent.RNNTanh, false},
	{"lstm", recurrent.LSTM, false},
	{"gru", recurrent.GRU, false},
	{"rnn_autodiff", recurrent.RNNTanh, true},
	{"lstm_autodiff", recurrent.LSTM, true},
	{"gru_autodiff", recurrent.GRU, true},
}

var benchTs = []int{16, 64, 256, 1024}

func benchBatch(T int) (x, y *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(1, uint64(T)))
	xs := make([]float32, benchB*T*benchD)
	ys := make([]float32, benchB*T)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	for i := range ys {
		ys[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(xs, benchB, T, benchD), tensors.FromFlatDataAndDimensions(ys, benchB, T, 1)
}

func benchTrainer(b *testing.B, kind recurrent.Kind, autodiff bool) *Trainer {
	m, err := NewModel(ModelConfig{
		Kind: CellKind(kind), InputSize: benchD, HiddenSize: benchH, NumLayers: 1, DType: dtypes.Float32,
		OutputSize: 1, Loss: MSE}, 1)
	if err != nil {
		b.Fatal(err)
	}
	tr, err := New(testBackend(b), m, Config{Optimizer: Adam, LearningRate: 1e-3, Gradients: gradientsOf(autodiff)})
	if err != nil {
		b.Fatal(err)
	}
	return tr
}

// BenchmarkTrainStep times one full-BPTT train step (forward, backward, Adam update).
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range benchCells {
		for _, T := range benchTs {
			b.Run(fmt.Sprintf("cell=%s/T=%d", c.name, T), func(b *testing.B) {
				tr := benchTrainer(b, c.kind, c.autodiff)
				x, y := benchBatch(T)
				start := time.Now()
				if err := tr.Compile(x, y); err != nil {
					b.Fatal(err)
				}
				compile := time.Since(start)
				if _, err := tr.Step(x, y); err != nil { // warm-up
					b.Fatal(err)
				}
				b.ResetTimer()
				cpu0 := cpuTime()
				for b.Loop() {
					if _, err := tr.Step(x, y); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
				b.ReportMetric(float64(compile.Milliseconds()), "compile-ms")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(T), "us/timestep")
			})
		}
	}
}

// BenchmarkForward times the forward pass alone (no gradient: the Predictor's graph).
func BenchmarkForward(b *testing.B) {
	for _, c := range benchCells[:3] {
		for _, T := range benchTs {
			b.Run(fmt.Sprintf("cell=%s/T=%d", c.name, T), func(b *testing.B) {
				tr := benchTrainer(b, c.kind, false)
				x, _ := benchBatch(T)
				start := time.Now()
				if err := tr.Compile(x, nil); err != nil {
					b.Fatal(err)
				}
				compile := time.Since(start)
				if _, _, _, err := tr.Forward(x, nil, nil); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if _, _, _, err := tr.Forward(x, nil, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(compile.Milliseconds()), "compile-ms")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(T), "us/timestep")
			})
		}
	}
}
