package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Options select optional checks.
type Options struct {
	// RequireSVG fails notebooks without any image/svg+xml output. A notebook can also ask for it
	// itself with the metadata {"nbcheck": {"require_svg": true}}.
	RequireSVG bool
}

// Finding is one problem found in an executed notebook.
type Finding struct {
	Cell   int    // index in the notebook's cells (0-based, markdown cells included); -1: whole notebook
	CellID string // the cell's "id", if any
	Exec   *int   // the cell's execution_count, if executed
	Kind   string // "error", "stderr", "unexecuted", "not-executed", "no-svg", "not-translated", "english"
	Text   string // the offending text: first lines only
}

func (f Finding) String() string {
	var where string
	if f.Cell < 0 {
		where = "notebook"
	} else {
		where = fmt.Sprintf("cell %d", f.Cell)
		var extra []string
		if f.CellID != "" {
			extra = append(extra, fmt.Sprintf("id %q", f.CellID))
		}
		if f.Exec != nil {
			extra = append(extra, fmt.Sprintf("In [%d]", *f.Exec))
		}
		if len(extra) > 0 {
			where += " (" + strings.Join(extra, ", ") + ")"
		}
	}
	first, rest, _ := strings.Cut(f.Text, "\n")
	s := fmt.Sprintf("%s: %s: %s", where, f.Kind, first)
	for _, line := range strings.Split(rest, "\n") {
		if line != "" {
			s += "\n    | " + line
		}
	}
	return s
}

// multiline is a notebook text field: either one string or a list of strings to concatenate.
type multiline string

func (m *multiline) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiline(s)
		return nil
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*m = multiline(strings.Join(parts, ""))
	return nil
}

type notebook struct {
	NBFormat *int `json:"nbformat"`
	Metadata struct {
		NBCheck struct {
			RequireSVG   bool     `json:"require_svg"`
			AllowEnglish []string `json:"allow_english"` // output lines a translation may print in English
		} `json:"nbcheck"`
		Course struct {
			Lang string `json:"lang"`
		} `json:"rnn_course"` // written by tools/mknb for a translated edition
	} `json:"metadata"`
	Cells []cell `json:"cells"`
}

type cell struct {
	CellType       string    `json:"cell_type"`
	ID             string    `json:"id"`
	Source         multiline `json:"source"`
	ExecutionCount *int      `json:"execution_count"`
	Metadata       struct {
		Tags []string `json:"tags"`
	} `json:"metadata"`
	Outputs []output `json:"outputs"`
}

type output struct {
	OutputType string                     `json:"output_type"`
	Name       string                     `json:"name"` // stream: "stdout" or "stderr"
	Text       multiline                  `json:"text"`
	Data       map[string]json.RawMessage `json:"data"`
	EName      string                     `json:"ename"`
	EValue     string                     `json:"evalue"`
	Traceback  []string                   `json:"traceback"`
}

