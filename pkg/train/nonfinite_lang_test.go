package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// TestNonFiniteErrorLocalized: Error() is the English text in both editions (Go code and logs
// read it), Localized (lang.Explain) the edition's; both written out by hand.
func TestNonFiniteErrorLocalized(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	e := &NonFiniteError{Step: 3, Chunk: 2, Chunks: 4, What: fmt.Sprintf(lang.Msg("the gradient of %s"), "weight_hh_l0"),
		Count: 2, At: "[0, 1]: NaN", Loss: 0.5, GradNorm: math.Inf(1)}
	en := "train: step 3 (chunk 2 of 4): the gradient of weight_hh_l0 is not finite (2 NaN or ±Inf values, the first at [0, 1]: NaN); " +
		"loss 0.5, gradient norm +Inf; stopped before applying this update: the model keeps the parameters after step 2 " +
		"(try a lower learning rate or gradient clipping)"
	zh := "train: 第 3 步（第 2 块，共 4 块）：weight_hh_l0 的梯度不是有限数（2 个 NaN 或 ±Inf 值，第一个位于 [0, 1]: NaN）；" +
		"损失 0.5，梯度范数 +Inf；已在应用这次更新之前停止：模型保留第 2 步之后的参数（可以试试更小的学习率或梯度裁剪）"
	for _, l := range []string{"en", "zh"} {
		t.Setenv(lang.Env, l)
		if got := e.Error(); got != en {
			t.Errorf("%s: Error() =\n%q\nwant\n%q", l, got, en)
		}
	}
	// Wrapped by the loop, as a notebook sees it.
	wrapped := lang.Errorf("train: loop: batch %d: %w", 9, e)
	if got := lang.Explain(wrapped); got != "train: loop: 第 9 个批次："+zh {
		t.Errorf("zh Explain =\n%q\nwant\n%q", got, "train: loop: 第 9 个批次："+zh)
	}
	var nf *NonFiniteError
	if !errors.As(wrapped, &nf) || nf != e {
		t.Error("the loop's error does not unwrap to the NonFiniteError")
	}
	t.Setenv(lang.Env, "en")
	if got := lang.Explain(wrapped); got != "train: loop: batch 9: "+en {
		t.Errorf("en Explain = %q", got)
	}
	// The interrupt error: context.Canceled stays reachable and reads in Chinese.
	t.Setenv(lang.Env, "zh")
	ie := lang.Errorf("train: loop: interrupted at position %d of %d: %w", 6, 12, context.Canceled)
	if !errors.Is(ie, context.Canceled) {
		t.Error("interrupt error does not wrap context.Canceled")
	}
	if got, want := lang.Explain(ie), "train: loop: 在位置 6（共 12）处中断：上下文已取消"; got != want {
		t.Errorf("zh Explain(interrupt) = %q, want %q", got, want)
	}
}
