package tasks

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecall(t *testing.T) {
	r, err := NewRecall(10, 3)
	require.NoError(t, err)
	x, y, err := r.BatchAt(5, 64)
	require.NoError(t, err)
	require.Len(t, x, 64*10*2)
	for b := range 64 {
		markers := 0
		for step := range 10 {
			if x[(b*10+step)*2+1] == 1 {
				markers++
				require.Less(t, step, 5, "marker in the first half")
				require.Equal(t, x[(b*10+step)*2], y[b])
			}
		}
		require.Equal(t, 1, markers)
	}
	x2, _, err := r.BatchAt(5, 64)
	require.NoError(t, err)
	require.Equal(t, x, x2)
	_, err = NewRecall(1, 0)
	require.Error(t, err)
	_, _, err = r.BatchAt(-1, 4)
	require.Error(t, err)
}
