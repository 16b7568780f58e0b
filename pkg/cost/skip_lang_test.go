package cost

import (
	"fmt"
	"testing"
	"time"

	"github.com/rnn-course/bottleneck/pkg/lang"
)

// TestSkipLocalized: a skip reason is kept in English (a table is shared between the editions
// and written to CSV) and shown in the edition's language by Localized.
func TestSkipLocalized(t *testing.T) {
	t.Setenv("GONB_DIR", "")
	s := Skip{Model: "lstm", Pass: Fwd, T: 4096, B: 64,
		Reason: fmt.Sprintf(lang.Msg("predicted %v per run > MaxRunTime %v"), 1500*time.Millisecond, 1*time.Second)}
	en := fmt.Sprintf("lstm %s T=4096 B=64: predicted 1.5s per run > MaxRunTime 1s", Fwd)
	t.Setenv(lang.Env, "zh")
	if s.String() != en {
		t.Errorf("zh: String() = %q, want the English %q", s.String(), en)
	}
	if got, want := s.Localized(), fmt.Sprintf("lstm %s T=4096 B=64: 预计每次运行 1.5s > MaxRunTime 1s", Fwd); got != want {
		t.Errorf("zh: Localized() = %q, want %q", got, want)
	}
	t.Setenv(lang.Env, "en")
	if s.Localized() != en {
		t.Errorf("en: Localized() = %q", s.Localized())
	}
}
