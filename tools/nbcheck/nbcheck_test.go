package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		file       string
		requireSVG bool
		wantKinds  []string // kinds of the findings, in order
		wantText   string   // substring of the report
	}{
		{file: "ok.ipynb", requireSVG: true},
		{file: "no_svg.ipynb"},
		{file: "no_svg.ipynb", requireSVG: true, wantKinds: []string{"no-svg"}},
		{file: "require_svg_metadata.ipynb", wantKinds: []string{"no-svg"}},
		{file: "error_output.ipynb", wantKinds: []string{"error"}, wantText: `cell 0 (id "c1", In [1]): error: ERROR: failed to run "go build": exit status 1`},
		{file: "stderr_panic.ipynb", wantKinds: []string{"stderr"}, wantText: "stderr: panic: boom\n    | goroutine 1 [running]:"},
		{file: "stderr_exit.ipynb", wantKinds: []string{"stderr"}, wantText: "cell 0 (id \"c1\", In [1]): stderr: exit status 1"},
		{file: "stderr_fatal.ipynb", wantKinds: []string{"stderr"}, wantText: "fatal error: all goroutines are asleep"},
		{file: "stderr_fail.ipynb", wantKinds: []string{"stderr"}, wantText: "stderr: --- FAIL: TestX"},
		{file: "unexecuted.ipynb", wantKinds: []string{"unexecuted"}, wantText: `cell 1 (id "cx"): unexecuted`},
		{file: "not_executed.ipynb", wantKinds: []string{"not-executed"}, wantText: "none of the 2 code cells"},
		{file: "tags.ipynb"},
		{file: "string_fields.ipynb", wantKinds: []string{"stderr"}, wantText: "stderr: exit status 1"},
	} {
		name := tc.file
		if tc.requireSVG {
			name += "/require-svg"
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			findings, err := Check(data, Options{RequireSVG: tc.requireSVG})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			var kinds, texts []string
			for _, f := range findings {
				kinds = append(kinds, f.Kind)
				texts = append(texts, f.String())
			}
			report := strings.Join(texts, "\n")
			if !slices.Equal(kinds, tc.wantKinds) {
				t.Errorf("kinds = %q, want %q; report:\n%s", kinds, tc.wantKinds, report)
			}
			if tc.wantText != "" && !strings.Contains(report, tc.wantText) {
				t.Errorf("report does not contain %q:\n%s", tc.wantText, report)
			}
		})
	}
}

func TestCheckInvalid(t *testing.T) {
	for _, file := range []string{"not_a_notebook.ipynb", "nbformat3.ipynb"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Check(data, Options{}); err == nil {
			t.Errorf("%s: Check succeeded, want an error", file)
		}
	}
}

func TestBadStderrLine(t *testing.T) {
	for line, want := range map[string]bool{
		"exit status 1":                  true,
		"exit status 137":                true,
		"exit status 0":                  false,
		"panic: runtime error":           true,
		"goroutine 7 [running]:":         true,
		"goroutine 7 [chan receive]:":    false,
		"fatal error: out of memory":     true,
		"FAIL\tgithub.com/x/y\t0.1s":     true,
		"--- FAIL: TestX (0.00s)":        true,
		"no FAILures, no panic here":     false,
		"W1129 some kernel log: warning": false,
	} {
		if got := badStderrLine(line); got != want {
			t.Errorf("badStderrLine(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestRun(t *testing.T) {
	var out, errOut bytes.Buffer
	ok, bad := filepath.Join("testdata", "ok.ipynb"), filepath.Join("testdata", "stderr_exit.ipynb")
	if code := run([]string{"-require-svg", ok}, &out, &errOut); code != 0 {
		t.Errorf("run(ok) = %d, want 0; output:\n%s%s", code, &out, &errOut)
	}
	out.Reset()
	if code := run([]string{ok, bad}, &out, &errOut); code != 1 {
		t.Errorf("run(ok, bad) = %d, want 1; output:\n%s%s", code, &out, &errOut)
	}
	if want := bad + `: cell 0 (id "c1", In [1]): stderr: exit status 1`; !strings.Contains(out.String(), want) {
		t.Errorf("output does not contain %q:\n%s", want, &out)
	}
	if code := run([]string{filepath.Join("testdata", "missing.ipynb")}, &out, &errOut); code != 2 {
		t.Errorf("run(missing) = %d, want 2", code)
	}
	if code := run(nil, &out, &errOut); code != 2 {
		t.Errorf("run() = %d, want 2", code)
	}
}

// TestRunNotebooks executes real notebooks with scripts/run_notebooks.sh (GoNB kernel, Jupyter):
// the deliberately broken ones must fail, the smoke notebook must pass.
func TestRunNotebooks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not executing notebooks")
	}
	if _, err := exec.LookPath("jupyter"); err != nil {
		t.Skip("jupyter not on PATH: run scripts/setup.sh to execute notebooks")
	}
	if _, err := exec.LookPath("gonb"); err != nil {
		t.Skip("gonb not on PATH: run scripts/setup.sh and add its bin dir (go env GOPATH)/bin to PATH")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		notebook string
		wantPass bool
		wantText string // in the runner's output
	}{
		{"notebooks/testdata/broken.ipynb", false, "nbconvert --execute failed"},
		{"notebooks/testdata/broken_bang.ipynb", false, "stderr: exit status 1"},
		{"notebooks/00_smoke.ipynb", true, "PASS 00_smoke"},
	} {
		t.Run(filepath.Base(tc.notebook), func(t *testing.T) {
			cmd := exec.Command("bash", "scripts/run_notebooks.sh", "--fast", "--out-dir", t.TempDir(), tc.notebook)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			t.Logf("scripts/run_notebooks.sh --fast %s:\n%s", tc.notebook, out)
			if passed := err == nil; passed != tc.wantPass {
				t.Errorf("passed = %v (%v), want %v", passed, err, tc.wantPass)
			}
			if !strings.Contains(string(out), tc.wantText) {
				t.Errorf("output does not contain %q", tc.wantText)
			}
		})
	}
}

// directDisplay matches a gonbui call that sends output to the kernel.
var directDisplay = regexp.MustCompile(`gonbui\.(Display\w*|SendData|UpdateHtml|UpdateMarkdown)\(`)

// TestNotebooksSyncDirectDisplays: a course notebook cell that calls gonbui's display functions
// directly must also call gonbui.Sync(). GoNB closes its pipe when the cell's program exits and
// drops whatever it has not read yet: CI once lost 00_smoke's SVG that way. (pkg/notebook's
// Show* helpers sync themselves.)
func TestNotebooksSyncDirectDisplays(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "notebooks", "*.ipynb"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no notebooks found (%v)", err)
	}
	// The browser self-test's broken notebooks too: a display lost under load would make them
	// fail for the wrong reason (it happened: "too-few-svgs" instead of "svg-empty").
	broken, _ := filepath.Glob(filepath.Join("..", "..", "notebooks", "testdata", "browser_*.ipynb"))
	for _, path := range append(paths, broken...) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var nb notebook
		if err := json.Unmarshal(data, &nb); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for i, c := range nb.Cells {
			src := string(c.Source)
			if c.CellType == "code" && directDisplay.MatchString(src) && !strings.Contains(src, "gonbui.Sync()") {
				t.Errorf("%s, cell %d: calls %s without gonbui.Sync() in the cell (use notebook.ShowSVG/ShowMarkdown, or Sync after it)",
					path, i, directDisplay.FindString(src))
			}
		}
	}
}

