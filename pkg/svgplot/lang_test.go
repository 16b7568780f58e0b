package svgplot

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrapChinese(t *testing.T) {
	require.Equal(t, []string{"one two", "three"}, wrap("one two three", 10, 45))
	// 14 full-width characters at 10 px are 140 px: two lines of at most 80 px, and the comma
	// does not start a line.
	lines := wrap("每个时间步都要等待上一步，序列越长", 10, 80)
	require.Equal(t, "每个时间步都要等待上一步，序列越长", strings.Join(lines, ""))
	for _, l := range lines {
		require.LessOrEqual(t, textWidth(l, 10), 90.0, l)
		require.False(t, strings.HasPrefix(l, "，"), l)
	}
	require.Greater(t, len(lines), 1)
	// Mixed: Latin words keep their spaces, Chinese breaks between characters.
	require.Equal(t, "GoMLX 在 GPU 上的时间", strings.Join(wrap("GoMLX 在 GPU 上的时间", 10, 1000), ""))
	require.Equal(t, 20.0, textWidth("中文", 10))
	require.Equal(t, 12.0, textWidth("ab", 10))
}

// TestDiagramsFollowLanguage: the Chinese edition's diagrams are in Chinese (the unrolled graph
// labels its dependency edge 依赖关系), the English ones in English.
func TestDiagramsFollowLanguage(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	t.Setenv("RNN_COURSE_LANG", "zh")
	zh := map[string]string{
		"unrolled": UnrolledRNN(5, true), "unrolled100": UnrolledRNN(100, false), "bptt": BPTTDiagram(4),
		"blelloch": ScanTree(8, "blelloch"), "hs": ScanTree(8, "hillis-steele"), "seq": ScanTree(8, "sequential"),
		"lstm": GateDiagram("lstm"), "gru": GateDiagram("gru"),
	}
	require.Contains(t, zh["unrolled"], "依赖关系")
	require.Contains(t, zh["unrolled"], "关键路径")
	require.Contains(t, zh["bptt"], "时间反向传播")
	for name, svg := range zh {
		for _, en := range []string{"depth ", "critical path", "sequential step", "combines", "Backpropagation", "vermillion", "equations)", ">input<", "forward →", ">step "} {
			require.NotContains(t, svg, en, name)
		}
		parseSVG(t, svg)
	}
	t.Setenv("RNN_COURSE_LANG", "en")
	require.Contains(t, UnrolledRNN(5, true), "dependency")
	require.Contains(t, UnrolledRNN(5, true), "critical path")
	require.NotContains(t, UnrolledRNN(5, true), "依赖关系")
}
