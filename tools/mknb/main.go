// Command mknb builds the course notebooks (notebooks/NN_name.ipynb) from their literate sources
// (notebooks/src/NN_name.md): every fenced ```go block becomes a code cell, everything between
// them a Markdown cell, and the same set-up cell is put first in every notebook. The sources are
// what people edit and review; the .ipynb files are generated, committed, and checked to be in
// sync by this package's test.
//
//	go run ./tools/mknb          # regenerate every notebook
//	go run ./tools/mknb -check   # exit 1 if a notebook differs from its source
//
// Code shown but not run goes in a ```golang fence, which stays in the Markdown cell. A
// ```go solution fence is a worked solution: a code cell that runs (so CI checks it) with its
// source collapsed in Jupyter (metadata jupyter.source_hidden) and the tag "solution".
// A source line `<!-- nbcheck: require_svg -->` makes tools/nbcheck require an SVG output.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SetupCell is the first cell of every notebook: it makes this repository's packages importable
// with the dependency versions of its go.mod (see scripts/nbsetup.sh).
const SetupCell = `!*bash "${GONB_DIR%/notebooks*}/scripts/nbsetup.sh"`

// cell is a notebook cell; code cells carry execution_count (null) and outputs ([]), as nbformat
// 4.4 requires, markdown cells neither.
type cell struct {
	CellType       string         `json:"cell_type"`
	ExecutionCount *nullInt       `json:"execution_count,omitempty"`
	Metadata       map[string]any `json:"metadata"`
	Outputs        *[]any         `json:"outputs,omitempty"`
	Source         []string       `json:"source"`
}

// nullInt marshals as JSON null.
type nullInt struct{}

func (nullInt) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

type notebook struct {
	Cells         []cell         `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

func sourceLines(s string) []string {
	s = strings.Trim(s, "\n")
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func codeCell(src string) cell {
	empty := []any{}
	return cell{CellType: "code", ExecutionCount: &nullInt{}, Metadata: map[string]any{}, Outputs: &empty, Source: sourceLines(src)}
}

// Convert turns a literate source into notebook JSON.
func Convert(src []byte) ([]byte, error) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	nb := notebook{NBFormat: 4, NBFormatMinor: 4, Metadata: map[string]any{
		"kernelspec":    map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
		"language_info": map[string]any{"file_extension": ".go", "mimetype": "text/x-go", "name": "go"},
	}}
	if strings.Contains(text, "<!-- nbcheck: require_svg -->") {
		nb.Metadata["nbcheck"] = map[string]any{"require_svg": true}
		text = strings.ReplaceAll(text, "<!-- nbcheck: require_svg -->\n", "")
	}
	nb.Cells = append(nb.Cells, codeCell(SetupCell))
	var md strings.Builder
	flushMD := func() {
		if s := strings.TrimSpace(md.String()); s != "" {
			nb.Cells = append(nb.Cells, cell{CellType: "markdown", Metadata: map[string]any{}, Source: sourceLines(s)})
		}
		md.Reset()
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		fence := strings.TrimSpace(lines[i])
		if fence != "```go" && fence != "```go solution" {
			md.WriteString(lines[i] + "\n")
			continue
		}
		flushMD()
		start := i + 1
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
		}
		if i >= len(lines) {
			return nil, fmt.Errorf("line %d: ```go block is not closed", start)
		}
		c := codeCell(strings.Join(lines[start:i], "\n"))
		if fence == "```go solution" {
			c.Metadata = map[string]any{"jupyter": map[string]any{"source_hidden": true}, "tags": []string{"solution"}}
		}
		nb.Cells = append(nb.Cells, c)
	}
	flushMD()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Targets maps each source under dir/src to its notebook under dir.
func Targets(dir string) (map[string]string, error) {
	srcs, err := filepath.Glob(filepath.Join(dir, "src", "[0-9]*.md"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range srcs {
		out[s] = filepath.Join(dir, strings.TrimSuffix(filepath.Base(s), ".md")+".ipynb")
	}
	return out, nil
}

func run(dir string, check bool) error {
	targets, err := Targets(dir)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return fmt.Errorf("no sources in %s/src", dir)
	}
	var stale []string
	for src, dst := range targets {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		want, err := Convert(data)
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		have, _ := os.ReadFile(dst)
		if bytes.Equal(have, want) {
			continue
		}
		if check {
			stale = append(stale, dst)
			continue
		}
		if err := os.WriteFile(dst, want, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", dst)
	}
	if len(stale) > 0 {
		return fmt.Errorf("notebooks out of date with their sources (run go run ./tools/mknb): %s", strings.Join(stale, ", "))
	}
	return nil
}

func main() {
	dir := flag.String("dir", "notebooks", "notebooks folder (sources in <dir>/src)")
	check := flag.Bool("check", false, "only check that the notebooks are up to date")
	flag.Parse()
	if err := run(*dir, *check); err != nil {
		fmt.Fprintln(os.Stderr, "mknb:", err)
		os.Exit(1)
	}
}
