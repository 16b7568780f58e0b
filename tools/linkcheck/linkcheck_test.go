package main

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	tracked := []string{"README.md", "docs/screenshots/01.png", "notebooks/zh/术语表.md", "pkg/lang/lang.go"}
	files := map[string][]byte{
		"README.md": []byte("See [the glossary](notebooks/zh/术语表.md), [pkg](pkg/lang/), [escaped](notebooks/zh/%E6%9C%AF%E8%AF%AD%E8%A1%A8.md),\n" +
			"![shot](docs/screenshots/01.png \"title\"), [web](https://example.com/x.md), [anchor](#two-commands),\n" +
			"[dead](build/screenshots/01.png) and <img src=\"docs/missing.png\">.\n" +
			"```sh\n[not a link](nowhere.md)\n```\n`[inline](nowhere.md)` [section](README.md#what-is-where)\n"),
		"docs/screenshots/README.md": []byte("[up](../../README.md) [dead up](../README.md)\n"),
	}
	dead := Check(files, tracked)
	var got []string
	for _, d := range dead {
		got = append(got, d.String())
	}
	sort.Strings(got)
	require.Equal(t, []string{
		"README.md:3: build/screenshots/01.png resolves to no tracked file",
		"README.md:3: docs/missing.png resolves to no tracked file",
		"docs/screenshots/README.md:1: ../README.md resolves to no tracked file",
	}, got)
}

func TestMarkdownFiles(t *testing.T) {
	got := markdownFiles([]string{"README.md", "README.zh.md", "CONTRIBUTING.md", "docs/notes/gomlx.md", "notebooks/README.md",
		"notebooks/zh/术语表.md", "notebooks/src/01_bottleneck.md", "pkg/scan/BENCHMARKS.md", "docs/x.png"})
	require.Equal(t, []string{"README.md", "README.zh.md", "CONTRIBUTING.md", "docs/notes/gomlx.md", "notebooks/README.md", "notebooks/zh/术语表.md"}, got)
}

// TestRepositoryLinks: the repository's own Markdown has no dead relative link.
func TestRepositoryLinks(t *testing.T) {
	dead, err := run("../..")
	require.NoError(t, err)
	for _, d := range dead {
		t.Error(d)
	}
}