func (c *cell) hasTag(tag string) bool {
	for _, t := range c.Metadata.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

const maxLines = 6 // lines of offending text kept in a finding

var (
	ansiRE     = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
	exitRE     = regexp.MustCompile(`\bexit status (\d+)\b`)
	stderrBadR = []*regexp.Regexp{
		regexp.MustCompile(`^\s*panic: `),
		regexp.MustCompile(`^\s*fatal error: `),
		regexp.MustCompile(`^\s*goroutine \d+ \[running\]`),
		regexp.MustCompile(`^\s*(--- )?FAIL\b`),
	}
)

// badStderrLine reports whether a stderr line shows a failure.
func badStderrLine(line string) bool {
	if m := exitRE.FindStringSubmatch(line); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil && n != 0 {
			return true
		}
	}
	for _, re := range stderrBadR {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// firstLines returns at most n lines of s starting at line start, without ANSI escapes.
func firstLines(lines []string, start, n int) string {
	end := min(start+n, len(lines))
	out := make([]string, 0, end-start)
	for _, l := range lines[start:end] {
		out = append(out, strings.TrimRight(l, " \t\r"))
	}
	if end < len(lines) {
		out = append(out, fmt.Sprintf("... (%d more lines)", len(lines)-end))
	}
	return strings.Join(out, "\n")
}

// Check returns the problems found in the executed notebook given as JSON.
//
// Cells tagged "raises-exception" (the nbclient convention for expected errors) are not checked
// for errors; cells tagged "skip-execution" may be left unexecuted.
func Check(data []byte, opts Options) ([]Finding, error) {
	var nb notebook
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, fmt.Errorf("not a notebook: %w", err)
	}
	if nb.NBFormat == nil || *nb.NBFormat != 4 {
		return nil, fmt.Errorf("not an nbformat 4 notebook")
	}
	requireSVG := opts.RequireSVG || nb.Metadata.NBCheck.RequireSVG
	var allow []*regexp.Regexp
	for _, a := range nb.Metadata.NBCheck.AllowEnglish {
		re, err := regexp.Compile(a)
		if err != nil {
			return nil, fmt.Errorf("metadata nbcheck.allow_english: %w", err)
		}
		allow = append(allow, re)
	}

	var findings []Finding
	var unexecuted []Finding
	codeCells, hasSVG := 0, false
	var printed, drawn strings.Builder // stdout and Markdown outputs; SVG outputs
	for i := range nb.Cells {
		c := &nb.Cells[i]
		if c.CellType != "code" {
			continue
		}
		at := Finding{Cell: i, CellID: c.ID, Exec: c.ExecutionCount}
		if strings.TrimSpace(string(c.Source)) != "" && !c.hasTag("skip-execution") {
			codeCells++
			if c.ExecutionCount == nil {
				f := at
				f.Kind, f.Text = "unexecuted", "code cell was not executed: "+firstLines(strings.Split(string(c.Source), "\n"), 0, 1)
				unexecuted = append(unexecuted, f)
			}
		}
		expectErrors := c.hasTag("raises-exception")
		var cellText strings.Builder // what the cell printed (stdout, Markdown)
		for _, o := range c.Outputs {
			if svg, ok := o.Data["image/svg+xml"]; ok {
				hasSVG = true
				drawn.Write(svg)
			}
			if o.OutputType == "stream" && o.Name == "stdout" {
				printed.WriteString(string(o.Text))
				cellText.WriteString(string(o.Text) + "\n")
			}
			if md, ok := o.Data["text/markdown"]; ok {
				printed.Write(md)
				var m multiline
				if json.Unmarshal(md, &m) == nil {
					cellText.WriteString(string(m) + "\n")
				}
			}
			if expectErrors {
				continue
			}
			switch {
			case o.OutputType == "error":
				lines := []string{strings.TrimSpace(o.EName + ": " + o.EValue)}
				for _, tb := range o.Traceback {
					lines = append(lines, strings.Split(strings.TrimRight(ansiRE.ReplaceAllString(tb, ""), "\n"), "\n")...)
				}
				if len(lines) > 1 && strings.TrimSpace(lines[1]) == strings.TrimSpace(o.EValue) {
					lines = append(lines[:1], lines[2:]...) // GoNB repeats evalue as the traceback
				}
				f := at
				f.Kind, f.Text = "error", firstLines(lines, 0, maxLines)
				findings = append(findings, f)
			case o.OutputType == "stream" && o.Name == "stderr":
				lines := strings.Split(ansiRE.ReplaceAllString(string(o.Text), ""), "\n")
				for j, line := range lines {
					if badStderrLine(line) {
						f := at
						f.Kind, f.Text = "stderr", firstLines(lines, j, maxLines)
						findings = append(findings, f)
						break // one finding per output
					}
				}
			}
		}
		if nb.Metadata.Course.Lang != "" && nb.Metadata.Course.Lang != "en" {
			if lines := englishLines(cellText.String(), allow); len(lines) > 0 {
				f := at
				f.Kind, f.Text = "english", "English sentences in a translated edition's output: "+firstLines(lines, 0, maxLines)
				findings = append(findings, f)
			}
		}
	}
	if codeCells > 0 && len(unexecuted) == codeCells {
		findings = append(findings, Finding{Cell: -1, Kind: "not-executed",
			Text: fmt.Sprintf("none of the %d code cells was executed: is this the executed notebook?", codeCells)})
	} else {
		findings = append(findings, unexecuted...)
	}
	if requireSVG && !hasSVG {
		findings = append(findings, Finding{Cell: -1, Kind: "no-svg", Text: "no image/svg+xml output (required; a display sent without gonbui.Sync is dropped when the cell program exits first: use notebook.ShowSVG)"})
	}
	if nb.Metadata.Course.Lang == "zh" {
		// The Chinese edition prints and draws in Chinese (pkg/lang): outputs with no Chinese
		// character mean the language setting did not reach the code.
		if codeCells > 0 && len(unexecuted) < codeCells && !hasHan(printed.String()) {
			findings = append(findings, Finding{Cell: -1, Kind: "not-translated", Text: "a Chinese-edition notebook printed no Chinese character (is RNN_COURSE_LANG set to en, or the notebook outside notebooks/zh?)"})
		}
		if hasSVG && !hasHan(drawn.String()) {
			findings = append(findings, Finding{Cell: -1, Kind: "not-translated", Text: "a Chinese-edition notebook drew no Chinese character in its plots"})
		}
	}
	sort.SliceStable(findings, func(a, b int) bool { return order(findings[a]) < order(findings[b]) })
	return findings, nil
}

// order sorts findings by cell, whole-notebook findings last.
func order(f Finding) int {
	if f.Cell < 0 {
		return int(^uint(0) >> 1)
	}
	return f.Cell
}

// hasHan reports whether s holds a Chinese character (literally, or as a JSON \u escape).
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return hanEscape.MatchString(s)
}

var hanEscape = regexp.MustCompile(`(?i)\\u(4e|4f|[5-8][0-9a-f]|9[0-9a-f])[0-9a-f]{2}`)

// englishSentence matches four or more words of English in a row: a sentence, not an
// identifier, a unit or a table cell ("rnn", "fwd", "ms", "GFLOP/s").
var englishSentence = regexp.MustCompile(`\b[A-Za-z][a-z]*(?:,? [a-z]+){3,}\b`)

// englishLines returns the lines of a translated edition's cell output that read as English: no
// Chinese character and an English sentence in them. A cell with a line that an allow pattern
// matches prints sample text (a model's generated English, over several lines) and is skipped.
func englishLines(text string, allow []*regexp.Regexp) []string {
	var out []string
	for _, line := range strings.Split(ansiRE.ReplaceAllString(text, ""), "\n") {
		for _, re := range allow {
			if re.MatchString(line) {
				return nil
			}
		}
		if hasHan(line) || !englishSentence.MatchString(line) {
			continue
		}
		out = append(out, strings.TrimSpace(line))
	}
	return out
}
