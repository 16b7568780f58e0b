package notebook

import (
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// WidgetsEnv is the environment variable that turns the live widgets of Explore off: "off" (or
// "0") leaves only the static figures. scripts/run_notebooks.sh sets it for nbconvert, where no
// browser runs the widgets' JavaScript.
const WidgetsEnv = "RNN_COURSE_WIDGETS"

// How long Explore waits for the browser to answer (GoNB's own wait for its front-end connection
// is 3 s), and how long a slider nobody moves stays live. Variables so that tests can shorten them.
var (
	widgetConnectWait = 10 * time.Second
	widgetIdle        = 90 * time.Second
)

// widgetsOn reports whether Explore should try live widgets: in a GoNB notebook, unless
// RNN_COURSE_WIDGETS says off.
func widgetsOn() bool {
	if !gonbui.IsNotebook {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(os.Getenv(WidgetsEnv))) {
	case "off", "0", "false", "no":
		return false
	}
	return true
}

// Explore lets the learner move through a figure with a slider, in a live notebook. Call it after
// the cell has shown its static figure: labels[i] names slider position i (e.g. "T = 256") and
// frame(i) returns the SVG shown there. Every frame is drawn before the slider appears, so moving
// it is instant. start is the position shown first.
//
// The slider and its figure are GoNB widgets (gonbui/widgets), which talk to the cell's program:
// they work only while the cell runs. So the cell keeps running (the notebook's next cells wait)
// until the learner clicks Done, or for 90 s after the slider last moved; then the live figure
// and the slider are removed and the static figure stays. Outside a notebook, with
// RNN_COURSE_WIDGETS=off (nbconvert, scripts/run_notebooks.sh), or when no browser answers within
// 10 s, Explore returns at once and leaves the static figure alone.
func Explore(name string, labels []string, start int, frame func(i int) string) {
	if err := checkExplore(labels, start, frame); err != nil {
		panic(err)
	}
	if !widgetsOn() {
		return
	}
	frames := make([]string, len(labels))
	for i := range labels {
		frames[i] = frame(i)
	}
	ui := newExploreUI(name, labels, start, frames)
	if !ui.start(widgetConnectWait) {
		ui.close()
		Println("(no browser answered: the slider is off, the figure above is the static one)")
		return
	}
	explore(ui.values, ui.done, widgetIdle, len(frames), ui.show)
	ui.close()
}

// checkExplore validates Explore's arguments.
func checkExplore(labels []string, start int, frame func(i int) string) error {
	if len(labels) < 2 {
		return fmt.Errorf("notebook.Explore: %d slider positions, want at least 2", len(labels))
	}
	if start < 0 || start >= len(labels) {
		return fmt.Errorf("notebook.Explore: start position %d out of range [0, %d)", start, len(labels))
	}
	if frame == nil {
		return fmt.Errorf("notebook.Explore: frame function is nil")
	}
	return nil
}

// explore runs the slider loop: show(i) for every position received on values (clamped to
// [0, n)), until done receives or is closed, values is closed, or nothing arrives for idle.
func explore(values <-chan int, done <-chan int, idle time.Duration, n int, show func(i int)) {
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		select {
		case v, ok := <-values:
			if !ok {
				return
			}
			show(min(max(v, 0), n-1))
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(idle)
		case <-done:
			return
		case <-timer.C:
			return
		}
	}
}

// exploreUI is the live part of Explore: two transient GoNB outputs (the controls, the figure).
type exploreUI struct {
	name          string
	labels        []string
	frames        []string
	startPos      int
	ctrlID, figID string // GoNB display ids of the two transient outputs
	sliderBox     string // DOM ids the GoNB widgets are appended to
	buttonBox     string
	values        <-chan int
	done          <-chan int
}

func newExploreUI(name string, labels []string, start int, frames []string) *exploreUI {
	uid := gonbui.UniqueID()
	return &exploreUI{
		name: name, labels: labels, frames: frames, startPos: start,
		ctrlID: "rnn_explore_ctrl_" + uid, figID: "rnn_explore_fig_" + uid,
		sliderBox: "rnn_explore_slider_" + uid, buttonBox: "rnn_explore_button_" + uid,
	}
}

// controlsHTML is the controls' output: the name, and the places of the slider and the Done
// button.
func (u *exploreUI) controlsHTML() string {
	return fmt.Sprintf(`<div class="rnn-explore" style="display:flex;gap:0.8em;align-items:center;margin:0.4em 0">`+
		`<b>%s</b><span id="%s"></span><span id="%s"></span></div>`,
		html.EscapeString(u.name), u.sliderBox, u.buttonBox)
}

// figureHTML is the figure's output at position i: the position's label above frame i;
// data-position lets a test see which frame is shown.
func (u *exploreUI) figureHTML(i int) string {
	return fmt.Sprintf(`<div class="rnn-explore-figure" data-position="%d">`+
		`<div class="rnn-explore-value" style="font-family:monospace;font-weight:bold">%s</div><div>%s</div></div>`,
		i, html.EscapeString(u.labels[i]), u.frames[i])
}

// start shows the controls and creates the GoNB slider and button. Their Done methods wait for
// the browser's first message, which never comes without one (nbconvert): start gives up after
// wait and returns false.
func (u *exploreUI) start(wait time.Duration) bool {
	gonbui.UpdateHTML(u.ctrlID, u.controlsHTML())
	type made struct {
		slider *widgets.SliderBuilder
		button *widgets.ButtonBuilder
	}
	ready := make(chan made, 1)
	go func() {
		s := widgets.Slider(0, len(u.frames)-1, u.startPos).AppendTo(u.sliderBox).Done()
		b := widgets.Button(T("Done")).AppendTo(u.buttonBox).Done()
		ready <- made{s, b}
	}()
	select {
	case m := <-ready:
		u.values = m.slider.Listen().LatestOnly().C
		u.done = m.button.Listen().C
		gonbui.UpdateHTML(u.figID, u.figureHTML(u.startPos))
		return true
	case <-time.After(wait):
		return false
	}
}

// show displays frame i and its label.
func (u *exploreUI) show(i int) { gonbui.UpdateHTML(u.figID, u.figureHTML(i)) }

// close blanks both transient outputs (the static figure above stays) and flushes the pipe.
func (u *exploreUI) close() {
	gonbui.UpdateHTML(u.figID, "")
	gonbui.UpdateHTML(u.ctrlID, "")
	gonbui.Sync()
}
