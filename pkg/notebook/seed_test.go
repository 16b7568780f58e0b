package notebook

import (
	"strings"
	"testing"
)

func TestSeed(t *testing.T) {
	t.Setenv(SeedEnv, "")
	if got := Seed(7); got != 7 {
		t.Errorf("unset: Seed(7) = %d, want 7 (the notebook as written)", got)
	}
	if !strings.Contains(seedBanner(), "as written") {
		t.Errorf("unset: banner %q", seedBanner())
	}
	t.Setenv(SeedEnv, "3")
	seen := map[uint64]uint64{}
	for def := uint64(0); def < 1000; def++ {
		s := Seed(def)
		if prev, dup := seen[s]; dup {
			t.Fatalf("Seed(%d) = Seed(%d) = %d under %s=3", def, prev, s, SeedEnv)
		}
		seen[s] = def
	}
	if Seed(1) == 1 || Seed(1) != mixSeed(3, 1) {
		t.Errorf("%s=3: Seed(1) = %d", SeedEnv, Seed(1))
	}
	a := Seed(1)
	t.Setenv(SeedEnv, "4")
	if Seed(1) == a {
		t.Errorf("Seed(1) is %d under both course seeds 3 and 4", a)
	}
	if !strings.Contains(seedBanner(), SeedEnv+"=4") {
		t.Errorf("banner %q does not name the seed", seedBanner())
	}
	for _, bad := range []string{"-1", "x", "1.5", "18446744073709551616"} {
		t.Setenv(SeedEnv, bad)
		if _, _, err := SeedFromEnv(); err == nil || !strings.Contains(err.Error(), "whole number") {
			t.Errorf("%s=%q: %v, want an error asking for a whole number", SeedEnv, bad, err)
		}
	}
}
