package cost

import "time"

// FullSweepConfig is the sweep of notebook 05's full mode: the default models at every power of
// two from T = 16 to 4096 (batch 32) and every batch from 1 to 256 (T = 64). It measures more
// sizes than FastSweepConfig and allows runs of 1.5 s (fast: 1 s), and took 69 s on a 2-core CPU
// at load 2.7 (2026-12-07): each case runs 5 times unless its timed runs already took 0.5 s after
// 2 (the slow cases, whose spread is small next to their time), and cases predicted to take
// more than 1.5 s per run (attention's longest, forward + backward) are skipped and listed, as
// are graphs that EstimateNodes puts over 250 000 nodes: the LSTM's and the GRU's forward +
// backward at T = 4096, whose building alone takes 4-7 s (the RNN's and every forward graph
// stay).
func FullSweepConfig() SweepConfig {
	return SweepConfig{
		Ts: []int{16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, B: 32,
		Batches: []int{1, 2, 4, 8, 16, 32, 64, 128, 256}, BatchT: 64,
		Timing:     TimingOptions{Warmup: 1, Repeats: 5, MinRepeats: 2, MaxTime: 500 * time.Millisecond},
		Budget:     5 * time.Minute,
		MaxRunTime: 1500 * time.Millisecond,
		MaxNodes:   250_000,
	}
}
