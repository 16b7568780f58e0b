// Command nblines counts the code a learner reads in each notebook: the non-blank lines of its
// code cells that are not comments alone. It prints one row per notebook (code lines, code
// cells, the longest cell) and lists the cells longer than -max lines.
//
// Usage:
//
//	go run ./tools/nblines [-max 40] notebooks/0*.ipynb
//
// The CHANGELOG records these counts when a change moves code between the notebooks and the
// library. Exit status: 0, or 2 for a usage error or an unreadable notebook.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Count is what nblines reports for one notebook.
type Count struct {
	Lines int   // code lines in all code cells
	Cells int   // code cells
	Long  []int // code lines of each cell, indexed like the code cells
}

// CountLines counts the code lines of one cell's source.
func CountLines(src string) int {
	n := 0
	for _, l := range strings.Split(src, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		n++
	}
	return n
}

// CountNotebook reads an .ipynb and counts its code cells.
func CountNotebook(r io.Reader) (Count, error) {
	var nb struct {
		Cells []struct {
			CellType string          `json:"cell_type"`
			Source   json.RawMessage `json:"source"`
		} `json:"cells"`
	}
	if err := json.NewDecoder(r).Decode(&nb); err != nil {
		return Count{}, fmt.Errorf("not a notebook (JSON with a cells list): %w", err)
	}
	var c Count
	for i, cell := range nb.Cells {
		if cell.CellType != "code" {
			continue
		}
		src, err := source(cell.Source)
		if err != nil {
			return Count{}, fmt.Errorf("cell %d: %w", i, err)
		}
		n := CountLines(src)
		c.Lines += n
		c.Cells++
		c.Long = append(c.Long, n)
	}
	return c, nil
}

// source decodes a cell's source, which nbformat writes as a string or a list of lines.
func source(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", fmt.Errorf("source is neither a string nor a list of strings")
	}
	return strings.Join(lines, ""), nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nblines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	limit := fs.Int("max", 40, "list code cells with more code lines than this")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: nblines [-max 40] notebook.ipynb...")
		return 2
	}
	total := 0
	for _, path := range fs.Args() {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(stderr, "nblines:", err)
			return 2
		}
		c, err := CountNotebook(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "nblines: %s: %v\n", path, err)
			return 2
		}
		longest, over := 0, []string{}
		for i, n := range c.Long {
			longest = max(longest, n)
			if n > *limit {
				over = append(over, fmt.Sprintf("code cell %d: %d", i+1, n))
			}
		}
		fmt.Fprintf(stdout, "%-24s %4d lines in %2d code cells, longest %3d", filepath.Base(path), c.Lines, c.Cells, longest)
		if len(over) > 0 {
			fmt.Fprintf(stdout, "; over %d: %s", *limit, strings.Join(over, ", "))
		}
		fmt.Fprintln(stdout)
		total += c.Lines
	}
	fmt.Fprintf(stdout, "%-24s %4d lines\n", "all", total)
	return 0
}
