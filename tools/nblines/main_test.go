package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCountLines(t *testing.T) {
	src := "// a comment\nx := 1\n\n\t// indented comment\ny := x + 1 // trailing comment counts\n   \n}"
	if got := CountLines(src); got != 3 {
		t.Fatalf("CountLines = %d, want 3 (x :=, y :=, })", got)
	}
}

func TestCountNotebook(t *testing.T) {
	nb := `{"cells": [
	  {"cell_type": "markdown", "source": ["# title\n", "text\n"]},
	  {"cell_type": "code", "source": ["a := 1\n", "// note\n", "b := 2\n"]},
	  {"cell_type": "code", "source": "c := 3\n\nd := 4\ne := 5"}]}`
	c, err := CountNotebook(strings.NewReader(nb))
	if err != nil {
		t.Fatal(err)
	}
	if c.Lines != 5 || c.Cells != 2 || len(c.Long) != 2 || c.Long[0] != 2 || c.Long[1] != 3 {
		t.Fatalf("got %+v, want 5 lines in 2 cells of 2 and 3", c)
	}
	if _, err := CountNotebook(strings.NewReader(`{"cells": [{"cell_type": "code", "source": 7}]}`)); err == nil ||
		!strings.Contains(err.Error(), "cell 0") {
		t.Fatalf("a numeric source: err = %v, want one naming cell 0", err)
	}
	if _, err := CountNotebook(strings.NewReader(`not json`)); err == nil {
		t.Fatal("broken JSON: no error")
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat(`"x++\n", `, 5) + `"x++\n"`
	path := filepath.Join(dir, "01_a.ipynb")
	if err := os.WriteFile(path, []byte(`{"cells": [{"cell_type": "code", "source": [`+long+`]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-max", "4", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "6 lines in  1 code cells") || !strings.Contains(out.String(), "over 4: code cell 1: 6") {
		t.Fatalf("output:\n%s", out.String())
	}
	if code := run([]string{filepath.Join(dir, "missing.ipynb")}, &out, &errb); code != 2 {
		t.Fatalf("missing file: exit %d, want 2", code)
	}
}
