package notebook

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMode(t *testing.T) {
	t.Setenv(ModeEnv, "")
	m, err := ModeFromEnv()
	require.NoError(t, err)
	require.Equal(t, Full, m)
	require.Equal(t, 2, Pick(1, 2))
	t.Setenv(ModeEnv, "fast")
	require.Equal(t, 1, Pick(1, 2))
	t.Setenv(ModeEnv, "quick")
	_, err = ModeFromEnv()
	require.ErrorContains(t, err, `"quick"`)
}

func TestMarkdownTable(t *testing.T) {
	got := MarkdownTable([]string{"cell", "ms"}, [][]any{{"lstm", 1.23456}, {"gru", 7}})
	require.Equal(t, "| cell | ms |\n|---|---|\n| lstm | 1.235 |\n| gru | 7 |\n", got)
}
