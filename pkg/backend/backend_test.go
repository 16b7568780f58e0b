package backend

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDecide(t *testing.T) {
	plugins := map[string]string{"cpu": "/usr/local/lib/go-xla/pjrt_c_api_cpu_plugin.so"}
	c := Decide(env(map[string]string{EnvVar: "go"}), plugins)
	require.Equal(t, "go", c.Config, "GOMLX_BACKEND must win over an installed plugin")
	c = Decide(env(nil), plugins)
	require.Equal(t, "xla:cpu", c.Config)
	require.Contains(t, c.Reason, plugins["cpu"])
	c = Decide(env(nil), map[string]string{"cuda": "/x/pjrt_c_api_cuda_plugin.so"})
	require.Equal(t, GoDefaultConfig, c.Config, "a CUDA-only plugin does not make XLA the CPU default")
	require.True(t, c.IsGo())
	c = Decide(env(map[string]string{EnvVar: "  "}), nil)
	require.Equal(t, GoDefaultConfig, c.Config, "a blank GOMLX_BACKEND is treated as unset")
}

func TestNewFromConfigErrors(t *testing.T) {
	_, err := NewFromConfig("nosuchbackend")
	require.Error(t, err)
	require.Contains(t, err.Error(), "nosuchbackend")
	_, err = NewFromConfig("xla:nosuchplugin")
	require.Error(t, err)
	require.Contains(t, err.Error(), "nosuchplugin")
}

func TestNewGo(t *testing.T) {
	b, err := NewFromConfig(GoDefaultConfig)
	require.NoError(t, err)
	require.NotNil(t, b)
}
