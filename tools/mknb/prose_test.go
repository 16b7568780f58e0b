package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	fences     = regexp.MustCompile("(?s)```.*?```")
	displayMth = regexp.MustCompile(`(?s)\$\$.*?\$\$`)
	inlineMth  = regexp.MustCompile(`\$[^$\n]*\$`)
	inlineCode = regexp.MustCompile("`[^`\n]*`")
	comments   = regexp.MustCompile(`(?s)<!--.*?-->`)
	arxivIDs   = regexp.MustCompile(`arXiv:\d+\.\d+`)
	// A typed result: a decimal number (7.8, 0.167) or a factor (20×) in prose.
	typedResult = regexp.MustCompile(`(?:^|[^\w.])(\d+\.\d+|\d+(?:\.\d+)?\s?×)`)
	// A citation of a published measurement: "(2024)", "et al. 2024", "NeurIPS 2024", and in
	// Chinese "Feng 等人（2024）".
	citation = regexp.MustCompile(`(?:et al\.|等人|\(|（)[^.]*\b(19|20)\d\d\b`)
)

// proseFindings returns the typed results of a notebook source's prose: text outside code
// fences, inline code, math and comments. A number there cannot follow the computation, so
// results are printed by code cells, and parameters and analytic constants go in math
// ($\rho = 1.5$, $1/6 \approx 0.167$). A sentence that cites a publication may quote its
// measured factors (e.g. "175× faster (Feng et al. 2024)").
func proseFindings(src string) []string {
	prose := fences.ReplaceAllString(src, "")
	for _, re := range []*regexp.Regexp{comments, displayMth, inlineMth, inlineCode, arxivIDs} {
		prose = re.ReplaceAllString(prose, "")
	}
	var out []string
	for _, sentence := range regexp.MustCompile(`[.!?]\s+|[。！？]|\n\n`).Split(prose, -1) {
		if citation.MatchString(sentence) {
			continue
		}
		for _, m := range typedResult.FindAllStringSubmatch(sentence, -1) {
			out = append(out, m[1]+" in: "+strings.Join(strings.Fields(sentence), " "))
		}
	}
	return out
}

func TestProseHasNoTypedResults(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "src", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, ed := range Editions {
		tr, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "src", ed, "*.md"))
		require.NoError(t, err)
		files = append(files, tr...)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, finding := range proseFindings(string(src)) {
			t.Errorf("%s: a number typed into prose (print it from a code cell, or write a parameter or constant as math): %s",
				strings.TrimPrefix(f, "../../notebooks/src/"), finding)
		}
	}
}

func TestProseFindings(t *testing.T) {
	got := proseFindings("The loss fell to 7.8 after training. It is $1/6 \\approx 0.167$.\n\n" +
		"```go\nx := 2.5\n```\nThe scan is about 20× faster here. Feng et al. (2024) measured 175× at $T = 512$.")
	require.Len(t, got, 2)
	require.Contains(t, got[0], "7.8 in: The loss fell to 7.8 after training")
	require.Contains(t, got[1], "20×")

	// The Chinese edition: sentences end with 。！？, and a citation is recognised in them too.
	got = proseFindings("训练后损失降到 0.94。扫描快了约 20× 左右。参数 $\\rho = 1.5$。Feng et al. (2024) 测得 175×。" +
		"Feng 等人（2024）测得快 235× 。")
	require.Len(t, got, 2)
	require.Contains(t, got[0], "0.94 in: 训练后损失降到 0.94")
	require.Contains(t, got[1], "20×")
}
