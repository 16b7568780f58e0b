package deer

import (
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// TestNotConvergedErrorLocalized: Error() stays English in both editions; Localized (what a
// notebook prints through notebook.Explain) is the edition's. Both written out by hand.
func TestNotConvergedErrorLocalized(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	e := &NotConvergedError{Method: Full, Reason: ReasonDiverged, Iterations: 7, MaxIter: 65, Update: 12.5, Tol: 1e-10, Residual: 3e4}
	en := "deer: deer did not converge (residual diverged) after 7 iterations (MaxIter 65): last update 12.5, tolerance 1e-10, " +
		"residual max|h_t - f(h_{t-1}, x_t)| = 3e+04; the linearisation overshoots (chaotic dynamics?): try Config.Clip, " +
		"or a negative DivergenceFactor in float64"
	zh := "deer: deer 在 7 次迭代后没有收敛（残差发散，MaxIter 65）：最后一次更新 12.5，容差 1e-10，残差 max|h_t - f(h_{t-1}, x_t)| = 3e+04" +
		"；线性化过冲了（混沌动力学？）：试试 Config.Clip，或在 float64 下使用负的 DivergenceFactor"
	for _, l := range []string{"en", "zh"} {
		t.Setenv(lang.Env, l)
		if got := e.Error(); got != en {
			t.Errorf("%s: Error() =\n%q\nwant\n%q", l, got, en)
		}
	}
	if got := lang.Explain(e); got != zh {
		t.Errorf("zh: Explain =\n%q\nwant\n%q", got, zh)
	}
	t.Setenv(lang.Env, "en")
	if got := lang.Explain(e); got != en {
		t.Errorf("en: Explain = %q", got)
	}
}
