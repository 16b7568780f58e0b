package notebook

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckExplore(t *testing.T) {
	f := func(int) string { return "<svg/>" }
	for _, c := range []struct {
		labels []string
		start  int
		frame  func(int) string
		want   string
	}{
		{[]string{"a"}, 0, f, "at least 2"},
		{[]string{"a", "b"}, 2, f, "out of range"},
		{[]string{"a", "b"}, -1, f, "out of range"},
		{[]string{"a", "b"}, 0, nil, "nil"},
	} {
		err := checkExplore(c.labels, c.start, c.frame)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("checkExplore(%q, %d): got %v, want an error containing %q", c.labels, c.start, err, c.want)
		}
	}
	if err := checkExplore([]string{"a", "b"}, 1, f); err != nil {
		t.Errorf("valid arguments: %v", err)
	}
}

// TestExploreLoop drives the slider loop with channels, as GoNB's widgets would.
func TestExploreLoop(t *testing.T) {
	// Positions are shown in order, clamped to [0, n); Done ends the loop.
	values, done := make(chan int), make(chan int)
	var shown []int
	end := make(chan struct{})
	go func() { explore(values, done, time.Minute, 4, func(i int) { shown = append(shown, i) }); close(end) }()
	for _, v := range []int{2, 0, 7, -3, 3} {
		values <- v
	}
	done <- 1
	<-end
	if want := []int{2, 0, 3, 0, 3}; !slices.Equal(shown, want) {
		t.Errorf("shown %v, want %v", shown, want)
	}

	// Idle: no move for the idle time ends it, and each move restarts the wait.
	values = make(chan int)
	shown = nil
	t0 := time.Now()
	go func() {
		time.Sleep(60 * time.Millisecond)
		values <- 1
	}()
	explore(values, make(chan int), 100*time.Millisecond, 4, func(i int) { shown = append(shown, i) })
	if el := time.Since(t0); el < 150*time.Millisecond || el > 2*time.Second {
		t.Errorf("idle loop ended after %v, want about 160 ms (60 ms, then 100 ms idle)", el)
	}
	if !slices.Equal(shown, []int{1}) {
		t.Errorf("idle run showed %v, want [1]", shown)
	}

	// A closed value channel ends it at once.
	close(values)
	t0 = time.Now()
	explore(values, make(chan int), time.Minute, 4, func(int) { t.Error("nothing to show") })
	if time.Since(t0) > time.Second {
		t.Error("explore did not return when the value channel closed")
	}
}

// TestExploreOff: outside a notebook (and with RNN_COURSE_WIDGETS=off) Explore returns at once,
// without drawing a frame, and still rejects bad arguments.
func TestExploreOff(t *testing.T) {
	t.Setenv(WidgetsEnv, "off")
	if widgetsOn() {
		t.Fatal("widgetsOn() with RNN_COURSE_WIDGETS=off (and no notebook)")
	}
	Explore("x", []string{"a", "b"}, 0, func(int) string { t.Error("frame drawn with widgets off"); return "" })
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "at least 2") {
			t.Errorf("Explore with one position: got %v, want a panic saying at least 2", r)
		}
	}()
	Explore("x", []string{"a"}, 0, func(int) string { return "" })
}

func TestExploreHTML(t *testing.T) {
	u := newExploreUI("T <", []string{"T = 1", "T = 2"}, 1, []string{"<svg>a</svg>", "<svg>b</svg>"})
	if h := u.controlsHTML(); !strings.Contains(h, `class="rnn-explore"`) || !strings.Contains(h, "T &lt;") ||
		!strings.Contains(h, `id="`+u.sliderBox+`"`) || !strings.Contains(h, `id="`+u.buttonBox+`"`) {
		t.Errorf("controls HTML %q", h)
	}
	if h := u.figureHTML(1); !strings.Contains(h, `data-position="1"`) || !strings.Contains(h, "<svg>b</svg>") || !strings.Contains(h, "T = 2") {
		t.Errorf("figure HTML %q", h)
	}
}
