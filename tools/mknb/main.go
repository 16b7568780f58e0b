// Command mknb builds the course notebooks (notebooks/NN_name.ipynb) from their literate sources
// (notebooks/src/NN_name.md), and the Chinese edition (notebooks/zh/NN_name.ipynb) from the
// translated prose in notebooks/src/zh/NN_name.md around the English source's code cells.
// Every fenced ```go block becomes a code cell, everything between them a Markdown cell, and the same set-up cell is put first in every notebook. The sources are
// what people edit and review; the .ipynb files are generated, committed, and checked to be in
// sync by this package's test.
//
//	go run ./tools/mknb          # regenerate every notebook
//	go run ./tools/mknb -check   # exit 1 if a notebook differs from its source
//
// Code shown but not run goes in a ```golang fence, which stays in the Markdown cell. A
// ```go solution fence is a worked solution: a code cell that runs (so CI checks it) with its
// source collapsed in Jupyter (metadata jupyter.source_hidden) and the tag "solution".
// A source line `<!-- nbcheck: require_svg -->` makes tools/nbcheck require an SVG output, and
// `<!-- nbcheck: allow_english REGEXP -->` exempts from the English-output check of a translated
// edition a cell whose output has a line matching REGEXP (a model's generated sample text).
//
// A translation holds prose only: a line `<!-- code N -->` stands for the English source's N-th
// code cell (1, 2, … in order, every one), so a code change reaches both editions and a new
// code cell fails the build until its prose is translated. The code prints and draws in the
// edition's language through pkg/lang.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// segment is a run of a literate source: Markdown, or a code cell (solution marks a ```go
// solution fence).
type segment struct {
	code     bool
	solution bool
	text     string
}

const requireSVG = "<!-- nbcheck: require_svg -->"

// allowEnglishRE matches a line `<!-- nbcheck: allow_english REGEXP -->`: a translated edition's
// cell whose output has a line matching REGEXP may print English (tools/nbcheck): sample text.
var allowEnglishRE = regexp.MustCompile(`^<!--\s*nbcheck:\s*allow_english\s+(.+?)\s*-->$`)

// checks are the source's instructions to tools/nbcheck, written into the notebook's metadata.
type checks struct {
	svg          bool     // require an SVG output
	allowEnglish []string // regexps of output lines a translated edition may print in English
}

// parse splits a literate source into segments and reports its nbcheck markers.
func parse(src []byte) (segs []segment, ck checks, err error) {
	text := strings.ReplaceAll(string(src), "\r\n", "\n")
	if strings.Contains(text, requireSVG) {
		ck.svg = true
		text = strings.ReplaceAll(text, requireSVG+"\n", "")
	}
	var kept []string
	for i, line := range strings.Split(text, "\n") {
		m := allowEnglishRE.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			kept = append(kept, line)
			continue
		}
		if _, err := regexp.Compile(m[1]); err != nil {
			return nil, ck, fmt.Errorf("line %d: allow_english: %v", i+1, err)
		}
		ck.allowEnglish = append(ck.allowEnglish, m[1])
	}
	text = strings.Join(kept, "\n")
	var md strings.Builder
	flushMD := func() {
		if s := strings.TrimSpace(md.String()); s != "" {
			segs = append(segs, segment{text: s})
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
			return nil, ck, fmt.Errorf("line %d: ```go block is not closed", start)
		}
		segs = append(segs, segment{code: true, solution: fence == "```go solution", text: strings.Join(lines[start:i], "\n")})
	}
	flushMD()
	return segs, ck, nil
}

