package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quadVsLinear is a table where attention takes T²/100 ms and the RNN T ms (forward + backward,
// batch 32): their times are equal at T = 100 exactly.
func quadVsLinear() *Table {
	t := &Table{}
	for _, T := range []int{16, 64, 256, 1024} {
		t.Rows = append(t.Rows, Row{Model: "rnn", Pass: FwdBwd, T: T, B: 32, MedianMS: float64(T), MinMS: float64(T) / 2})
		if T <= 256 {
			t.Rows = append(t.Rows, Row{Model: "attention", Pass: FwdBwd, T: T, B: 32, MedianMS: float64(T*T) / 100, MinMS: float64(T*T) / 400})
		}
	}
	for _, B := range []int{1, 8, 256} {
		t.Rows = append(t.Rows, Row{Model: "rnn", Pass: FwdBwd, T: 64, B: B, MedianMS: float64(B)})
	}
	return t
}

func TestLongestCommonAndTimeRatio(t *testing.T) {
	tab := quadVsLinear()
	T, att, rnn, ok := LongestCommon(tab, "attention", "rnn", FwdBwd, 32)
	require.True(t, ok)
	assert.Equal(t, 256, T) // the RNN goes to 1024, attention only to 256
	assert.Equal(t, 256.0*256/100, att.MedianMS)
	assert.Equal(t, 256.0, rnn.MedianMS)
	ratio, T2 := TimeRatio(tab, "attention", "rnn", FwdBwd, 32)
	assert.Equal(t, 256, T2)
	assert.InDelta(t, 2.56, ratio, 1e-12)
	_, _, _, ok = LongestCommon(tab, "attention", "gru", FwdBwd, 32)
	assert.False(t, ok)
	r0, T0 := TimeRatio(tab, "conv", "rnn", FwdBwd, 32)
	assert.Zero(t, r0)
	assert.Zero(t, T0)
}

func TestBatchRange(t *testing.T) {
	small, large, ok := BatchRange(quadVsLinear(), "rnn", FwdBwd, 64)
	require.True(t, ok)
	assert.Equal(t, 1, small.B)
	assert.Equal(t, 256, large.B)
	_, _, ok = BatchRange(quadVsLinear(), "rnn", FwdBwd, 1024) // one batch only
	assert.False(t, ok)
}

func TestDescribeCrossover(t *testing.T) {
	tab := quadVsLinear()
	s := DescribeCrossover(tab, "CPU", "attention", "rnn", FwdBwd, 32)
	// log(time ratio) = log(T/100) is linear in log T, so the interpolation is exact.
	assert.Equal(t, "CPU          attention vs rnn: times cross at T ≈ 100 (between 64 and 256); rnn is faster above\n", s)
	c, ok := Crossover(tab, "attention", "rnn", FwdBwd, 32)
	require.True(t, ok)
	assert.InDelta(t, 100, c.T, 1e-9)
	// Below the crossing only: attention is faster throughout.
	low := &Table{}
	for _, r := range tab.Rows {
		if r.T <= 64 {
			low.Rows = append(low.Rows, r)
		}
	}
	assert.True(t, strings.HasSuffix(DescribeCrossover(low, "CPU", "attention", "rnn", FwdBwd, 32),
		"no crossing between T = 16 and 64; attention is faster throughout\n"))
	assert.True(t, strings.HasSuffix(DescribeCrossover(tab, "CPU", "conv", "rnn", FwdBwd, 32), "no common lengths measured\n"))
}

func TestModelsNamed(t *testing.T) {
	ms, err := ModelsNamed("conv", "rnn")
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, "conv", ms[0].Name)
	assert.False(t, ms[0].Sequential)
	assert.True(t, ms[1].Sequential)
	_, err = ModelsNamed("rnn", "transformer")
	assert.ErrorContains(t, err, `unknown model "transformer"`)
}

func TestFullSweepConfig(t *testing.T) {
	full, fast := FullSweepConfig(), FastSweepConfig()
	require.NoError(t, full.Validate())
	// Full mode measures every size fast mode does, and more.
	for _, T := range fast.Ts {
		assert.Contains(t, full.Ts, T)
	}
	for _, B := range fast.Batches {
		assert.Contains(t, full.Batches, B)
	}
	assert.Greater(t, len(full.Ts), len(fast.Ts))
	assert.Greater(t, len(full.Batches), len(fast.Batches))
	assert.GreaterOrEqual(t, full.MaxRunTime, fast.MaxRunTime)
	assert.GreaterOrEqual(t, full.Timing.Repeats, fast.Timing.Repeats)
	assert.Equal(t, fast.BatchT, full.BatchT)
	assert.False(t, math.IsNaN(full.Budget.Seconds()))
	// MaxNodes leaves out the LSTM's and the GRU's forward + backward graphs at T = 4096, and
	// keeps the RNN's and every forward graph, as EstimateNodes predicts their sizes.
	b := testBackend(t)
	s := Shape{B: 32, T: 4096, D: 8, H: 64}
	for _, c := range []struct {
		model string
		pass  Pass
		kept  bool
	}{{"lstm", FwdBwd, false}, {"gru", FwdBwd, false}, {"rnn", FwdBwd, true}, {"lstm", Fwd, true}, {"gru", Fwd, true}} {
		m, _ := ModelByName(c.model)
		n, err := EstimateNodes(b, m, c.pass, s)
		require.NoError(t, err)
		assert.Equal(t, c.kept, n <= float64(full.MaxNodes), "%s %s: %.0f nodes", c.model, c.pass, n)
	}
}

func TestBestGFLOPS(t *testing.T) {
	r := Row{Flops: 3e9, MedianMS: 2000, MinMS: 1500}
	assert.Equal(t, 2.0, r.BestGFLOPS()) // 3 GFLOP in 1.5 s
	assert.Equal(t, 1.5, r.GFLOPS())
	assert.Zero(t, Row{Flops: 1}.BestGFLOPS())
}
