package notebook

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/stretchr/testify/require"
)

func TestMode(t *testing.T) {
	t.Setenv(ModeEnv, "")
	m, err := ModeFromEnv()
	require.NoError(t, err)
	require.Equal(t, Fast, m, "unset means fast: interactive use finishes in minutes")
	require.Equal(t, 1, Pick(1, 2))
	t.Setenv(ModeEnv, "full")
	require.Equal(t, 2, Pick(1, 2))
	t.Setenv(ModeEnv, "quick")
	_, err = ModeFromEnv()
	require.ErrorContains(t, err, `"quick"`)
}

func TestMarkdownTable(t *testing.T) {
	got := MarkdownTable([]string{"cell", "ms"}, [][]any{{"lstm", 1.23456}, {"gru", 7}})
	require.Equal(t, "| cell | ms |\n|---|---|\n| lstm | 1.235 |\n| gru | 7 |\n", got)
	// A check column reads yes/no in the edition's language, not true/false.
	t.Setenv("GONB_DIR", "")
	t.Setenv(lang.Env, "en")
	require.Equal(t, "| ok |\n|---|\n| yes |\n| no |\n", MarkdownTable([]string{"ok"}, [][]any{{true}, {false}}))
	t.Setenv(lang.Env, "zh")
	require.Equal(t, "| ok |\n|---|\n| 是 |\n| 否 |\n", MarkdownTable([]string{"ok"}, [][]any{{true}, {false}}))
}

// TestShowFailsLoudlyOnBrokenPipe: when gonbui cannot reach the kernel (here: GONB_PIPE names a
// pipe that does not exist), ShowSVG panics with the reason instead of dropping the figure.
// It leaves gonbui's global error state set, so it runs last in this package.
func TestShowFailsLoudlyOnBrokenPipe(t *testing.T) {
	old := gonbui.IsNotebook
	gonbui.IsNotebook = true
	t.Cleanup(func() { gonbui.IsNotebook = old })
	t.Setenv(protocol.GONB_PIPE_ENV, filepath.Join(t.TempDir(), "no-such-pipe"))
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok {
			t.Fatalf("ShowSVG did not panic with an error on a broken pipe (recovered %v)", r)
		}
		for _, want := range []string{"could not display an SVG figure", "no-such-pipe"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("panic %q does not contain %q", err, want)
			}
		}
	}()
	ShowSVG(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`)
}
