package notebook

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type sharedCurve struct {
	X, Y []float64
	Note string
}

// TestShared: without a folder every call computes; with one, the first call computes and
// saves, the second reads back the same value without computing, per mode; bad names, broken
// files and unsavable values are refused with a message.
func TestShared(t *testing.T) {
	calls := 0
	curve := func() sharedCurve {
		calls++
		return sharedCurve{X: []float64{1, 2, 3}, Y: []float64{0.5, 0.25, 1e-9}, Note: "困惑度"}
	}
	for range 2 {
		_, reused, err := shared("", "04-lm", Fast, curve)
		require.NoError(t, err)
		require.Nil(t, reused)
	}
	require.Equal(t, 2, calls)

	dir := t.TempDir()
	first, reused, err := shared(dir, "04-lm", Fast, curve)
	require.NoError(t, err)
	require.Nil(t, reused)
	require.Equal(t, 3, calls)
	second, reused, err := shared(dir, "04-lm", Fast, curve)
	require.NoError(t, err)
	require.NotNil(t, reused)
	require.Equal(t, 3, calls, "the second edition reads the result back")
	require.Equal(t, first, second)
	require.Equal(t, Fast, reused.Mode)

	_, reused, err = shared(dir, "04-lm", Full, curve)
	require.NoError(t, err)
	require.Nil(t, reused, "another mode computes")
	require.Equal(t, 4, calls)

	t.Setenv(SeedEnv, "3")
	_, reused, err = shared(dir, "04-lm", Fast, curve)
	require.NoError(t, err)
	require.Nil(t, reused, "another course seed computes")
	require.Equal(t, 5, calls)
	_, reused, err = shared(dir, "04-lm", Fast, curve)
	require.NoError(t, err)
	require.NotNil(t, reused, "the same course seed reads back")
	require.Equal(t, 5, calls)
	t.Setenv(SeedEnv, "")

	_, _, err = shared(dir, "04 LM", Fast, curve)
	require.ErrorContains(t, err, `name "04 LM"`)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.fast.json"), []byte("{"), 0o644))
	_, _, err = shared(dir, "broken", Fast, curve)
	require.ErrorContains(t, err, "is not a saved result of \"broken\"")

	_, _, err = shared(dir, "nan", Fast, func() float64 { return math.NaN() })
	require.ErrorContains(t, err, "cannot be saved for the other edition")
	_, err = os.Stat(filepath.Join(dir, "nan.fast.json"))
	require.True(t, os.IsNotExist(err), "nothing is left behind")
}
