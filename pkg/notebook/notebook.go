// Package notebook holds the few helpers every course notebook uses: the run mode (fast for CI,
// full for class), the edition's language (T picks English or Chinese text), a banner saying which mode, backend and machine a notebook ran on, and SVG
// display that survives saving, nbconvert's HTML export and GitHub's viewer.
//
// Plots are sent as ONE display_data message carrying both image/svg+xml and text/html: the
// saved notebook keeps the real SVG, and nbconvert 6.5's HTML export (which blanks raw
// image/svg+xml, an nbconvert bug fixed in 7.7) renders the HTML copy.
package notebook

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/gomlx/compute"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
	"github.com/rnn-course/bottleneck/pkg/backend"
	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/rnn-course/bottleneck/pkg/svgplot"
)

// T returns msg, written in English, in the current edition (see package lang: RNN_COURSE_LANG,
// or a notebook in notebooks/zh/): the Chinese edition takes it from the catalog pkg/lang/zh.tsv.
// A code cell writes each message once, in English:
//
//	notebook.T("sequence length T (steps)")
//
// The old form T(en, zh) still compiles (zh serves when the catalog has no entry) until
// `go run ./tools/i18nconv` moves zh into the catalog.
func T(msg string, legacyZh ...string) string { return lang.T(msg, legacyZh...) }

// Sprintf formats a message (a format written in English) in the current edition; see lang.Sprintf.
func Sprintf(format string, args ...any) string { return lang.Sprintf(format, args...) }

// Printf prints a message (a format written in English) in the current edition.
func Printf(format string, args ...any) { lang.Printf(format, args...) }

// Println prints a message in the current edition and a newline.
func Println(msg string) { lang.Println(msg) }

// YesNo is "yes" or "no" in the current edition: a printed check reads as words, not true/false.
func YesNo(b bool) string { return lang.YesNo(b) }

// Explain is an error's text in the current edition: the library's errors keep English in
// Error() for Go code, and a notebook prints Explain(err) (see lang.Explain).
func Explain(err error) string { return lang.Explain(err) }

// Localize translates English text made from catalog messages, such as a skip reason of a
// cost table shared between the editions (see lang.Localize).
func Localize(s string) string { return lang.Localize(s) }

// ModeEnv is the environment variable that selects the mode: "fast" (the default) or "full".
const ModeEnv = "RNN_COURSE_MODE"

// RunMode of a notebook run.
type RunMode string

// The modes.
const (
	Fast RunMode = "fast" // small sizes: every notebook within a couple of minutes on 2 cores (the default, and CI's)
	Full RunMode = "full" // class-quality sizes and repeats (make course)
)

// ModeFromEnv reads RNN_COURSE_MODE; unset or empty means Fast, so that a notebook opened
// interactively finishes in minutes. `%env RNN_COURSE_MODE=full` in a GoNB cell (or the variable
// set before Jupyter starts) switches to class-sized runs.
func ModeFromEnv() (RunMode, error) {
	switch v := strings.TrimSpace(os.Getenv(ModeEnv)); v {
	case "", string(Fast):
		return Fast, nil
	case string(Full):
		return Full, nil
	default:
		return "", fmt.Errorf("notebook: %s=%q, want %q or %q", ModeEnv, v, Fast, Full)
	}
}

// CurrentMode is ModeFromEnv for notebooks: it panics with the error.
func CurrentMode() RunMode {
	m, err := ModeFromEnv()
	if err != nil {
		panic(err)
	}
	return m
}

// Pick returns fast in fast mode and full otherwise.
func Pick[T any](fast, full T) T {
	if CurrentMode() == Fast {
		return fast
	}
	return full
}

// CPUModel returns the processor's model name (from /proc/cpuinfo on Linux) or GOARCH.
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// Machine describes this machine and the Go build in one line, for figure notes: the CPU, its
// cores and the Go version (runtime.Version, "go1.26.8-X:simd" in the course's SIMD build).
func Machine() string {
	return Sprintf("%s, %d cores, %s", CPUModel(), runtime.NumCPU(), runtime.Version())
}

// Start prints the banner of a notebook (mode, backend and why, machine) and returns the backend.
func Start(title string) compute.Backend {
	backend.Announce = nil // the banner says it
	b, choice, err := backend.New()
	if err != nil {
		panic(err)
	}
	switchTo := T("for class-sized runs, put %env "+ModeEnv+"=full in a cell and run the notebook again",
		"如需课堂规模的运行，请在一个单元格中写入 %env "+ModeEnv+"=full，然后重新运行本笔记本")
	if CurrentMode() == Full {
		switchTo = T("%env "+ModeEnv+"=fast runs it in minutes", "%env "+ModeEnv+"=fast 可在几分钟内跑完")
	}
	Printf("%s\nmode: %s (%s)\n%s\nbackend: %s (%s)\nmachine: %s\n",
		title, CurrentMode(), switchTo, seedBanner(), choice.Config, choice.Reason, Machine())
	return b
}

// ShowSVG displays an SVG document in the notebook (both MIME types, see the package doc).
// Outside a notebook it does nothing.
func ShowSVG(svg string) {
	if !gonbui.IsNotebook {
		return
	}
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMEImageSVG: svg,
		protocol.MIMETextHTML: "<div>" + svg + "</div>",
	}})
	// Wait until the kernel has the display: without it, a cell that ends right after several
	// displays can lose all but the first under CPU load (seen by tests/browser).
	gonbui.Sync()
	mustHaveDisplayed("an SVG figure")
}

// mustHaveDisplayed panics, failing the cell with the reason, when gonbui could not talk to the
// kernel: gonbui itself drops displays silently on a broken pipe, and a figure that silently
// never appears is worse than a failed cell.
func mustHaveDisplayed(what string) {
	if err := gonbui.Error(); err != nil {
		panic(fmt.Errorf("notebook: could not display %s: the pipe to the GoNB kernel failed "+
			"(restart the kernel; check that GONB_PIPE is set by a GoNB kernel): %w", what, err))
	}
}

// ShowMarkdown displays Markdown in the notebook, or prints it outside one.
func ShowMarkdown(md string) {
	if !gonbui.IsNotebook {
		fmt.Println(md)
		return
	}
	gonbui.DisplayMarkdown(md)
	gonbui.Sync()
	mustHaveDisplayed("Markdown")
}

// MarkdownTable formats a table; cells are formatted with %v, a float64 with %.4g and a bool
// as YesNo ("yes"/"no" in the edition's language).
func MarkdownTable(header []string, rows [][]any) string {
	var sb strings.Builder
	sb.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		sb.WriteString("---|")
	}
	sb.WriteString("\n")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			switch v := c.(type) {
			case float64:
				cells[i] = fmt.Sprintf("%.4g", v)
			case bool:
				cells[i] = YesNo(v) // a check reads "yes"/"no" in the edition's language
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		sb.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return sb.String()
}

// ShowFigure renders and displays a figure; it panics with the rendering error (in a notebook,
// a failing cell).
func ShowFigure(f *svgplot.Figure) {
	svg, err := f.SVG()
	if err != nil {
		panic(err)
	}
	ShowSVG(svg)
}

// ShowGrid displays several figures side by side, cols per row.
func ShowGrid(cols int, figs ...*svgplot.Figure) {
	svg, err := svgplot.Grid(cols, figs...)
	if err != nil {
		panic(err)
	}
	ShowSVG(svg)
}

// Backend returns the course backend (see package backend) without printing a banner.
func Backend() compute.Backend {
	backend.Announce = nil
	b, _, err := backend.New()
	if err != nil {
		panic(err)
	}
	return b
}
