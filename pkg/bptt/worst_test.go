package bptt

import (
	"math"
	"testing"
)

func TestWorst(t *testing.T) {
	fd, hand := Worst([]GradCheck{{"a", 1e-9, 1e-16}, {"b", 3e-9, math.NaN()}, {"c", 2e-9, 4e-16}})
	if fd != 3e-9 || hand != 4e-16 {
		t.Errorf("Worst = %v, %v; want 3e-9, 4e-16", fd, hand)
	}
	if fd, hand := Worst([]GradCheck{{"a", 1e-9, math.NaN()}}); fd != 1e-9 || hand != -1 {
		t.Errorf("Worst without hand-written rows = %v, %v; want 1e-9, -1", fd, hand)
	}
}