// TestChineseEdition: a notebook with metadata rnn_course.lang "zh" must print and draw Chinese.
func TestChineseEdition(t *testing.T) {
	nb := func(stdout, svg string) []byte {
		return []byte(`{"nbformat": 4, "metadata": {"rnn_course": {"lang": "zh"}}, "cells": [
 {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x", "outputs": [
  {"output_type": "stream", "name": "stdout", "text": ` + strconvQuote(stdout) + `},
  {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": ` + strconvQuote(svg) + `}}]}]}`)
	}
	kinds := func(data []byte) (out []string) {
		fs, err := Check(data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			out = append(out, f.Kind)
		}
		return out
	}
	if k := kinds(nb("深度 31\n", "<svg><text>时间 (ms)</text></svg>")); len(k) != 0 {
		t.Errorf("Chinese output: findings %v", k)
	}
	if k := kinds(nb("depth 31\n", "<svg><text>时间 (ms)</text></svg>")); !slices.Equal(k, []string{"not-translated"}) {
		t.Errorf("English printout: findings %v, want not-translated", k)
	}
	if k := kinds(nb("深度 31\n", "<svg><text>time (ms)</text></svg>")); !slices.Equal(k, []string{"not-translated"}) {
		t.Errorf("English plot: findings %v, want not-translated", k)
	}
	// JSON-escaped characters count too (some writers escape non-ASCII).
	if k := kinds([]byte(strings.ReplaceAll(string(nb("x\n", "<svg><text>时间</text></svg>")), "时间", `\u65f6\u95f4`))); !slices.Equal(k, []string{"not-translated"}) {
		t.Errorf("escaped SVG, English printout: findings %v, want one not-translated", k)
	}
}

// TestEnglishInTranslation: a line of English sentence in a translated edition's output is a
// finding, unless the notebook allows it (sample text); identifiers, units and tables are not.
func TestEnglishInTranslation(t *testing.T) {
	nb := func(lang, allow, stdout string) []byte {
		meta := `"rnn_course": {"lang": "` + lang + `"}`
		if allow != "" {
			meta += `, "nbcheck": {"allow_english": [` + strconvQuote(allow) + `]}`
		}
		return []byte(`{"nbformat": 4, "metadata": {` + meta + `}, "cells": [
 {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "x", "outputs": [
  {"output_type": "stream", "name": "stdout", "text": ` + strconvQuote(stdout) + `}]}]}`)
	}
	english := func(data []byte) (out []string) {
		fs, err := Check(data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.Kind == "english" {
				out = append(out, f.Text)
			}
		}
		return out
	}
	ok := "深度 31\nrnn fwd 12.4 ms, 0.305 Mflop, GFLOP/s\n| lstm | fwdbwd | 3.5 µs |\nnbsetup: x => /tmp/ci-final; gomlx v0.28\n"
	if got := english(nb("zh", "", ok)); len(got) != 0 {
		t.Errorf("Chinese output with identifiers and units: %q", got)
	}
	bad := ok + "the loss did not come down in this run\n"
	if got := english(nb("zh", "", bad)); len(got) != 1 || !strings.Contains(got[0], "the loss did not come down") {
		t.Errorf("English sentence in zh: findings %q, want one naming it", got)
	}
	if got := english(nb("en", "", bad)); len(got) != 0 {
		t.Errorf("English edition: %q", got)
	}
	sample := ok + "Light se tihay the tt e to ue a es\nthe Rays of the Light and the sun\n"
	if got := english(nb("zh", "^Light ", sample)); len(got) != 0 {
		t.Errorf("allowed sample text: %q", got)
	}
	if got := english(nb("zh", "^Light ", bad)); len(got) != 1 {
		t.Errorf("allow pattern must not hide other lines: %q", got)
	}
	if _, err := Check(nb("zh", "(", ok), Options{}); err == nil {
		t.Errorf("invalid allow_english pattern: no error")
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
