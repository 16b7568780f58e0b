package bptt

import (
	"math"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/recurrent"
	"github.com/stretchr/testify/require"
)

func TestFigures(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	kinds := []recurrent.Kind{recurrent.RNNTanh, recurrent.GRU}
	f, err := LagFigure(kinds, map[recurrent.Kind][]float64{recurrent.RNNTanh: {1, 0.1, 0}, recurrent.GRU: {1, 0.5, 0.25}}, 64, "cpu")
	require.NoError(t, err)
	require.Equal(t, "Gradient reaching h_t from a loss at step T=3 (fresh weights, H=64)", f.Title)
	require.Equal(t, []float64{0, 1, 2}, f.Series[0].X)
	require.True(t, math.IsNaN(f.Series[0].Y[2]), "an underflow is a gap")
	require.Equal(t, 0.25, f.Series[1].Y[2])
	_, err = f.SVG()
	require.NoError(t, err)
	_, err = LagFigure(kinds, map[recurrent.Kind][]float64{recurrent.GRU: {1}}, 64, "")
	require.ErrorContains(t, err, "no norms for rnn_tanh")

	runs := []RadiusRun{{Rho: 0.5, Linear: []float64{2, 1, 0.5}, Real: []float64{2, 0.8, 0.3}}, {Rho: 2, Linear: []float64{1, 2, 4}, Real: []float64{1, 1.5, 2}}}
	figs := RadiusFigures(runs)
	require.Len(t, figs, 2)
	require.Equal(t, "ρ = 2.0", figs[1].Series[1].Name)
	require.Equal(t, []float64{1, 1.5, 2}, figs[1].Series[1].Y)
	one := runs[1].Figure()
	require.Equal(t, "ρ^n", one.Series[2].Name)
	require.Equal(t, []float64{1, 2, 4}, one.Series[2].Y, "ρ^n anchored at lag 1 matches an exact geometric curve")
}
