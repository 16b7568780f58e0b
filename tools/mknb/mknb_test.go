package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConvert(t *testing.T) {
	src := "<!-- nbcheck: require_svg -->\n# Title\n\nSome text.\n\n```go\n%%\nfmt.Println(1)\n```\n\nMore.\n"
	out, err := Convert([]byte(src))
	require.NoError(t, err)
	var nb notebook
	require.NoError(t, json.Unmarshal(out, &nb))
	require.Len(t, nb.Cells, 4)
	require.Equal(t, []string{SetupCell}, nb.Cells[0].Source)
	require.Equal(t, "markdown", nb.Cells[1].CellType)
	require.Equal(t, []string{"# Title\n", "\n", "Some text."}, nb.Cells[1].Source)
	require.Equal(t, []string{"%%\n", "fmt.Println(1)"}, nb.Cells[2].Source)
	require.Equal(t, true, nb.Metadata["nbcheck"].(map[string]any)["require_svg"])
	_, err = Convert([]byte("```go\nfoo\n"))
	require.ErrorContains(t, err, "not closed")

	// A solution fence: a code cell that runs, its source collapsed and tagged.
	out, err = Convert([]byte("Exercise.\n\n```go solution\n%%\nfmt.Println(2)\n```\n"))
	require.NoError(t, err)
	nb = notebook{}
	require.NoError(t, json.Unmarshal(out, &nb))
	require.Len(t, nb.Cells, 3)
	sol := nb.Cells[2]
	require.Equal(t, "code", sol.CellType)
	require.Equal(t, []string{"%%\n", "fmt.Println(2)"}, sol.Source)
	require.Equal(t, true, sol.Metadata["jupyter"].(map[string]any)["source_hidden"])
	require.Equal(t, []any{"solution"}, sol.Metadata["tags"])
}

// TestNotebooksInSync fails when a committed notebook differs from its source.
func TestNotebooksInSync(t *testing.T) {
	require.NoError(t, run("../../notebooks", true))
}
