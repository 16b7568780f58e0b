package progress

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/stretchr/testify/require"
)

// fakeClock advances by step on every call.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

// collapseCR applies what a terminal, Jupyter and nbconvert do with '\r': keep what follows the
// last '\r' of each line.
func collapseCR(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if k := strings.LastIndex(l, "\r"); k >= 0 {
			lines[i] = l[k+1:]
		}
	}
	return strings.Join(lines, "\n")
}

func TestBar(t *testing.T) {
	t.Setenv(lang.Env, "en")
	var buf bytes.Buffer
	clock := &fakeClock{t: time.Unix(0, 0), step: 10 * time.Millisecond} // 100 batches/s
	p := New(&buf, 0, 200)
	p.now = clock.now
	for i := 1; i <= 200; i++ {
		p.Update(i, 0.5)
	}
	p.Finish("")
	out := buf.String()
	draws := strings.Count(out, "\r")
	// 200 batches at 100/s = 2 s: at most 10 redraws a second, plus the first and the last.
	require.LessOrEqual(t, draws, 23)
	require.GreaterOrEqual(t, draws, 15)
	require.True(t, strings.HasSuffix(out, "\n"))
	require.Equal(t, 1, strings.Count(out, "\n"), "one line, ended once")
	final := strings.TrimRight(collapseCR(out), " \n")
	t.Logf("%q", final)
	require.Regexp(t, regexp.MustCompile(`^step 200/200 \[=+\] 100%  loss 0\.5  \d+(\.\d+)? steps/s$`), final)
	require.NotContains(t, out, "\x1b", "no ANSI escapes")
	require.NotContains(t, out, "\r\n", "nbconvert keeps a line that '\\r\\n' ends")

	// A mid-run line shows an ETA.
	buf.Reset()
	p = New(&buf, 10, 1000)
	p.now = (&fakeClock{t: time.Unix(0, 0), step: 200 * time.Millisecond}).now
	p.Update(11, 1)
	p.Update(12, 2)
	require.Contains(t, buf.String(), "step 12/1000")
	require.Contains(t, buf.String(), "ETA 3:18") // 988 batches at 5/s
	require.Contains(t, buf.String(), "loss 2")

	// Nothing trained, nothing printed; a nil writer is silent.
	buf.Reset()
	New(&buf, 5, 5).Finish("")
	require.Empty(t, buf.String())
	New(nil, 0, 5).Update(1, 1)
}

// TestBarChinese: in the Chinese edition the labels and pkg/train's statuses are Chinese, an
// unknown status passes through, and an invalid language setting falls back to English.
func TestBarChinese(t *testing.T) {
	t.Setenv(lang.Env, "zh")
	var buf bytes.Buffer
	p := New(&buf, 10, 1000)
	p.now = (&fakeClock{t: time.Unix(0, 0), step: 200 * time.Millisecond}).now
	p.Update(11, 1)
	p.Update(12, 2)
	p.Finish("stopped")
	final := strings.TrimRight(collapseCR(buf.String()), " \n")
	t.Logf("%q", final)
	require.Regexp(t, regexp.MustCompile(`^批次 12/1000 \[=*> *\]   1%  损失 2  \d+(\.\d+)? 批次/秒  剩余 \d+:\d\d  已停止$`), final)

	buf.Reset()
	p = New(&buf, 0, 3)
	p.Update(1, 1)
	p.Finish("NaN loss")
	require.Contains(t, buf.String(), "NaN loss")

	t.Setenv(lang.Env, "fr")
	buf.Reset()
	p = New(&buf, 0, 3)
	p.Update(1, 1)
	p.Finish("stopped")
	require.Contains(t, buf.String(), "step 1/3")
	require.Contains(t, buf.String(), "stopped")
}
