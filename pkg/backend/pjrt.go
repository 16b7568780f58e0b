package backend

import (
	"fmt"
	"strings"

	"github.com/gomlx/go-xla/pjrt"
)

// The PJRT C API version that go-xla (the version in go.mod) is compiled against: PJRT_API_MAJOR
// and PJRT_API_MINOR of its pjrt/pjrt_c_api.h (a test reads the header, so an upgrade that moves
// it fails until these follow). go-xla itself does not compare a plugin's version with it.
const (
	PJRTMajor = 0
	PJRTMinor = 104
)

// CheckPJRTVersion says whether a plugin reporting PJRT C API major.minor can serve go-xla.
// Within one major version the C API only grows (new functions and fields are appended, and each
// argument struct carries its size), so a plugin of the same major and a minor at least
// PJRTMinor serves it; an older minor may lack functions go-xla calls, and another major is a
// different ABI.
func CheckPJRTVersion(major, minor int) error {
	switch {
	case major != PJRTMajor:
		return fmt.Errorf("backend: the PJRT plugin implements C API %d.%d, but go-xla is built for %d.%d: "+
			"a different major version is a different ABI; use a plugin of C API %d.x (x >= %d)",
			major, minor, PJRTMajor, PJRTMinor, PJRTMajor, PJRTMinor)
	case minor < PJRTMinor:
		return fmt.Errorf("backend: the PJRT plugin implements C API %d.%d, older than the %d.%d go-xla is built for: "+
			"it may lack functions go-xla calls; use a newer plugin (C API %d.%d or later)",
			major, minor, PJRTMajor, PJRTMinor, PJRTMajor, PJRTMinor)
	}
	return nil
}

// PluginVersion loads the PJRT plugin of an XLA backend configuration ("xla:cpu",
// "xla:/abs/path/plugin.so") and returns the C API version it reports, where it was loaded from,
// and CheckPJRTVersion's verdict as err. It returns an error for a configuration that is not XLA.
func PluginVersion(config string) (major, minor int, path string, err error) {
	name, plugin, _ := strings.Cut(config, ":")
	if name != "xla" && name != "stablehlo" {
		return 0, 0, "", fmt.Errorf("backend: %q is not an XLA configuration (want xla:<plugin>)", config)
	}
	if plugin == "" {
		plugin = "cpu"
	}
	p, err := pjrt.GetPlugin(plugin)
	if err != nil {
		return 0, 0, "", fmt.Errorf("backend: cannot load the PJRT plugin %q: %w", plugin, err)
	}
	major, minor = p.Version()
	return major, minor, p.Path(), CheckPJRTVersion(major, minor)
}
