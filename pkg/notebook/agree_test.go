package notebook

import (
	"math"
	"strings"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/stretchr/testify/require"
)

func TestAgreement(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	a := Agreement{Title: "losses", NameA: "course", NameB: "gomlx", A: []float64{3, 2, 1.5}, B: []float64{3, 2.0004, 1.4999}, Tol: 1e-3, Note: "cpu"}
	f, diff, err := a.Figure()
	require.NoError(t, err)
	require.InDelta(t, 4e-4, diff, 1e-12)
	require.Equal(t, []float64{1, 2, 3}, f.Series[1].X)
	require.Equal(t, []string{"largest |Δ| over 3 steps: 4.0e-04; cpu"}, f.Notes)
	svg, err := f.SVG()
	require.NoError(t, err)
	require.Contains(t, svg, "gomlx")
	require.InDelta(t, 4e-4, ShowAgreement(a), 1e-12) // outside a notebook ShowSVG prints

	a.Tol = 1e-4
	require.PanicsWithValue(t, "course and gomlx differ by up to 4.00e-04, more than the tolerance 1e-04", func() { ShowAgreement(a) })
	a.B[0] = math.NaN()
	require.Panics(t, func() { ShowAgreement(a) }, "NaN never agrees")
	a.B = a.B[:2]
	_, _, err = a.Figure()
	require.True(t, err != nil && strings.Contains(err.Error(), "3 and 2 values"))
}
