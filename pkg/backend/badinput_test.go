package backend

import (
	"fmt"
	"io"
	"testing"

	"github.com/rnn-course/bottleneck/pkg/lang"
	"github.com/stretchr/testify/require"
)

// A bad RNN_COURSE_LANG makes New fail with an error that names the setting, never panic; once
// the setting is fixed (as in a GoNB session that goes on), New returns the backend (issue 27,
// items 9 and 23: it returned a nil backend with a nil error after a recovered panic).
//
// This must be the package's only test that calls New: New keeps its backend for the process.
func TestNewAfterBadLanguage(t *testing.T) {
	Announce = io.Discard
	t.Setenv(EnvVar, GoDefaultConfig)
	t.Setenv("GONB_DIR", "")
	call := func() (b any, choice Choice, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		bk, choice, err := New()
		if bk != nil {
			b = bk
		}
		return b, choice, err
	}
	for range 2 { // the error is not kept: the same again
		t.Setenv(lang.Env, "fr")
		b, _, err := call()
		require.Error(t, err)
		require.NotContains(t, err.Error(), "panic")
		require.ErrorContains(t, err, `RNN_COURSE_LANG="fr", want "en" (English) or "zh"`)
		require.Nil(t, b)
	}
	t.Setenv(lang.Env, "en")
	b, choice, err := call()
	require.NoError(t, err)
	require.NotNil(t, b, "New returned a nil backend with a nil error")
	require.Equal(t, GoDefaultConfig, choice.Config)
	// Later calls return the same backend, whatever the language.
	t.Setenv(lang.Env, "zh")
	b2, _, err := call()
	require.NoError(t, err)
	require.Same(t, b, b2)
}

// Decide never panics: with a bad language its reason is in English (New reports the setting).
func TestDecideBadLanguage(t *testing.T) {
	t.Setenv(lang.Env, "fr")
	var c Choice
	require.NotPanics(t, func() { c = Decide(env(nil), nil) })
	require.Equal(t, GoDefaultConfig, c.Config)
	require.Contains(t, c.Reason, "no "+EnvVar)
}
