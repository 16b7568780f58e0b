// Package progress draws a one-line progress bar for a loop over positions (e.g. training
// batches): position, a bar, the percentage, the mean loss since the last redraw, the rate and
// the time left, redrawn in place with '\r' at most 10 times a second and ended with '\n'. It
// suits terminals and Jupyter/GoNB cells alike: Jupyter (and nbconvert when it saves a notebook)
// keeps only the text after a line's last '\r', and no ANSI escapes are used. The words follow
// the course's language setting (package lang): "批次 120/1000 … 损失 … 批次/秒 剩余 …" in the
// Chinese edition.
package progress

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// Statuses that Finish shows in the edition's language (any other status is shown as given).
const (
	Stopped     = "stopped"
	Interrupted = "interrupted"
)

// words are the bar's labels in one language; step is a format for (position, end).
type words struct {
	step, loss, rate, eta string
	status                map[string]string // Stopped and Interrupted, translated
}

var (
	english = words{step: "step %d/%d", loss: "loss", rate: "steps/s", eta: "ETA"}
	chinese = words{step: "批次 %d/%d", loss: "损失", rate: "批次/秒", eta: "剩余",
		status: map[string]string{Interrupted: "已中断", Stopped: "已停止"}}
)

// currentWords follows lang's setting; an invalid RNN_COURSE_LANG (which the notebooks report
// themselves) leaves the bar in English rather than stopping a training run.
func currentWords() words {
	if l, err := lang.FromEnv(); err == nil && l == lang.Chinese {
		return chinese
	}
	return english
}

// Bar draws "step 120/1000 [==>       ]  12%  loss 0.0123  42.1 steps/s  ETA 0:21" in
// place. Jupyter (and nbconvert when it saves a notebook) keeps only the text after the last
// '\r' of a line, so a cell ends up showing the final state only; no ANSI escapes are used.
type Bar struct {
	w          io.Writer
	words      words
	now        func() time.Time
	start, end int
	pos        int
	// The rate is measured from the first finished batch, so that JIT compilation (in the
	// first Step) does not distort steps/s and the ETA.
	t0      time.Time
	n0      int
	last    time.Time // of the last redraw
	drawn   bool
	lastLen int
	lossSum float64 // losses since the last redraw
	lossN   int
	shown   float64 // the loss on screen: mean over the batches since the previous redraw
}

const progressInterval = 100 * time.Millisecond // at most 10 redraws a second

// New returns a bar for a run from position start to end that draws on w (nil: draws nothing).
func New(w io.Writer, start, end int) *Bar {
	return &Bar{w: w, words: currentWords(), now: time.Now, start: start, end: end, pos: start}
}

// Update records that the run reached position pos with a batch of the given loss.
func (p *Bar) Update(pos int, loss float64) {
	if p.w == nil {
		return
	}
	now := p.now()
	if p.t0.IsZero() {
		p.t0, p.n0 = now, pos
	}
	p.pos = pos
	p.lossSum += loss
	p.lossN++
	if pos == p.end || p.drawn && now.Sub(p.last) < progressInterval {
		return // Finish draws the last state
	}
	p.draw(now, "")
}

func (p *Bar) draw(now time.Time, status string) {
	if p.lossN > 0 {
		p.shown = p.lossSum / float64(p.lossN)
		p.lossSum, p.lossN = 0, 0
	}
	line := p.line(now, status)
	pad := ""
	if n := p.lastLen - len(line); n > 0 {
		pad = strings.Repeat(" ", n) // a terminal does not erase what '\r' returns over
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.last, p.drawn, p.lastLen = now, true, len(line)
}

func (p *Bar) line(now time.Time, status string) string {
	const width = 20
	frac := 1.0
	if p.end > 0 {
		frac = min(max(float64(p.pos)/float64(p.end), 0), 1)
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, p.words.step+" [%s] %3.0f%%", p.pos, p.end, bar, 100*frac)
	if p.pos > p.start {
		fmt.Fprintf(&b, "  %s %.4g", p.words.loss, p.shown)
	}
	if dt := now.Sub(p.t0).Seconds(); p.pos > p.n0 && dt > 0 {
		rate := float64(p.pos-p.n0) / dt
		fmt.Fprintf(&b, "  %.3g %s", rate, p.words.rate)
		if p.pos < p.end {
			fmt.Fprintf(&b, "  %s %s", p.words.eta, formatDuration(float64(p.end-p.pos)/rate))
		}
	}
	if status != "" {
		if tr, ok := p.words.status[status]; ok {
			status = tr
		}
		b.WriteString("  " + status)
	}
	return b.String()
}

// Finish draws the final state and ends the line (only if something was drawn or trained).
func (p *Bar) Finish(status string) {
	if p.w == nil || (!p.drawn && p.pos == p.start) {
		return
	}
	p.draw(p.now(), status)
	fmt.Fprint(p.w, "\n")
}

// formatDuration writes seconds as 1:02:03, 2:03 or 4.2s.
func formatDuration(s float64) string {
	if math.IsInf(s, 0) || math.IsNaN(s) || s > 1e7 {
		return "?"
	}
	if s < 10 {
		return fmt.Sprintf("%.1fs", s)
	}
	n := int(math.Round(s))
	if n >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", n/3600, n/60%60, n%60)
	}
	return fmt.Sprintf("%d:%02d", n/60, n%60)
}
