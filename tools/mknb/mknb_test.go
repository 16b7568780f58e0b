package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

func TestConvertEdition(t *testing.T) {
	en := "<!-- nbcheck: require_svg -->\n<!-- nbcheck: allow_english ^Light\\b -->\n# Title\n\nText.\n\n```go\n%%\nfmt.Println(1)\n```\n\nMore.\n\n```go solution\n%%\nfmt.Println(2)\n```\n"
	zh := "# 标题\n\n正文。\n\n<!-- code 1 -->\n\n更多。\n\n<!-- code 2 -->\n"
	out, err := ConvertEdition([]byte(en), []byte(zh), "zh")
	require.NoError(t, err)
	var nb notebook
	require.NoError(t, json.Unmarshal(out, &nb))
	require.Len(t, nb.Cells, 5)
	require.Equal(t, []string{"# 标题\n", "\n", "正文。"}, nb.Cells[1].Source)
	require.Equal(t, []string{"%%\n", "fmt.Println(1)"}, nb.Cells[2].Source)
	require.Equal(t, []string{"更多。"}, nb.Cells[3].Source)
	require.Equal(t, []any{"solution"}, nb.Cells[4].Metadata["tags"])
	require.Equal(t, true, nb.Metadata["nbcheck"].(map[string]any)["require_svg"])
	require.Equal(t, "zh", nb.Metadata["rnn_course"].(map[string]any)["lang"])
	require.Equal(t, []any{`^Light\b`}, nb.Metadata["nbcheck"].(map[string]any)["allow_english"])
	_, err = Convert([]byte("<!-- nbcheck: allow_english ( -->\n# T\n"))
	require.ErrorContains(t, err, "allow_english")

	for _, c := range []struct{ zh, err string }{
		{"<!-- code 1 -->\n", "references code cells 1–1, the English source has 2"},
		{"<!-- code 2 -->\n<!-- code 1 -->\n", "want <!-- code 1 --> here"},
		{"<!-- code 1 -->\n<!-- code 1 -->\n<!-- code 2 -->\n", "want <!-- code 2 --> here"},
		{"<!-- code 1 -->\n<!-- code 2 -->\n<!-- code 3 -->\n", "only 2 code cells"},
		{"<!-- code 1 -->\n```go\n%%\nfmt.Println(3)\n```\n<!-- code 2 -->\n", "shares the English source's code"},
	} {
		_, err := ConvertEdition([]byte(en), []byte(c.zh), "zh")
		require.ErrorContains(t, err, c.err, c.zh)
	}
}

// TestEditionsComplete: every course notebook (01 onwards) has a Chinese edition whose code cells
// (sources and metadata) equal the English notebook's, in order, with nothing else between them.
func TestEditionsComplete(t *testing.T) {
	read := func(path string) notebook {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var nb notebook
		require.NoError(t, json.Unmarshal(data, &nb), path)
		return nb
	}
	code := func(nb notebook) (out []cell) {
		for _, c := range nb.Cells {
			if c.CellType == "code" {
				out = append(out, c)
			}
		}
		return out
	}
	ens, err := filepath.Glob("../../notebooks/[0-9]*.ipynb")
	require.NoError(t, err)
	n := 0
	for _, en := range ens {
		if strings.HasPrefix(filepath.Base(en), "00_") { // the smoke test is not a lesson
			continue
		}
		n++
		for _, ed := range Editions {
			tr := filepath.Join(filepath.Dir(en), ed, filepath.Base(en))
			require.FileExists(t, tr, "the %s edition of %s", ed, en)
			enCode, trCode := code(read(en)), code(read(tr))
			require.Equal(t, len(enCode), len(trCode), tr)
			for i := range enCode {
				require.Equal(t, enCode[i].Source, trCode[i].Source, "%s: code cell %d", tr, i+1)
				require.Equal(t, enCode[i].Metadata, trCode[i].Metadata, "%s: code cell %d", tr, i+1)
			}
		}
	}
	require.GreaterOrEqual(t, n, 6)
}
