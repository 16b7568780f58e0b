package recovered

import (
	"errors"
	"testing"
)

func TestCall(t *testing.T) {
	want := errors.New("bad")
	if err := Call(func() error { return want }); err != want {
		t.Errorf("Call returned %v, want f's error", err)
	}
	if err := Call(func() error { panic("boom") }); err == nil || err.Error() != "panic: boom" {
		t.Errorf("Call of a panicking f returned %v, want \"panic: boom\"", err)
	}
}