// build makes the notebook JSON: the set-up cell, then one cell per segment.
func build(segs []segment, ck checks, meta map[string]any) ([]byte, error) {
	nb := notebook{NBFormat: 4, NBFormatMinor: 4, Metadata: map[string]any{
		"kernelspec":    map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
		"language_info": map[string]any{"file_extension": ".go", "mimetype": "text/x-go", "name": "go"},
	}}
	for k, v := range meta {
		nb.Metadata[k] = v
	}
	nbc := map[string]any{}
	if ck.svg {
		nbc["require_svg"] = true
	}
	if len(ck.allowEnglish) > 0 {
		nbc["allow_english"] = ck.allowEnglish
	}
	if len(nbc) > 0 {
		nb.Metadata["nbcheck"] = nbc
	}
	nb.Cells = append(nb.Cells, codeCell(SetupCell))
	for _, sg := range segs {
		if !sg.code {
			nb.Cells = append(nb.Cells, cell{CellType: "markdown", Metadata: map[string]any{}, Source: sourceLines(sg.text)})
			continue
		}
		c := codeCell(sg.text)
		if sg.solution {
			c.Metadata = map[string]any{"jupyter": map[string]any{"source_hidden": true}, "tags": []string{"solution"}}
		}
		nb.Cells = append(nb.Cells, c)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Convert turns a literate source into notebook JSON.
func Convert(src []byte) ([]byte, error) {
	segs, ck, err := parse(src)
	if err != nil {
		return nil, err
	}
	return build(segs, ck, nil)
}

// codeRef matches a translation's reference to the English source's n-th code cell.
var codeRef = regexp.MustCompile(`^<!--\s*code\s+(\d+)\s*-->$`)

// ConvertEdition builds a translated notebook: the prose of the translation (edition: its
// language code, e.g. "zh") around the code cells of the English source. The translation has no
// code of its own: a line <!-- code N --> stands for the English source's N-th code cell, and
// the references must be exactly 1, 2, …, N in order, one for every code cell of the English
// source. The English source's nbcheck markers (require_svg, allow_english) carry over.
func ConvertEdition(en, translation []byte, edition string) ([]byte, error) {
	enSegs, ck, err := parse(en)
	if err != nil {
		return nil, fmt.Errorf("English source: %w", err)
	}
	var code []segment
	for _, sg := range enSegs {
		if sg.code {
			code = append(code, sg)
		}
	}
	trSegs, _, err := parse(translation)
	if err != nil {
		return nil, err
	}
	var segs []segment
	next := 1
	for _, sg := range trSegs {
		if sg.code {
			return nil, fmt.Errorf("a ```go fence: a translation shares the English source's code, write <!-- code N --> instead")
		}
		var md strings.Builder
		for _, line := range strings.Split(sg.text, "\n") {
			m := codeRef.FindStringSubmatch(strings.TrimSpace(line))
			if m == nil {
				md.WriteString(line + "\n")
				continue
			}
			n, _ := strconv.Atoi(m[1])
			if n != next {
				return nil, fmt.Errorf("%q: want <!-- code %d --> here (code cells are referenced once each, in order)", line, next)
			}
			if n > len(code) {
				return nil, fmt.Errorf("%q: the English source has only %d code cells", line, len(code))
			}
			if s := strings.TrimSpace(md.String()); s != "" {
				segs = append(segs, segment{text: s})
			}
			md.Reset()
			segs = append(segs, code[n-1])
			next++
		}
		if s := strings.TrimSpace(md.String()); s != "" {
			segs = append(segs, segment{text: s})
		}
	}
	if next-1 != len(code) {
		return nil, fmt.Errorf("references code cells 1–%d, the English source has %d: translate the prose around the new cells and add <!-- code %d --> …", next-1, len(code), next)
	}
	return build(segs, ck, map[string]any{"rnn_course": map[string]any{"lang": edition}})
}

// Editions are the translated editions: sources in <dir>/src/<edition>/, notebooks in
// <dir>/<edition>/, with the file names of the English ones.
var Editions = []string{"zh"}

// target is one notebook to build: from src alone (English), or from the English source en and
// its translation src.
type target struct {
	src, en, dst, edition string
}

// Targets lists every notebook under dir and the sources it is built from.
func Targets(dir string) ([]target, error) {
	srcs, err := filepath.Glob(filepath.Join(dir, "src", "[0-9]*.md"))
	if err != nil {
		return nil, err
	}
	var out []target
	for _, s := range srcs {
		out = append(out, target{src: s, dst: filepath.Join(dir, strings.TrimSuffix(filepath.Base(s), ".md")+".ipynb")})
	}
	for _, ed := range Editions {
		trs, err := filepath.Glob(filepath.Join(dir, "src", ed, "[0-9]*.md"))
		if err != nil {
			return nil, err
		}
		for _, s := range trs {
			en := filepath.Join(dir, "src", filepath.Base(s))
			if _, err := os.Stat(en); err != nil {
				return nil, fmt.Errorf("%s translates %s, which does not exist", s, en)
			}
			out = append(out, target{src: s, en: en, edition: ed,
				dst: filepath.Join(dir, ed, strings.TrimSuffix(filepath.Base(s), ".md")+".ipynb")})
		}
	}
	return out, nil
}

// notebookJSON builds t's notebook.
func (t target) notebookJSON() ([]byte, error) {
	data, err := os.ReadFile(t.src)
	if err != nil {
		return nil, err
	}
	if t.en == "" {
		return Convert(data)
	}
	en, err := os.ReadFile(t.en)
	if err != nil {
		return nil, err
	}
	return ConvertEdition(en, data, t.edition)
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
	for _, t := range targets {
		want, err := t.notebookJSON()
		if err != nil {
			return fmt.Errorf("%s: %w", t.src, err)
		}
		have, _ := os.ReadFile(t.dst)
		if bytes.Equal(have, want) {
			continue
		}
		if check {
			stale = append(stale, t.dst)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(t.dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(t.dst, want, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", t.dst)
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
