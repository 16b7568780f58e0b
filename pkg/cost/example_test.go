package cost_test

import (
	"fmt"

	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/cost"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
)

// The critical path of an unrolled RNN grows by 3 nodes per step (DotGeneral → Add → Tanh);
// causal attention's does not grow at all, although its work grows with T².
func ExampleWalk() {
	b := backend.MustNew()
	walk := func(m cost.Model, T int) cost.Stats {
		built, err := cost.BuildGraph(b, m, cost.Fwd, cost.Shape{B: 32, T: T, D: 8, H: 64})
		if err != nil {
			panic(err)
		}
		return cost.Walk(built.Outputs...)
	}
	rnn, att := cost.Recurrent(recurrent.RNNTanh), cost.Attention(1)
	for _, T := range []int{16, 64, 256} {
		r, a := walk(rnn, T), walk(att, T)
		fmt.Printf("T=%-3d rnn depth %3d, %6.1f Mflop; attention depth same as at T=16: %v, %6.1f Mflop\n",
			T, r.Depth, float64(r.Flops)/1e6, a.Depth == walk(att, 16).Depth, float64(a.Flops)/1e6)
	}
	// Output:
	// T=16  rnn depth  55,    4.9 Mflop; attention depth same as at T=16: true,    8.1 Mflop
	// T=64  rnn depth 199,   19.5 Mflop; attention depth same as at T=16: true,   58.3 Mflop
	// T=256 rnn depth 775,   78.2 Mflop; attention depth same as at T=16: true,  647.1 Mflop
}

// Brent's bound with the stated (not measured) constants of an H200: a graph of depth 3·4096
// pays 5 µs per level however little work it has.
func ExampleGPUModelH200() {
	gpu := cost.GPUModelH200()
	fmt.Println(gpu.Predict(1e9, 3*4096+7))
	fmt.Println(gpu.Predict(1e12, 15))
	// Output:
	// 61.489925ms
	// 15.000373ms
}
